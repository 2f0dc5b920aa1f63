"""The header row of an intents spreadsheet: which columns it names, in which units.

Headers are matched after Unicode NFKC folding, ignoring case, spaces, line breaks and ``*``
markers; the header is the first of the first ten non-empty rows naming two known columns.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from gis.errors import Problem
from gis.io.intents.columns import (
    _LABELS,
    _QUANTITY_ALIASES,
    _REQUIRED,
    _TEXT_ALIASES,
    _UNIT_IN_NAME,
    _UNITS,
    LAYER,
    MU_M2,  # noqa: F401  (the doctest of _match_header compares with it)
)
from gis.io.intents.values import _blank, _text

_HEADER_SEARCH_ROWS = 10


@dataclass(frozen=True)
class _Header:
    """What a header cell names: a field key, the factor to its unit, or why it is unusable."""

    key: str
    factor: float = 1.0
    issue: str | None = None


@dataclass(frozen=True)
class _Column:
    key: str
    header: str
    index: int
    factor: float


def _norm(text: str) -> str:
    r"""Fold a header or unit for matching.

    Examples
    --------
    >>> _norm(" 用水量\n（m³/d）* ")
    '用水量(m3/d)'
    """
    folded = unicodedata.normalize("NFKC", text)
    return re.sub(r"[\s*^]+", "", folded).lower()


def _match_header(text: str) -> _Header | None:
    """Return what a header cell names, or ``None`` for a column Linkplan does not know.

    Examples
    --------
    >>> _match_header("用地面积（亩）").factor == MU_M2
    True
    >>> _match_header("经度(°)").key, _match_header("用水量").issue is not None
    ('lon', True)
    """
    name = _norm(text)
    if not name:
        return None
    if name in _UNIT_IN_NAME:
        key, factor = _UNIT_IN_NAME[name]
        return _Header(key, factor)
    bracket = re.fullmatch(r"(.+?)[(\[【](.*?)[)\]】]", name)
    base, unit = (bracket.group(1), bracket.group(2)) if bracket else (name, None)
    for key, aliases in _TEXT_ALIASES.items():
        if base in aliases:
            return _Header(key)
    for key, aliases in _QUANTITY_ALIASES.items():
        if base not in aliases:
            continue
        units = _UNITS[key]
        accepted = ", ".join(units)
        if not unit:
            return _Header(key, issue=f"a unit in brackets, one of {accepted}")
        if unit not in units:
            return _Header(key, issue=f"unit {unit!r} is not known: expected one of {accepted}")
        return _Header(key, units[unit])
    return None


def _header_index(rows: Sequence[Sequence[Any]], *, strict: bool = False) -> int | None:
    """Return the index of the header row: the first naming two known columns.

    Without one among the first ten non-empty rows, the first non-empty row (``None`` if
    ``strict``, or if every row is blank).
    """
    first: int | None = None
    seen = 0
    for index, cells in enumerate(rows):
        if _blank(cells):
            continue
        if first is None:
            first = index
        if sum(_match_header(_text(c)) is not None for c in cells) >= 2:
            return index
        seen += 1
        if seen >= _HEADER_SEARCH_ROWS:
            break
    return None if strict else first


def _parse_header(
    header: Sequence[Any], problems: list[Problem]
) -> tuple[dict[str, _Column], list[tuple[str, int]], set[str]]:
    """Return the known columns by key, the other columns (name, index), unusable keys."""
    columns: dict[str, _Column] = {}
    extras: list[tuple[str, int]] = []
    unusable: set[str] = set()
    for index, cell in enumerate(header):
        text = _text(cell)
        match = _match_header(text)
        if match is None:
            name = text or f"column {index + 1}"
            taken = {n for n, _ in extras}
            suffix = 2
            while name in taken:
                name = f"{text or f'column {index + 1}'} ({suffix})"
                suffix += 1
            extras.append((name, index))
            continue
        if match.issue is not None:
            problems.append(
                Problem(LAYER, None, match.key, f"column {text!r}", match.issue, code="bad_unit")
            )
            unusable.add(match.key)
        elif match.key in columns:
            problems.append(
                Problem(
                    LAYER,
                    None,
                    match.key,
                    f"columns {columns[match.key].header!r} and {text!r}",
                    f"one column for {_LABELS[match.key]}",
                    code="duplicate_column",
                )
            )
        else:
            columns[match.key] = _Column(match.key, text, index, match.factor)
    return columns, extras, unusable


def _check_columns(
    columns: dict[str, _Column],
    unusable: set[str],
    header: Sequence[Any],
    problems: list[Problem],
) -> None:
    present = ", ".join(t for t in (_text(c) for c in header) if t) or "none"

    def missing(key: str, expected: str) -> None:
        problems.append(
            Problem(
                LAYER,
                None,
                key,
                "no such column",
                f"{expected}; columns present: {present}",
                code="missing_field",
            )
        )

    for key in _REQUIRED:
        if key not in columns and key not in unusable:
            missing(key, f"a column {_LABELS[key]}")
    pairs = [pair for pair in (("lon", "lat"), ("x", "y")) if set(pair) & set(columns)]
    if len(pairs) == 2:
        problems.append(
            Problem(
                LAYER,
                None,
                "geometry",
                "columns "
                + ", ".join(
                    repr(columns[k].header) for k in ("lon", "lat", "x", "y") if k in columns
                ),
                "one pair of point columns: 经度/纬度 (lon/lat) or 东坐标/北坐标 (x/y)",
                code="duplicate_column",
            )
        )
    for pair in pairs:
        for key in pair:
            if key not in columns:
                missing(
                    key,
                    f"a column {_LABELS[key]} next to {columns[({*pair} - {key}).pop()].header!r}",
                )
    if "wkt" not in columns and not pairs:
        missing(
            "geometry",
            "a polygon column 用地范围 (wkt) or point columns 经度/纬度 (lon/lat) or x/y, "
            "with an area column 用地面积(平方米) or 用地面积(亩)",
        )
