"""The demand intake form (seed 附件2 用户水、气、热、电、网需求信息采集单) as a validated model.

One form in (一表采集), every problem out at once (一次性告知): :func:`parse_intake` never stops at
the first mistake. It runs two passes over the submitted mapping and reports both together:

1. **Field checks** by pydantic: types, required fields, non-negative numbers, ranges, unknown
   fields, and the identifier checks (统一社会信用代码 check character per GB 32100-2015,
   身份证号 birth date and check digit per GB 11643-1999, phone and 投资项目代码 formats).
2. **Consistency checks** on the raw mapping, run even when pass 1 failed: a requested utility
   needs its section and a non-zero demand; a section filled for a utility that was not requested
   is a warning; a backup capacity above the main capacity is a warning; a full load below the
   normal load is an error.

Each finding is a :class:`~gis.errors.Problem` on layer ``"intake"``, feature = the form's
``project_code`` (or ``"(no code)"``), field = a dotted path into the submitted data with
0-based list indices (``"gas.equipment[1].count"`` is the *second* equipment row).

Units are those printed on the form; each field's description states its unit and the form's
Chinese label is in the field's ``json_schema_extra["zh"]`` (collected in :data:`FORM_LABELS_ZH`).

Gas loads (天然气负荷) are **per unit**: each equipment row describes one kind of appliance by
its nameplate (燃烧器口径, 设备压力 and the loads on the same row are properties of one unit),
and the row's total is ``count × load``. Reading a row total as per unit would over-size the
connection, never under-size it. :meth:`Intake.demand_summary` multiplies by ``count``.

The package, one concern per module:

- :mod:`~planning.intake.identifiers`: 统一社会信用代码, 身份证号, phone and 投资项目代码 checks;
- :mod:`~planning.intake.fields`: how each box of the form is read (aliases, blanks, yes/no);
- :mod:`~planning.intake.form`: the form model :class:`Intake` and :func:`default_intake`;
- :mod:`~planning.intake.sizing`: :class:`DemandSummary`, the quantities a connection is sized with;
- :mod:`~planning.intake.consistency`: the cross-field checks;
- :mod:`~planning.intake.checks`: :func:`check_intake` / :func:`parse_intake`, every problem at once;
- :mod:`~planning.intake.loaders`: :func:`load_intake` / :func:`load_intakes` from YAML or JSON.

Examples
--------
>>> intake = parse_intake({
...     "project_name": "示例项目",
...     "utilities": ["water"],
...     "water": {"water_m3_day": 48},
... }, require_identity=False)
>>> intake.water.water_m3_day
48.0
"""

from planning.intake.checks import (
    IntakeCheck,
    check_intake,
    field_label_zh,
    message_zh,
    parse_intake,
)
from planning.intake.fields import UTILITY_LABELS_ZH
from planning.intake.form import (
    FORM_LABELS_ZH,
    IDENTITY_FIELDS,
    GasEquipment,
    GasRequest,
    HeatRequest,
    Intake,
    PowerRequest,
    TelecomRequest,
    WaterRequest,
    default_intake,
)
from planning.intake.identifiers import (
    CREDIT_CODE_CHARS,
    CREDIT_CODE_WEIGHTS,
    ID_NUMBER_WEIGHTS,
    PROJECT_CODE_RE,
    credit_code_check_char,
    credit_code_issue,
    id_number_check_char,
    id_number_issue,
    phone_issue,
    project_code_issue,
)
from planning.intake.loaders import load_intake, load_intakes
from planning.intake.sizing import (
    DEFAULT_PROFILE,
    DemandSummary,
    GasSizing,
    HeatSizing,
    PowerSizing,
    TelecomSizing,
    WaterSizing,
)

__all__ = [
    "CREDIT_CODE_CHARS",
    "CREDIT_CODE_WEIGHTS",
    "DEFAULT_PROFILE",
    "FORM_LABELS_ZH",
    "IDENTITY_FIELDS",
    "ID_NUMBER_WEIGHTS",
    "PROJECT_CODE_RE",
    "UTILITY_LABELS_ZH",
    "DemandSummary",
    "GasEquipment",
    "GasRequest",
    "GasSizing",
    "HeatRequest",
    "HeatSizing",
    "Intake",
    "IntakeCheck",
    "PowerRequest",
    "PowerSizing",
    "TelecomRequest",
    "TelecomSizing",
    "WaterRequest",
    "WaterSizing",
    "check_intake",
    "credit_code_check_char",
    "credit_code_issue",
    "default_intake",
    "field_label_zh",
    "id_number_check_char",
    "id_number_issue",
    "load_intake",
    "load_intakes",
    "message_zh",
    "parse_intake",
    "phone_issue",
    "project_code_issue",
]
