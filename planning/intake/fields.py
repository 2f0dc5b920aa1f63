"""Field types of the 附件2 form: how each box is read and checked.

Blank text is "not filled", yes/no boxes accept 是/否, the requested utilities, the business type
and telecom operators accept the aliases of :mod:`gis.vocabulary`, and the identifiers are
checked by :mod:`planning.intake.identifiers`. Every check raises a pydantic error whose type is
the Problem ``code`` and whose ``ctx["expected"]`` says what was expected.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    JsonValue,
    StringConstraints,
)
from pydantic_core import PydanticCustomError

from gis import vocabulary
from gis.schema import TELECOM_OPERATORS, UTILITIES
from planning.intake.identifiers import (
    Issue,
    credit_code_issue,
    id_number_issue,
    phone_issue,
    project_code_issue,
)


def _raise_issue(issue: Issue | None) -> None:
    if issue is not None:
        code, expected, expected_zh = issue
        raise PydanticCustomError(
            code, "expected {expected}", {"expected": expected, "expected_zh": expected_zh}
        )


def _blank_to_none(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _no_bool(value: Any) -> Any:
    # pydantic's lax mode reads True as 1; on a form a yes/no in a number field is a mistake
    if isinstance(value, bool):
        _raise_issue(("wrong_type", "a number, not yes/no", "数字，而不是“是/否”"))
    return value


_YES = {"是", "有", "具备", "需要", "y"}
_NO = {"否", "无", "不具备", "不需要", "n"}


def _yes_no(value: Any) -> Any:
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _YES:
            return True
        if text in _NO:
            return False
    return value


def _checked(issue: Callable[[str], Issue | None]) -> AfterValidator:
    """Check a string with ``issue`` (``None`` when it is fine), raising what it finds."""

    def check(value: str) -> str:
        _raise_issue(issue(value))
        return value

    return AfterValidator(check)


def _alias(terms: vocabulary.Vocabulary[str]) -> Callable[[Any], Any]:
    """Read a label or alias of ``terms`` as its value (other text stripped and lower-cased)."""

    def lookup(value: Any) -> Any:
        if isinstance(value, str):
            text = value.strip()
            return terms.lookup(text) or text.lower()
        return value

    return lookup


UTILITY_LABELS_ZH: dict[str, str] = vocabulary.UTILITIES.labels(form="form")
"""The form's tick boxes of 申请联合报装接入内容, by utility name of :data:`gis.schema.UTILITIES`."""
_utility_alias = _alias(vocabulary.UTILITIES)


def _check_utility(value: str) -> str:
    if value not in UTILITIES:
        expected = ", ".join(f"{u} ({UTILITY_LABELS_ZH[u]})" for u in UTILITIES)
        zh = "、".join(UTILITY_LABELS_ZH.values())
        _raise_issue(("invalid_choice", f"one of {expected}", f"{zh} 之一"))
    return value


def _split_list(value: Any) -> Any:
    # "water,power" (the intents layer's form) or "用水、用电"
    if isinstance(value, str):
        return [part for part in re.split(r"[,，、;；\s]+", value) if part]
    return value


def _dedupe(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _empty_to_none(value: Any) -> Any:
    # an empty section ("gas:" or "gas: {}") is a section left blank
    if isinstance(value, Mapping) and not value:
        return None
    return value


def _check_operator(value: str) -> str:
    if value not in TELECOM_OPERATORS:
        expected = ", ".join(TELECOM_OPERATORS)
        zh = "、".join(vocabulary.OPERATORS.label(o) for o in TELECOM_OPERATORS)
        _raise_issue(("invalid_choice", f"one of {expected}", f"{zh} 之一"))
    return value


Number = Annotated[float, BeforeValidator(_no_bool)]
Count = Annotated[int, BeforeValidator(_no_bool)]
YesNo = Annotated[bool, BeforeValidator(_yes_no)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
"""Free text of the form (an address): at most 500 characters."""
T = TypeVar("T")
Blank = Annotated[T | None, BeforeValidator(_blank_to_none)]
"""``T``, or ``None`` for a field left blank (spaces only)."""
OptText = Blank[Text]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
"""A name (project, enterprise, person, equipment): at most 200 characters."""
OptName = Blank[Name]
Stripped = Annotated[str, StringConstraints(strip_whitespace=True)]
Upper = Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True)]
OptCode = Blank[
    Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
]
"""A short identifier (form number, site id): at most 64 characters."""
CreditCode = Blank[Annotated[Upper, _checked(credit_code_issue)]]
IdNumber = Blank[Annotated[Upper, _checked(id_number_issue)]]
Phone = Blank[Annotated[Stripped, _checked(phone_issue)]]
ProjectCode = Blank[Annotated[Stripped, _checked(project_code_issue)]]
UtilityName = Annotated[str, BeforeValidator(_utility_alias), AfterValidator(_check_utility)]
OperatorName = Annotated[
    str, BeforeValidator(_alias(vocabulary.OPERATORS)), AfterValidator(_check_operator)
]
BusinessType = Annotated[
    Literal["new", "expansion", "temporary"], BeforeValidator(_alias(vocabulary.BUSINESS_TYPES))
]


def _field(
    zh: str, description: str, *, unit: str | None = None, default: Any = ..., **kw: Any
) -> Any:
    extra: dict[str, JsonValue] = {"zh": zh}
    if unit is not None:
        extra["unit"] = unit
    if "default_factory" not in kw:
        kw["default"] = default
    return Field(description=description, json_schema_extra=extra, **kw)
