"""Helpers shared by the intake modules: the Problem ``layer``/``feature`` and value wording."""

from __future__ import annotations

import json
import typing
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

LAYER = "intake"
"""The ``layer`` of every :class:`~gis.errors.Problem` the intake modules report."""

NO_CODE = "(no code)"
"""The ``feature`` of problems on a form without a usable ``project_code``."""


MISSING = "(missing)"
"""The ``value`` of a problem about a field left out."""

PLACEHOLDERS_ZH: dict[str, str] = {
    MISSING: "未填写",
    "(empty)": "未填写",
    "(blank)": "未填写（仅有空格）",
    "(filled)": "已填写",
}
"""The ``value`` placeholders of intake problems, in Chinese."""


def _feature_of(data: Mapping[str, Any]) -> str:
    code = data.get("project_code")
    if isinstance(code, str) and code.strip():
        return code.strip()
    return NO_CODE


def _text(value: Any) -> str:
    """Return a submitted value as a Problem's ``value``: short JSON for lists and mappings."""
    if value is None:
        return "(empty)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value if value.strip() else "(blank)"
    if isinstance(value, Mapping | list | tuple):
        text = json.dumps(value, ensure_ascii=False, default=str)
        return text if len(text) <= 80 else text[:77] + "..."
    return str(value)


def _fmt(number: Any) -> str:
    return f"{number:g}" if isinstance(number, int | float) else str(number)


def _path(loc: Sequence[str | int]) -> str | None:
    """Return a pydantic location as a dotted path with 0-based indices (``gas.equipment[1]``)."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or None


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    """Return the pydantic models inside a field annotation (``X | None``, ``list[X]``)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found: list[type[BaseModel]] = []
    for arg in typing.get_args(annotation):
        found += _models_in(arg)
    return found


def _label(info: FieldInfo | None) -> str:
    """Return the form's label and unit of a field as `` (zh, unit)``, or ``""``."""
    extra = info.json_schema_extra if info is not None else None
    if not isinstance(extra, dict):
        return ""
    zh, unit = extra.get("zh"), extra.get("unit")
    return f" ({zh}, {unit})" if unit else f" ({zh})"


_UNITS_ZH = {"units": "台"}


def _unit_zh(info: FieldInfo | None) -> str:
    """Return the form's unit of a field in Chinese as ``"（单位：m³/d）"``, or ``""``."""
    extra = info.json_schema_extra if info is not None else None
    unit = extra.get("unit") if isinstance(extra, dict) else None
    return f"（单位：{_UNITS_ZH.get(str(unit), unit)}）" if unit else ""
