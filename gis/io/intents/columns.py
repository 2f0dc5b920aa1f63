"""The columns of an intents spreadsheet: header aliases, units and the contract's field names.

The names of the columns and their aliases are in :data:`gis.vocabulary.INTENT_COLUMNS`; this
module folds them for header matching and adds the units a quantity column may carry in brackets
(立方米/日, 千伏安, 亩 …) with the factor to the contract unit.
"""

from __future__ import annotations

from gis import vocabulary as _vocab

MU_M2 = 10_000.0 / 15.0
"""One 亩 (mu) in square metres: 10 000/15 ≈ 666.67 m²."""

LAYER = "intents"
QUANTITIES: tuple[str, ...] = ("water_m3_day", "power_kva", "gas_m3_h", "steam_t_h")
"""The optional demand fields of the intents layer, in their contract units."""
_REQUIRED: tuple[str, ...] = (
    "intent_id",
    "name",
    "expected_start",
    "registered_by",
    "utilities",
)

# headers whose bracketed suffix, if any, is ignored (经度(°), 用地范围(WKT), 预计开工日期(年月日));
# the names of the columns are in gis.vocabulary.INTENT_COLUMNS
_QUANTITY_KEYS: tuple[str, ...] = (*QUANTITIES, "area_m2")
_TEXT_ALIASES: dict[str, tuple[str, ...]] = {
    t.value: tuple(_vocab.normalise(w) for w in t.words())
    for t in _vocab.INTENT_COLUMNS.terms
    if t.value not in _QUANTITY_KEYS
}
# quantities: the Chinese name needs a unit in brackets; English names carry it
_QUANTITY_ALIASES: dict[str, tuple[str, ...]] = {
    t.value: tuple(_vocab.normalise(w) for w in (t.zh, *t.aliases))
    for t in _vocab.INTENT_COLUMNS.terms
    if t.value in _QUANTITY_KEYS
}
_UNITS: dict[str, dict[str, float]] = {
    "water_m3_day": {
        u: 1.0
        for u in (
            "立方米/日",
            "立方米/天",
            "m3/d",
            "m3/日",
            "m3/天",
            "吨/日",
            "吨/天",
            "t/d",
            "方/日",
            "方/天",
        )
    },
    # 附件2 writes 千伏安（千瓦）: a figure in kW is taken as kVA (the form's own equivalence)
    "power_kva": {
        "千伏安": 1.0,
        "kva": 1.0,
        "千伏安(千瓦)": 1.0,
        "千瓦": 1.0,
        "kw": 1.0,
        "兆伏安": 1000.0,
        "mva": 1000.0,
    },
    "gas_m3_h": {
        u: 1.0 for u in ("立方米/小时", "立方米/时", "m3/h", "nm3/h", "标方/小时", "方/小时")
    },
    "steam_t_h": {"吨/小时": 1.0, "吨/时": 1.0, "t/h": 1.0},
    "area_m2": {
        "平方米": 1.0,
        "m2": 1.0,
        "亩": MU_M2,
        "公顷": 10_000.0,
        "hm2": 10_000.0,
        "ha": 10_000.0,
    },
}
_UNIT_IN_NAME: dict[str, tuple[str, float]] = {
    **{name: (name, 1.0) for name in (*QUANTITIES, "area_m2")},
    "area_mu": ("area_m2", MU_M2),
    "area_ha": ("area_m2", 10_000.0),
}
_LABELS: dict[str, str] = {
    t.value: f"{t.value} ({t.forms.get('header', t.zh)})" for t in _vocab.INTENT_COLUMNS.terms
}
