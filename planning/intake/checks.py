"""Checking a submitted form with every problem at once (一表采集, 一次性告知).

:func:`check_intake` runs two passes over the submitted mapping and reports both together:

1. **Field checks** by pydantic (types, required fields, ranges, unknown fields, identifiers),
   each pydantic error translated into a :class:`~gis.errors.Problem` with the field's dotted
   path, the form's Chinese label and unit;
2. **Consistency checks** on the raw mapping, run even when pass 1 failed: the identity fields
   of a submitted form, then the cross-field checks of :mod:`planning.intake.consistency`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError
from pydantic.fields import FieldInfo

from gis.errors import Problem, ValidationError
from planning.intake._common import (
    LAYER,
    NO_CODE,
    _feature_of,
    _fmt,
    _label,
    _models_in,
    _path,
    _text,
)
from planning.intake.consistency import cross_field_problems
from planning.intake.form import _SKIP_CONSISTENCY, IDENTITY_FIELDS, Intake


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
    "float": "a finite number",
    "finite": "a finite number",
    "int": "a whole number",
    "bool": "yes or no (true/false, 是/否)",
    "string": "text",
    "model": "a mapping of the section's fields",
    "dict": "a mapping of the section's fields",
    "list": "a list",
}


def _from_pydantic(err: Mapping[str, Any], feature: str) -> Problem:
    kind = str(err["type"])
    loc = tuple(err["loc"])
    ctx = err.get("ctx") or {}
    info, parent = _field_at(loc)
    value = _text(err.get("input"))
    if kind in {"missing", "string_too_short"}:
        code, expected, value = "missing", "a value", "(missing)" if kind == "missing" else value
    elif kind == "too_short":
        code, expected = "empty", f"at least {ctx.get('min_length', 1)} item(s)"
    elif kind == "string_too_long":
        code, expected = "too_long", f"at most {ctx.get('max_length')} characters"
        text = str(err.get("input"))
        value = f"{text[:40]}…（共 {len(text)} 字 / {len(text)} characters）"
    elif kind == "extra_forbidden":
        allowed = ", ".join(parent.model_fields) if parent is not None else ""
        code, expected = "unknown_field", f"one of the form's fields: {allowed}"
        info = None
    elif kind == "literal_error":
        code, expected = "invalid_choice", f"one of {ctx.get('expected', '')}"
    elif kind in {"greater_than_equal", "greater_than"}:
        bound = ctx.get("ge", ctx.get("gt"))
        sign = "≥" if kind == "greater_than_equal" else ">"
        code = "negative" if bound == 0 else "out_of_range"
        expected = f"a number {sign} {_fmt(bound)}"
    elif kind in {"less_than_equal", "less_than"}:
        bound = ctx.get("le", ctx.get("lt"))
        code, expected = (
            "out_of_range",
            f"a number {'≤' if kind == 'less_than_equal' else '<'} {_fmt(bound)}",
        )
    elif kind in _CUSTOM_CODES:
        code, expected = kind, str(ctx.get("expected", err.get("msg", "")))
    else:
        code = "wrong_type"
        prefix = kind.split("_")[0]
        expected = _TYPE_EXPECTED.get(prefix, str(err.get("msg", "another type")))
    return Problem(
        layer=LAYER,
        feature=feature,
        field=_path(loc),
        value=value,
        expected=expected + _label(info),
        severity="error",
        code=code,
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
                    value="(missing)",
                    expected=f"a value{label}: required on a submitted form",
                    severity="error",
                    code="missing",
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
