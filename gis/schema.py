"""The workspace layer contract: layers, geometry types, fields and enums.

Field names are the contract; extra fields in a layer are kept. Validation against this
contract lives in :mod:`gis.validate`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from gis import vocabulary

__all__ = [
    "LAYERS",
    "NETWORK_LAYERS",
    "REQUIRED_LAYERS",
    "ROAD_CLASSES",
    "UTILITIES",
    "FieldSpec",
    "LayerSpec",
]

FieldKind = Literal["str", "int", "float", "date", "enum", "csv_enum"]
GeometryKind = Literal["point", "line", "polygon"]

UTILITIES: tuple[str, ...] = vocabulary.UTILITIES.values
"""The five utilities of the reform (水气热电网), also the names of their network layers."""

UTILITY_NAMES_ZH: dict[str, str] = vocabulary.UTILITIES.labels()
"""Chinese names of the utilities (a view of :data:`gis.vocabulary.UTILITIES`)."""

ROAD_CLASSES: tuple[str, ...] = vocabulary.ROAD_CLASSES.values
"""快速路, 主干路, 次干路, 支路, 街坊路 (CJJ 37 classes plus access roads)."""

GAS_PRESSURE_CLASSES: tuple[str, ...] = vocabulary.GAS_PRESSURE_CLASSES.values
"""GB 50028 pressure classes, low to high."""

TELECOM_OPERATORS: tuple[str, ...] = vocabulary.OPERATORS.values
"""中国移动, 中国联通, 中国电信, 中国广电 (荆门广电网络)."""

OPERATOR_NAMES_ZH: dict[str, str] = vocabulary.OPERATORS.labels()
"""Chinese names of the operators (a view of :data:`gis.vocabulary.OPERATORS`)."""

MAJOR_LINE_KINDS: tuple[str, ...] = vocabulary.MAJOR_LINE_KINDS.values

ENTERPRISE_TYPES: tuple[str, ...] = vocabulary.ENTERPRISE_TYPES.values
"""工业, 商业, 房地产开发 (excluded by seed 二), 公共, 其他."""


@dataclass(frozen=True)
class FieldSpec:
    """One field of a layer.

    Parameters
    ----------
    name
        Field name in the file.
    kind
        Value type; ``enum`` takes one of ``choices``, ``csv_enum`` a comma-separated list.
    required
        A missing field (or, unless ``nullable``, an empty value in it) is an error.
    choices
        Allowed values for ``enum`` and ``csv_enum``.
    minimum
        Smallest allowed value of a number (``exclusive`` makes it a strict bound).
    nullable
        The field must exist but a feature may leave it empty (an unnamed access road).
    """

    name: str
    kind: FieldKind = "str"
    required: bool = True
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    exclusive: bool = False
    nullable: bool = False

    def expected(self) -> str:
        """Describe what a valid value looks like, for messages."""
        if self.kind in ("enum", "csv_enum"):
            one = "one of" if self.kind == "enum" else "a comma-separated list of"
            return f"{one} {', '.join(self.choices)}"
        if self.kind == "date":
            return "a date YYYY-MM-DD"
        if self.kind in ("int", "float"):
            word = "an integer" if self.kind == "int" else "a number"
            if self.minimum is not None:
                op = ">" if self.exclusive else "≥"
                return f"{word} {op} {self.minimum:g}"
            return word
        return "a non-empty text"


@dataclass(frozen=True)
class LayerSpec:
    """One layer of the workspace contract."""

    name: str
    geometry: GeometryKind
    fields: tuple[FieldSpec, ...] = ()
    id_field: str | None = None
    required: bool = False
    title_zh: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def geometry_types(self) -> tuple[str, ...]:
        """Accepted shapely geometry types (multi-part ones are exploded on load)."""
        if self.geometry == "line":
            return ("LineString", "MultiLineString")
        if self.geometry == "point":
            return ("Point",)
        return ("Polygon", "MultiPolygon")

    def field(self, name: str) -> FieldSpec | None:
        """Return the spec of field ``name`` or ``None``."""
        return next((f for f in self.fields if f.name == name), None)


def _network(name: str, title: str, *fields: FieldSpec) -> LayerSpec:
    base = (
        FieldSpec("asset_id"),
        FieldSpec("status", "enum", choices=vocabulary.NETWORK_STATUSES.values),
        # optional: a junction's connecting pipe is modelled but never tapped (empty: distribution)
        FieldSpec("role", "enum", required=False, choices=vocabulary.NETWORK_ROLES.values),
    )
    return LayerSpec(name, "line", base + fields, id_field="asset_id", title_zh=title)


LAYERS: dict[str, LayerSpec] = {
    spec.name: spec
    for spec in (
        LayerSpec(
            "roads",
            "line",
            (
                FieldSpec("road_id"),
                FieldSpec("name", nullable=True),
                FieldSpec("road_class", "enum", choices=ROAD_CLASSES),
                FieldSpec("width_m", "float", required=False, minimum=0.0, exclusive=True),
                FieldSpec("opened_on", "date", required=False),
                FieldSpec("repaired_on", "date", required=False),
            ),
            id_field="road_id",
            required=True,
            title_zh="道路",
        ),
        _network(
            "water", "供水管网", FieldSpec("diameter_mm", "float", minimum=0.0, exclusive=True)
        ),
        _network(
            "gas",
            "燃气管网",
            FieldSpec("pressure_class", "enum", choices=GAS_PRESSURE_CLASSES),
            FieldSpec("diameter_mm", "float", minimum=0.0, exclusive=True),
        ),
        _network(
            "heat",
            "供热管网",
            FieldSpec("medium", "enum", choices=vocabulary.HEAT_MEDIA.values),
            FieldSpec("pressure_mpa", "float", minimum=0.0, exclusive=True),
            FieldSpec("temperature_c", "float"),
        ),
        _network(
            "power",
            "供电线路",
            FieldSpec("voltage_kv", "float", minimum=0.0, exclusive=True),
            FieldSpec("spare_capacity_kva", "float", required=False, minimum=0.0),
            FieldSpec("feeder_id", required=False),
        ),
        _network("telecom", "通信管道", FieldSpec("operator", "enum", choices=TELECOM_OPERATORS)),
        LayerSpec(
            "major_lines",
            "line",
            (FieldSpec("kind", "enum", choices=MAJOR_LINE_KINDS), FieldSpec("name")),
            title_zh="重大管线及道路",
        ),
        LayerSpec(
            "sources",
            "point",
            (
                FieldSpec("source_id"),
                FieldSpec("utility", "enum", choices=UTILITIES),
                FieldSpec("kind", "enum", choices=vocabulary.SOURCE_KINDS.values),
                FieldSpec("head_m", "float", required=False, minimum=0.0, exclusive=True),
                FieldSpec("pressure_mpa", "float", required=False, minimum=0.0, exclusive=True),
                FieldSpec("temperature_c", "float", required=False),
                FieldSpec("voltage_kv", "float", required=False, minimum=0.0, exclusive=True),
                FieldSpec("capacity_kva", "float", required=False, minimum=0.0, exclusive=True),
                FieldSpec("feeders", required=False),
            ),
            id_field="source_id",
            title_zh="供应源（水厂、门站、热源、变电站）",
        ),
        LayerSpec("scope", "polygon", (), required=True, title_zh="适用范围"),
        LayerSpec(
            "service_areas",
            "polygon",
            (FieldSpec("utility", "enum", choices=UTILITIES),),
            title_zh="服务区域",
        ),
        LayerSpec("green_space", "polygon", (), title_zh="绿地"),
        LayerSpec(
            "sites",
            "polygon",
            (
                FieldSpec("project_id"),
                FieldSpec("name"),
                FieldSpec("enterprise_type", "enum", choices=ENTERPRISE_TYPES),
                FieldSpec("district", required=False),
                FieldSpec("construction_start", "date", required=False),
                FieldSpec("construction_end", "date", required=False),
            ),
            id_field="project_id",
            required=True,
            title_zh="项目用地",
        ),
        LayerSpec(
            "intents",
            "polygon",
            (
                FieldSpec("intent_id"),
                FieldSpec("name"),
                FieldSpec("expected_start", "date"),
                FieldSpec("registered_by"),
                FieldSpec("utilities", "csv_enum", choices=UTILITIES),
                FieldSpec("water_m3_day", "float", required=False, minimum=0.0),
                FieldSpec("power_kva", "float", required=False, minimum=0.0),
                FieldSpec("gas_m3_h", "float", required=False, minimum=0.0),
                FieldSpec("steam_t_h", "float", required=False, minimum=0.0),
            ),
            id_field="intent_id",
            title_zh="投资意向",
        ),
    )
}
"""Every layer of the contract by name."""

NETWORK_LAYERS: tuple[str, ...] = UTILITIES
REQUIRED_LAYERS: tuple[str, ...] = tuple(n for n, s in LAYERS.items() if s.required)
