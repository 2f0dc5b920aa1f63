"""The data rows of an intents spreadsheet: each row's values, site and problems.

One row is one registered intent (seed 三1, 一口登记): its id, name, expected start, registering
office and requested utilities (all required), its demands in contract units, and its site as a
WKT polygon or a point (with a site area) in the source coordinates. Every problem of a row is
reported, with the row number a spreadsheet program shows and the column's header.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from shapely.errors import ShapelyError
from shapely.geometry.base import BaseGeometry

from gis.errors import Problem
from gis.io.intents.columns import _LABELS, LAYER, QUANTITIES
from gis.io.intents.header import _Column
from gis.io.intents.values import (
    _DATE_EXPECTED,
    _UTILITIES_EXPECTED,
    _blank,
    _date,
    _empty,
    _number,
    _text,
    _utilities,
)


@dataclass
class _Row:
    """One data row as parsed; ``centre`` or ``polygon`` in the source coordinates."""

    number: int
    label: str
    values: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    area_m2: float | None = None
    centre: tuple[float, float] | None = None
    polygon: BaseGeometry | None = None


@dataclass(frozen=True)
class _Options:
    """How every row is read: the point columns, the coordinates and the site-area fallback."""

    pair: tuple[str, str]
    """The point columns: ``("lon", "lat")`` or ``("x", "y")``."""
    geographic: bool
    """Whether the coordinates are degrees (checked for range and swaps)."""
    area_unusable: bool
    """Whether the area column has an unusable unit (already reported)."""
    default_area_m2: float | None
    """Site area of point rows whose area cell is empty."""


@dataclass
class _Cells:
    """One data row being parsed: its cells by column, and where its problems go."""

    row: _Row
    cells: Sequence[Any]
    columns: dict[str, _Column]
    problems: list[Problem]

    def cell(self, key: str) -> Any:
        """Return the cell of column ``key``, ``None`` if there is no such column or cell."""
        column = self.columns.get(key)
        if column is None or column.index >= len(self.cells):
            return None
        return self.cells[column.index]

    def where(self, key: str) -> str:
        """Return the column's header and the row number, for a problem's value."""
        return f"{self.columns[key].header}, row {self.row.number}"

    def problem(self, key: str | None, value: str, expected: str, code: str) -> None:
        """Report a problem of this row on field ``key``."""
        self.problems.append(Problem(LAYER, self.row.label, key, value, expected, code=code))

    def missing(self, key: str) -> None:
        """Report an empty required cell."""
        self.problem(
            key, f"empty ({self.where(key)})", f"a value for {_LABELS[key]}", "missing_value"
        )


def _label(cells: Sequence[Any], columns: dict[str, _Column], number: int) -> str:
    column = columns.get("intent_id")
    text = _text(cells[column.index]) if column and column.index < len(cells) else ""
    return text or f"row {number}"


def _parse_rows(
    rows: Sequence[Sequence[Any]],
    *,
    first: int,
    header: Sequence[Any],
    columns: dict[str, _Column],
    extras: list[tuple[str, int]],
    options: _Options,
    problems: list[Problem],
) -> list[_Row]:
    """Parse the non-blank rows from index ``first`` on; report rows longer than the header."""
    parsed: list[_Row] = []
    for offset, cells in enumerate(rows[first:]):
        if _blank(cells):
            continue
        number = first + offset + 1
        if any(not _empty(c) for c in cells[len(header) :]):
            problems.append(
                Problem(
                    LAYER,
                    _label(cells, columns, number),
                    None,
                    f"{len(cells)} cells in row {number}, the header has {len(header)}",
                    "no more cells than header columns (a comma inside an unquoted text?)",
                    code="extra_cells",
                )
            )
        row = _parse_row(number, cells, columns, options, problems)
        row.extra = {
            name: None if index >= len(cells) or _empty(cells[index]) else cells[index]
            for name, index in extras
        }
        parsed.append(row)
    return parsed


def _parse_row(
    number: int,
    cells: Sequence[Any],
    columns: dict[str, _Column],
    options: _Options,
    problems: list[Problem],
) -> _Row:
    """Parse one data row in steps: texts, start date, utilities, quantities, site, area."""
    row = _Cells(_Row(number, _label(cells, columns, number)), cells, columns, problems)
    _parse_texts(row)
    _parse_start(row)
    _parse_utilities(row)
    area_bad = _parse_quantities(row)
    _parse_site(row, options.pair, geographic=options.geographic)
    _default_area(row, options, area_bad=area_bad)
    return row.row


def _parse_texts(row: _Cells) -> None:
    for key in ("intent_id", "name", "registered_by"):
        if key in row.columns:
            text = _text(row.cell(key))
            row.row.values[key] = text
            if not text:
                row.missing(key)


def _parse_start(row: _Cells) -> None:
    if "expected_start" not in row.columns:
        return
    raw = row.cell("expected_start")
    date = None if _empty(raw) else _date(raw)
    row.row.values["expected_start"] = date
    if _empty(raw):
        row.missing("expected_start")
    elif date is None:
        row.problem(
            "expected_start",
            f"{raw!r} ({row.where('expected_start')})",
            _DATE_EXPECTED,
            "bad_value",
        )


def _parse_utilities(row: _Cells) -> None:
    if "utilities" not in row.columns:
        return
    raw = row.cell("utilities")
    listed, unknown = _utilities(raw)
    row.row.values["utilities"] = listed
    if unknown:
        row.problem(
            "utilities",
            f"{_text(raw)!r}: unknown {', '.join(repr(w) for w in unknown)} ({row.where('utilities')})",
            _UTILITIES_EXPECTED,
            "unknown_enum",
        )
    elif listed is None:
        row.missing("utilities")


def _parse_quantities(row: _Cells) -> bool:
    """Read the demands and the site area in contract units; return whether the area is bad."""
    area_bad = False
    for key in (*QUANTITIES, "area_m2"):
        if key not in row.columns:
            continue
        raw = row.cell(key)
        amount, reason = _number(raw)
        positive = key == "area_m2"
        if amount is not None and (amount < 0 or (positive and amount == 0)):
            reason = "must be > 0" if positive else "negative"
        if reason is not None:
            code = "bad_value" if amount is None else "out_of_range"
            expected = "a number > 0" if positive else "a number ≥ 0"
            row.problem(key, f"{raw!r} ({reason}; {row.where(key)})", expected, code)
            area_bad = area_bad or positive
            continue
        if amount is not None:
            value = amount * row.columns[key].factor
            if positive:
                row.row.area_m2 = value
            else:
                row.row.values[key] = value
    return area_bad


def _default_area(row: _Cells, options: _Options, *, area_bad: bool) -> None:
    """Give a point site without an area ``default_area_m2``, or report it."""
    site = row.row
    if site.polygon is not None or site.centre is None or site.area_m2 is not None:
        return
    if options.default_area_m2 is not None:
        site.area_m2 = float(options.default_area_m2)
    elif not (options.area_unusable or area_bad):
        row.problem(
            "area_m2",
            "empty" if "area_m2" in row.columns else "no area column",
            "a site area (用地面积(平方米) or 用地面积(亩)) for a site given as a point, "
            "or default_area_m2",
            "missing_area",
        )


def _parse_site(row: _Cells, pair: tuple[str, str], *, geographic: bool) -> None:
    """Set ``row.polygon`` or ``row.centre`` (source coordinates) or report why not."""
    wkt = _text(row.cell("wkt")) if "wkt" in row.columns else ""
    if wkt:
        _parse_wkt(row, wkt, geographic=geographic)
    elif set(pair) <= set(row.columns):
        _parse_point(row, pair, geographic=geographic)


def _parse_wkt(row: _Cells, wkt: str, *, geographic: bool) -> None:
    where = f"{row.columns['wkt'].header}, row {row.row.number}"
    shown = wkt if len(wkt) <= 60 else wkt[:57] + "..."
    try:
        geom = shapely.force_2d(shapely.from_wkt(wkt))
    except ShapelyError as exc:
        row.problem(
            "geometry",
            f"{shown!r} ({exc}; {where})",
            "a WKT POLYGON, MULTIPOLYGON or POINT",
            "bad_value",
        )
        return
    if geom.is_empty:
        row.problem("geometry", f"{shown!r} ({where})", "a non-empty polygon", "empty_geometry")
    elif geom.geom_type not in ("Polygon", "MultiPolygon", "Point"):
        row.problem(
            "geometry",
            f"{geom.geom_type} ({where})",
            "a WKT POLYGON, MULTIPOLYGON or POINT",
            "wrong_geometry_type",
        )
    elif geographic and _degrees_problem(row, shapely.bounds(geom), field="geometry"):
        return
    elif geom.geom_type == "Point":
        row.row.centre = (geom.x, geom.y)
    else:
        row.row.polygon = geom


def _parse_point(row: _Cells, pair: tuple[str, str], *, geographic: bool) -> None:
    a, b = row.cell(pair[0]), row.cell(pair[1])
    if _empty(a) and _empty(b):
        row.problem(
            "geometry",
            f"empty {row.columns[pair[0]].header} and {row.columns[pair[1]].header}"
            + (" and WKT" if "wkt" in row.columns else ""),
            "the site as a point (its coordinates) or a WKT polygon",
            "missing_value",
        )
        return
    numbers: list[float] = []
    for key, raw in zip(pair, (a, b)):
        number, reason = _number(raw)
        if _empty(raw):
            row.missing(key)
        elif number is None:
            row.problem(
                key,
                f"{raw!r} ({reason}; {row.columns[key].header}, row {row.row.number})",
                "a number",
                "bad_value",
            )
        else:
            numbers.append(number)
    if len(numbers) != 2:
        return
    x, y = numbers
    if geographic and _degrees_problem(row, np.array([x, y, x, y]), field=None):
        return
    row.row.centre = (x, y)


def _degrees_problem(row: _Cells, bounds: Any, *, field: str | None) -> bool:
    """Report longitudes beyond ±180 or latitudes beyond ±90; say so if they look swapped."""
    number = row.row.number
    xmin, ymin, xmax, ymax = (float(v) for v in bounds)
    lon_ok = max(abs(xmin), abs(xmax)) <= 180
    lat_ok = max(abs(ymin), abs(ymax)) <= 90
    if lon_ok and lat_ok:
        return False
    if max(abs(xmin), abs(xmax)) <= 90 and max(abs(ymin), abs(ymax)) <= 180:
        row.problem(
            field or "geometry",
            f"longitude {xmin:g}, latitude {ymin:g} (row {number})",
            "longitude (经度, about 112 in Jingmen) and latitude (纬度, about 31): "
            "the two look swapped",
            "swapped_coordinates",
        )
        return True
    if not lon_ok:
        row.problem(
            field or "lon",
            f"longitude {xmin:g} (row {number})",
            "a longitude within ±180",
            "out_of_range",
        )
    if not lat_ok:
        row.problem(
            field or "lat",
            f"latitude {ymin:g} (row {number})",
            "a latitude within ±90",
            "out_of_range",
        )
    return True


def _check_duplicates(rows: list[_Row], problems: list[Problem]) -> None:
    seen: dict[str, list[int]] = {}
    for row in rows:
        ident = row.values.get("intent_id")
        if ident:
            seen.setdefault(ident, []).append(row.number)
    for ident, numbers in seen.items():
        if len(numbers) > 1:
            problems.append(
                Problem(
                    LAYER,
                    ident,
                    "intent_id",
                    f"{ident!r} in rows {', '.join(map(str, numbers))}",
                    "a unique id per intent",
                    code="duplicate_id",
                )
            )
