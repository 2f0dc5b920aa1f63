"""Reading forms from YAML or JSON files: one form, or a list of forms keyed by ``site_id``."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import yaml

from gis.errors import InputFormatError, Problem, ValidationError
from planning.intake._common import LAYER
from planning.intake.checks import parse_intake
from planning.intake.form import Intake


def load_intake(path: str | Path, *, require_identity: bool = True) -> Intake:
    """Read a form from a YAML (``.yaml``/``.yml``) or JSON (``.json``) file and parse it.

    Raises
    ------
    InputFormatError
        If the file cannot be read as its format, or is not a mapping.
    ValidationError
        If the form has errors (all of them, see :func:`parse_intake`).
    """
    file = Path(path)
    suffix = file.suffix.lower()
    if suffix not in {".yaml", ".yml", ".json"}:
        msg = f"{file}: expected a .yaml, .yml or .json intake form, got {suffix or 'no suffix'!r}"
        raise InputFormatError(msg)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        msg = f"{file}: cannot read the intake form as UTF-8 text: {exc}"
        raise InputFormatError(msg) from exc
    try:
        data = json.loads(text) if suffix == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        msg = f"{file}: not valid {suffix[1:].upper()}: {exc}"
        raise InputFormatError(msg) from exc
    if not isinstance(data, Mapping):
        msg = f"{file}: expected a mapping of the form's fields, got {type(data).__name__}"
        raise InputFormatError(msg)
    return parse_intake(data, require_identity=require_identity)


def load_intakes(path: str | Path, *, require_identity: bool = True) -> dict[str, Intake]:
    """Read one form, or a list of forms, from a YAML or JSON file, keyed by ``site_id``.

    Every form of a list is checked and every problem of every form is reported together;
    a form without ``site_id`` cannot be matched to a site and is an error.
    """
    file = Path(path)
    if file.suffix.lower() in {".yaml", ".yml", ".json"} and file.is_file():
        text = file.read_text(encoding="utf-8")
        try:
            data = json.loads(text) if file.suffix.lower() == ".json" else yaml.safe_load(text)
        except (json.JSONDecodeError, yaml.YAMLError) as exc:
            msg = f"{file}: not valid {file.suffix[1:].upper()}: {exc}"
            raise InputFormatError(msg) from exc
        if isinstance(data, list):
            out: dict[str, Intake] = {}
            problems: list[Problem] = []
            for k, form in enumerate(data):
                try:
                    intake = parse_intake(form, require_identity=require_identity)
                except ValidationError as exc:
                    problems.extend(exc.problems)
                    continue
                if not intake.site_id:
                    problems.append(
                        Problem(
                            LAYER,
                            f"form #{k + 1}",
                            "site_id",
                            "empty",
                            "the project_id of the site in the workspace",
                            code="missing",
                            expected_zh="工作空间中该项目地块的项目编号（site_id）",
                        )
                    )
                    continue
                out[intake.site_id] = intake
            if problems:
                raise ValidationError(
                    problems=problems, summary=f"{file}: intake forms have errors"
                )
            return out
    intake = load_intake(file, require_identity=require_identity)
    if not intake.site_id:
        problem = Problem(
            LAYER,
            intake.feature,
            "site_id",
            "empty",
            "the project_id of the site in the workspace",
            code="missing",
            expected_zh="工作空间中该项目地块的项目编号（site_id）",
        )
        raise ValidationError(problems=[problem], summary=f"{file}: intake form has errors")
    return {intake.site_id: intake}
