"""Checking a submitted form with every problem at once (一表采集, 一次性告知).

:func:`check_intake` runs two passes over the submitted mapping and reports both together:

1. **Field checks** by pydantic (types, required fields, ranges, unknown fields, identifiers),
   each pydantic error translated into a :class:`~gis.errors.Problem` with the field's dotted
   path, the form's Chinese label and unit;
2. **Consistency checks** on the raw mapping, run even when pass 1 failed: the identity fields
   of a submitted form, then the cross-field checks of :mod:`planning.intake.consistency`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError
from pydantic.fields import FieldInfo

from gis import vocabulary
from gis.errors import Problem, ValidationError
from planning.intake._common import (
    LAYER,
    MISSING,
    NO_CODE,
    PLACEHOLDERS_ZH,
    _feature_of,
    _fmt,
    _label,
    _models_in,
    _path,
    _text,
    _unit_zh,
)
from planning.intake.consistency import cross_field_problems
from planning.intake.form import _SKIP_CONSISTENCY, FORM_LABELS_ZH, IDENTITY_FIELDS, Intake


@dataclass(frozen=True)
class IntakeCheck:
    """The outcome of checking a form.

    Attributes
    ----------
    intake
        The parsed form, or ``None`` when there is any error.
    problems
        Every finding, errors first.
    """

    intake: Intake | None
    problems: tuple[Problem, ...]

    @property
    def errors(self) -> tuple[Problem, ...]:
        """Problems of severity ``error``."""
        return tuple(p for p in self.problems if p.severity == "error")

    @property
    def warnings(self) -> tuple[Problem, ...]:
        """Problems of severity ``warning``."""
        return tuple(p for p in self.problems if p.severity == "warning")

    @property
    def ok(self) -> bool:
        """``True`` when there is no error."""
        return not self.errors


def _field_at(loc: Sequence[str | int]) -> tuple[FieldInfo | None, type[BaseModel] | None]:
    """Return the field info at ``loc`` and the model that holds it."""
    model: type[BaseModel] | None = Intake
    info: FieldInfo | None = None
    parent: type[BaseModel] | None = None
    for part in loc:
        if isinstance(part, int):
            continue
        if model is None or part not in model.model_fields:
            return None, model
        parent = model
        info = model.model_fields[part]
        inner = _models_in(info.annotation)
        model = inner[0] if inner else None
    return info, parent


_CUSTOM_CODES = frozenset(
    {
        "wrong_type",
        "invalid_choice",
        "credit_code_format",
        "credit_code_check_digit",
        "id_number_format",
        "id_number_birth_date",
        "id_number_check_digit",
        "phone_format",
        "project_code_format",
    }
)
"""Codes raised by the form's own field validators (their ``ctx["expected"]`` says what)."""

_TYPE_EXPECTED = {
    "float": ("a finite number", "数字"),
    "finite": ("a finite number", "有限的数字"),
    "int": ("a whole number", "整数"),
    "bool": ("yes or no (true/false, 是/否)", "“是”或“否”"),
    "string": ("text", "文字"),
    "model": ("a mapping of the section's fields", "该部分的各项内容"),
    "dict": ("a mapping of the section's fields", "该部分的各项内容"),
    "list": ("a list", "列表"),
}
"""What a value of each pydantic type was expected to be: (English, Chinese)."""

_SIGNS = {"greater_than_equal": "≥", "greater_than": ">", "less_than_equal": "≤", "less_than": "<"}
"""Pydantic bound error → its sign (its Chinese words: PROBLEM_KINDS form ``bound``)."""


def _expected(kind: str, err: Mapping[str, Any], parent: type[BaseModel] | None) -> tuple[str, str, str]:
    """Return the Problem ``code``, ``expected`` and ``expected_zh`` of a pydantic error."""
    ctx = err.get("ctx") or {}
    if kind in {"missing", "string_too_short"}:
        return "missing", "a value", "此项为必填项"
    if kind == "too_short":
        n = ctx.get("min_length", 1)
        return "empty", f"at least {n} item(s)", f"至少 {n} 项"
    if kind == "string_too_long":
        n = ctx.get("max_length")
        return "too_long", f"at most {n} characters", f"不超过 {n} 个字"
    if kind == "extra_forbidden":
        allowed = ", ".join(parent.model_fields) if parent is not None else ""
        return "unknown_field", f"one of the form's fields: {allowed}", "采集单上已有的栏目"
    if kind == "literal_error":
        return "invalid_choice", f"one of {ctx.get('expected', '')}", "列出的选项之一"
    if kind in _SIGNS:
        bound = ctx.get("ge", ctx.get("gt", ctx.get("le", ctx.get("lt"))))
        sign, sign_zh = _SIGNS[kind], vocabulary.PROBLEM_KINDS.label(kind, form="bound")
        code = "negative" if bound == 0 and sign in {"≥", ">"} else "out_of_range"
        return code, f"a number {sign} {_fmt(bound)}", f"{sign_zh} {_fmt(bound)} 的数"
    if kind in _CUSTOM_CODES:
        expected = str(ctx.get("expected", err.get("msg", "")))
        return kind, expected, str(ctx.get("expected_zh") or expected)
    english, zh = _TYPE_EXPECTED.get(kind.split("_")[0], (str(err.get("msg", "another type")), "其他类型的值"))
    return "wrong_type", english, zh


def _from_pydantic(err: Mapping[str, Any], feature: str) -> Problem:
    kind = str(err["type"])
    loc = tuple(err["loc"])
    info, parent = _field_at(loc)
    value = _text(err.get("input"))
    code, expected, expected_zh = _expected(kind, err, parent)
    if kind == "missing":
        value = MISSING
    elif kind == "string_too_long":
        text = str(err.get("input"))
        value = f"{text[:40]}…（共 {len(text)} 字 / {len(text)} characters）"
    elif kind == "extra_forbidden":
        info = None
    return Problem(
        layer=LAYER,
        feature=feature,
        field=_path(loc),
        value=value,
        expected=expected + _label(info),
        severity="error",
        code=code,
        expected_zh=expected_zh + _unit_zh(info),
    )


def _missing_identity(data: Mapping[str, Any], *, flagged: set[str | None]) -> list[Problem]:
    """Report the identity fields a submitted form leaves empty (:data:`IDENTITY_FIELDS`)."""
    feature = _feature_of(data)
    found: list[Problem] = []
    for name in IDENTITY_FIELDS:
        value = data.get(name)
        empty = value is None or (isinstance(value, str) and not value.strip())
        if empty and name not in flagged:
            label = _label(Intake.model_fields[name])
            found.append(
                Problem(
                    layer=LAYER,
                    feature=feature,
                    field=name,
                    value=MISSING,
                    expected=f"a value{label}: required on a submitted form",
                    severity="error",
                    code="missing",
                    expected_zh="此项为必填项",
                )
            )
    return found


def check_intake(data: Any, *, require_identity: bool = True) -> IntakeCheck:
    """Check a submitted form and return every problem, without raising.

    Parameters
    ----------
    data
        The form as a mapping (from YAML, JSON or a web form).
    require_identity
        Require the applicant's identity fields (:data:`IDENTITY_FIELDS`), as on a submitted
        form; ``False`` for planning intakes that only describe demand.

    Returns
    -------
    IntakeCheck
        The intake (``None`` on any error) and every problem, errors first.
    """
    if not isinstance(data, Mapping):
        problem = Problem(
            layer=LAYER,
            feature=NO_CODE,
            field=None,
            value=type(data).__name__,
            expected="a mapping of the form's fields",
            code="wrong_type",
            expected_zh="按采集单各栏填写的表单",
        )
        return IntakeCheck(intake=None, problems=(problem,))
    feature = _feature_of(data)
    problems: list[Problem] = []
    intake: Intake | None = None
    try:
        intake = Intake.model_validate(data, context={_SKIP_CONSISTENCY: True})
    except PydanticValidationError as exc:
        problems += [_from_pydantic(err, feature) for err in exc.errors()]
    flagged = {p.field for p in problems}
    if require_identity:
        problems += _missing_identity(data, flagged=flagged)
    problems += cross_field_problems(data, flagged=flagged)
    ordered = tuple(sorted(problems, key=lambda p: {"error": 0, "warning": 1}.get(p.severity, 2)))
    errors = [p for p in ordered if p.severity == "error"]
    if errors:
        intake = None
    elif intake is not None:
        intake._warnings = [p for p in ordered if p.severity != "error"]
    return IntakeCheck(intake=intake, problems=ordered)


def parse_intake(data: Any, *, require_identity: bool = True) -> Intake:
    """Parse a submitted form, reporting every problem at once (一次性告知).

    Parameters
    ----------
    data
        The form as a mapping.
    require_identity
        See :func:`check_intake`.

    Returns
    -------
    Intake
        The form; its :attr:`Intake.warnings` holds warning-severity findings.

    Raises
    ------
    ValidationError
        If there is any error; ``problems`` lists all findings, errors first, then warnings.
    """
    check = check_intake(data, require_identity=require_identity)
    if check.intake is None:
        where = _feature_of(data) if isinstance(data, Mapping) else NO_CODE
        summary = f"intake form {where}: {len(check.errors)} problem(s) to correct"
        raise ValidationError(problems=list(check.problems), summary=summary)
    return check.intake


def field_label_zh(path: str | None) -> str:
    """Return the Chinese label of a Problem's field path (``gas.equipment[1].count`` → 用气设备第 2 行「数量」).

    Examples
    --------
    >>> field_label_zh("credit_code"), field_label_zh("gas.equipment[1].count")
    ('信用代码', '用气设备第 2 行「数量」')
    """
    if not path:
        return "采集单"
    plain = re.sub(r"\[\d+\]", "", path)
    label = FORM_LABELS_ZH.get(plain) or FORM_LABELS_ZH.get(plain.split(".", 1)[0], path)
    row = re.match(r"^gas\.equipment\[(\d+)\]\.", path)
    return f"用气设备第 {int(row[1]) + 1} 行「{label}」" if row else label


def message_zh(problem: Problem, *, label: str | None = None) -> str:
    """Return an intake problem in Chinese: the field's label, what was received, what is expected.

    Parameters
    ----------
    problem
        A problem of :func:`check_intake` (or any Problem with ``expected_zh``).
    label
        The field's label as the page names it (default :func:`field_label_zh`).

    Examples
    --------
    >>> p = check_intake({"project_name": "x", "utilities": ["water"], "water": {"water_m3_day": 5},
    ...                   "credit_code": "123456"}, require_identity=False).errors[0]
    >>> message_zh(p)
    '信用代码：收到「123456」，应为 18 位统一社会信用代码（GB 32100-2015），实为 6 位'
    """
    name = label if label is not None else field_label_zh(problem.field)
    expected = problem.expected_zh or problem.expected
    if problem.value in PLACEHOLDERS_ZH:
        return f"{name}：{PLACEHOLDERS_ZH[problem.value]}，{expected}"
    return f"{name}：收到「{problem.value}」，应为 {expected}"
