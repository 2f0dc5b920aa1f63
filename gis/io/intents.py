"""Read registered investment intents (一口登记) from a spreadsheet.

After an investment agreement is signed, the investment-promotion office (招商部门) registers
the new project's water, gas, heat, power and telecom needs (seed 三1, 一口登记早服务) so that the
utilities can lay out the networks around the site before anyone applies. Those registrations
arrive as spreadsheets, usually with Chinese headers; :func:`read_intents` turns one into the
``intents`` layer of the workspace contract (:data:`gis.schema.LAYERS`).

Accepted files (recognised by content, not by suffix): an Excel workbook (``.xlsx``/``.xlsm``)
or a CSV file in UTF-8 (with or without byte-order mark, as Excel's "CSV UTF-8" writes it),
UTF-16 with byte-order mark, or GBK/GB18030 (what Excel's plain "CSV" writes on Chinese
Windows). A title row above the header (e.g. 投资项目水气热电网需求意向登记表) is skipped:
the header is the first of the first ten non-empty rows naming at least two known columns.

Headers are matched after Unicode NFKC folding (full-width brackets and digits, ``㎡``, ``m³``),
ignoring case, spaces, line breaks and ``*`` markers of required columns. Quantities need a
unit, in brackets after the Chinese name, unless the English name carries it:

=================  =====================================================================
field              headers
=================  =====================================================================
``intent_id``      intent_id, id, 意向编号, 意向登记编号, 登记编号, 项目编号, 编号
``name``           name, 项目名称, 意向项目名称, 名称
``expected_start`` expected_start, 预计开工日期/时间, 计划开工日期/时间, 开工日期/时间
``registered_by``  registered_by, 登记单位, 登记部门, 招商单位, 招商部门
``utilities``      utilities, 需求专业, 接入需求, 接入专业, 需求类型, 水气热电网需求
``water_m3_day``   water_m3_day, 用水量/日用水量/用水需求 (立方米/日, 吨/日, m³/d …)
``power_kva``      power_kva, 用电容量/用电需求/报装容量 (千伏安, kVA; 兆伏安, MVA)
``gas_m3_h``       gas_m3_h, 用气量/用气需求 (立方米/小时, m³/h, Nm³/h, 标方/小时)
``steam_t_h``      steam_t_h, 用汽量/蒸汽用量/用汽需求 (吨/小时, t/h)
site area          area_m2, area_mu, 用地面积/占地面积/面积 (平方米, m², 亩, 公顷, ha)
point              lon/lng/longitude/经度 and lat/latitude/纬度, or x/easting/东坐标 and
                   y/northing/北坐标 (a projected ``coordinates``)
polygon            wkt, geometry, 几何, 用地范围, 用地红线, 红线范围 (WKT text)
=================  =====================================================================

Other columns are kept under their own headers.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import math
import os
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import shapely
from openpyxl.utils.exceptions import InvalidFileException
from pyproj import CRS
from shapely import Point
from shapely.errors import ShapelyError
from shapely.geometry.base import BaseGeometry

from gis import vocabulary as _vocab
from gis.chinacoords import in_china
from gis.crs import DEFAULT_CRS, require_projected, resolve_crs, to_working_crs, transformer
from gis.errors import CRSError, InputFormatError, Problem, ValidationError
from gis.schema import UTILITIES

__all__ = ["MU_M2", "read_intents"]

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
_HEADER_SEARCH_ROWS = 10
_MARGIN_DEG = 1.5
"""Sites may lie this far (degrees) outside the area of use of the working CRS."""

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
    "power_kva": {"千伏安": 1.0, "kva": 1.0, "兆伏安": 1000.0, "mva": 1000.0},
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
_UTILITY_ALIASES: dict[str, str] = _vocab.UTILITIES.words()
_UTILITY_SPLIT = re.compile(r"[,;、/|+\s]+")
_UTILITY_WORD = "|".join(re.escape(w) for w in sorted(_UTILITY_ALIASES, key=len, reverse=True))
_UTILITY_RUN = re.compile(f"(?:{_UTILITY_WORD})+")
"""Utility words written without separators: 水电气, 供水供电."""
_UTILITIES_EXPECTED = (
    "a list of water, gas, heat, power, telecom (or 水/供水, 气/燃气, 热/供热/蒸汽, 电/供电, "
    "网/通信), separated by , ， 、 or ;"
)

_DATE = re.compile(
    r"(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*(?:[-/.月]\s*(?P<d>\d{1,2})\s*日?|月)?"
    r"(?:[\sT]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
)
_COMPACT_DATE = re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})")
_DATE_EXPECTED = (
    "a date such as 2027-03-01, 2027/3/1, 2027年3月1日 or 20270301 "
    "(a month alone, 2027-03 or 2027年3月, means its first day)"
)
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_EXCEL_SERIALS = (36_526, 73_051)
"""Excel day numbers accepted as dates (2000-01-01 to 2099-12-31)."""

_XLSX_MAGIC = b"PK\x03\x04"
_XLS_MAGIC = b"\xd0\xcf\x11\xe0"


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


def read_intents(
    path: str | os.PathLike[str],
    *,
    coordinates: str = "wgs84",
    sheet: str | int | None = None,
    default_area_m2: float | None = None,
    working_crs: Any = DEFAULT_CRS,
) -> gpd.GeoDataFrame:
    """Read a spreadsheet of registered investment intents into the ``intents`` layer.

    Each row is one intent. Its site is either a polygon given as WKT, or a point (lon/lat,
    or x/y in a projected ``coordinates``) with a site area: the site is then a **square of
    that area centred on the point**, its sides along the axes of the working CRS and its
    area measured in the working CRS. A row with a WKT polygon uses the polygon; a WKT
    ``POINT`` is a point. Coordinates are converted once, here, with :mod:`gis.crs`, so a
    point picked on 高德 (``coordinates="gcj02"``) or 百度 (``"bd09"``) lands where it is.

    Values are normalised: dates to ISO ``YYYY-MM-DD`` (a month alone means its first day,
    the earliest start the registration allows), utilities to the canonical comma list in
    the order water, gas, heat, power, telecom (``"水,电"`` and ``"供水、供电"`` both give
    ``"water,power"``), quantities to the contract units (``1 亩 = 10 000/15 m²``,
    ``1 MVA = 1000 kVA``, ``1 吨 of water = 1 m³``). Thousands separators are accepted.

    Parameters
    ----------
    path
        An ``.xlsx`` workbook or a ``.csv`` file; see the module documentation for the
        encodings and headers accepted.
    coordinates
        What the coordinates (point columns and WKT) are in: ``"wgs84"`` (GPS), ``"cgcs2000"``,
        ``"gcj02"`` (高德/腾讯), ``"bd09"`` (百度) or any CRS :func:`gis.crs.resolve_crs`
        takes, e.g. ``"EPSG:4546"`` for x/y in metres.
    sheet
        Worksheet of a workbook: its name or 0-based position. By default the first sheet
        with a recognisable header row (else the first sheet). Not allowed for CSV.
    default_area_m2
        Site area in m² for point rows whose area cell is empty (or when there is no area
        column). Without it such rows are a problem.
    working_crs
        Projected CRS in metres of the result.

    Returns
    -------
    geopandas.GeoDataFrame
        In ``working_crs``, one polygon per row, with the contract fields ``intent_id``,
        ``name``, ``expected_start``, ``registered_by``, ``utilities``, ``water_m3_day``,
        ``power_kva``, ``gas_m3_h``, ``steam_t_h`` (``NaN`` when not given); ``area_m2``, the
        site area as registered in m² (for a WKT polygon without one, the polygon's area);
        ``source_row``, the row number as a spreadsheet program shows it (the header row
        counted); then the file's other columns under their own headers.

    Raises
    ------
    InputFormatError
        If the file is missing, not a workbook or text CSV, in an undecodable encoding, an
        old ``.xls``, or ``sheet`` names no worksheet.
    ValidationError
        Listing every problem found at once (layer ``"intents"``, feature the row's
        ``intent_id`` or ``"row N"``): missing or duplicate columns, quantity columns with
        no or an unknown unit, missing values, bad dates and numbers, unknown utilities,
        negative quantities, non-positive areas, longitude/latitude out of range or swapped,
        sites outside China or far (> 1.5°) from the working CRS's area of use (swapped x/y
        or the wrong ``coordinates``), bad WKT, duplicate ids, point rows without an area, and
        rows with more cells than the header.
    CRSError
        If ``coordinates`` is unknown or ``working_crs`` is not projected in metres.
    ValueError
        If ``default_area_m2`` is not a positive number.
    """
    target = require_projected(working_crs, what=f"working CRS for layer {LAYER!r}")
    geographic = _is_geographic(coordinates)
    if default_area_m2 is not None and not (math.isfinite(default_area_m2) and default_area_m2 > 0):
        msg = f"default_area_m2 must be a positive number of square metres; got {default_area_m2!r}"
        raise ValueError(msg)
    p = Path(path)
    rows = _read_rows(p, sheet)
    problems: list[Problem] = []
    start = _header_index(rows)
    header = rows[start] if start is not None else []
    columns, extras, unusable = _parse_header(header, problems)
    _check_columns(columns, unusable, header, problems)
    pair = ("x", "y") if "x" in columns and "lon" not in columns else ("lon", "lat")
    parsed: list[_Row] = []
    first = start + 1 if start is not None else len(rows)
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
        row = _parse_row(
            number,
            cells,
            columns,
            pair,
            geographic=geographic,
            area_unusable="area_m2" in unusable,
            default_area_m2=default_area_m2,
            problems=problems,
        )
        row.extra = {
            name: None if index >= len(cells) or _empty(cells[index]) else cells[index]
            for name, index in extras
        }
        parsed.append(row)
    _check_duplicates(parsed, problems)
    geometries = _site_geometries(parsed, coordinates, target, problems)
    if problems:
        raise ValidationError(problems=problems, summary=f"cannot read the intents in {p.name}")
    return _frame(parsed, geometries, extras, target)


# ------------------------------------------------------------------------------ reading


def _is_geographic(coordinates: str) -> bool:
    """Return whether ``coordinates`` are degrees; raise :class:`CRSError` if unknown."""
    try:
        return bool(resolve_crs(coordinates).is_geographic)
    except CRSError:
        # GCJ-02 and BD-09 are lon/lat offsets PROJ does not know: to_working_crs converts an
        # empty layer from them without complaint and raises for a CRS that is truly unknown
        to_working_crs(
            gpd.GeoDataFrame(geometry=[]), DEFAULT_CRS, layer=LAYER, source_crs=coordinates
        )
        return True


def _read_rows(path: Path, sheet: str | int | None) -> list[list[Any]]:
    """Return the cells of the sheet or CSV file, one list per row (blank rows kept)."""
    if not path.is_file():
        msg = f"intents file {str(path)!r} not found: expected an .xlsx workbook or a .csv file"
        raise InputFormatError(msg)
    data = path.read_bytes()
    if data.startswith(_XLS_MAGIC):
        msg = (
            f"{str(path)!r} is an old Excel 97-2003 (.xls) workbook: expected .xlsx or .csv; "
            "save it again as Excel 工作簿 (.xlsx)"
        )
        raise InputFormatError(msg)
    if data.startswith(_XLSX_MAGIC):
        return _pick_sheet(path, _read_workbook(path), sheet)
    if sheet is not None:
        msg = f"{str(path)!r} is a CSV file, which has no sheets: expected sheet=None"
        raise InputFormatError(msg)
    return _read_csv(path, data)


def _read_workbook(path: Path) -> dict[str, list[list[Any]]]:
    with warnings.catch_warnings():
        # openpyxl warns about workbook features it does not read (data validation, styles)
        warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")
        try:
            book = openpyxl.load_workbook(path, data_only=True)
        except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
            msg = f"cannot read {str(path)!r} as an Excel workbook ({exc}): expected an .xlsx file"
            raise InputFormatError(msg) from exc
    try:
        return {
            ws.title: [list(r) for r in ws.iter_rows(min_row=1, values_only=True)]
            for ws in book.worksheets
        }
    finally:
        book.close()


def _pick_sheet(
    path: Path, sheets: dict[str, list[list[Any]]], sheet: str | int | None
) -> list[list[Any]]:
    names = list(sheets)
    if not names:
        msg = f"{str(path)!r} has no worksheet: expected one listing the intents"
        raise InputFormatError(msg)
    if sheet is None:
        found = [n for n in names if _header_index(sheets[n], strict=True) is not None]
        return sheets[found[0] if found else names[0]]
    if isinstance(sheet, int) and not isinstance(sheet, bool):
        if 0 <= sheet < len(names):
            return sheets[names[sheet]]
        msg = f"{str(path)!r} has {len(names)} sheet(s) {names}: sheet={sheet} is out of range"
        raise InputFormatError(msg)
    folded = [n for n in names if n == sheet] or [
        n for n in names if n.strip().casefold() == str(sheet).strip().casefold()
    ]
    if len(folded) == 1:
        return sheets[folded[0]]
    msg = f"{str(path)!r} has no sheet {sheet!r}: expected one of {names}"
    raise InputFormatError(msg)


def _decode(path: Path, data: bytes) -> str:
    """Decode CSV bytes: a byte-order mark decides, else strict UTF-8, else GB18030 (GBK).

    Examples
    --------
    >>> _decode(Path("a.csv"), "意向编号".encode("gbk"))
    '意向编号'
    >>> _decode(Path("a.csv"), codecs.BOM_UTF8 + "意向编号".encode())
    '意向编号'
    """
    boms = (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    )
    for bom, encoding in boms:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding)
            except UnicodeDecodeError as exc:
                msg = f"{str(path)!r} starts with a {encoding} byte-order mark but is not {encoding} ({exc})"
                raise InputFormatError(msg) from exc
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    msg = (
        f"cannot decode {str(path)!r} as text: expected a CSV file in UTF-8 or GBK "
        "(or an .xlsx workbook)"
    )
    raise InputFormatError(msg)


def _read_csv(path: Path, data: bytes) -> list[list[Any]]:
    text = _decode(path, data)
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: first.count(d) for d in (",", "\t", ";")}
    delimiter = max(counts, key=lambda d: (counts[d], d == ","))
    try:
        return [list(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as exc:
        msg = f"cannot read {str(path)!r} as CSV ({exc}): expected comma-separated text"
        raise InputFormatError(msg) from exc


# ------------------------------------------------------------------------------ header


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


# ------------------------------------------------------------------------------ values


def _empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def _blank(cells: Sequence[Any]) -> bool:
    return all(_empty(c) for c in cells)


def _text(value: Any) -> str:
    """Return a cell as stripped text; whole floats without ``.0`` (Excel numbers)."""
    if _empty(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date().isoformat()
    return str(value).strip()


def _number(value: Any) -> tuple[float | None, str | None]:
    """Return ``(number, None)``, ``(None, None)`` for an empty cell or ``(None, reason)``.

    Examples
    --------
    >>> _number("8,000"), _number("１２.５"), _number(""), _number("800吨")
    ((8000.0, None), (12.5, None), (None, None), (None, 'not a number'))
    """
    if _empty(value):
        return None, None
    if isinstance(value, bool):
        return None, "not a number"
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = unicodedata.normalize("NFKC", str(value)).strip()
        text = re.sub(r"(?<=\d)[,\s](?=\d{3}\b)", "", text)
        try:
            number = float(text)
        except ValueError:
            return None, "not a number"
    if not math.isfinite(number):
        return None, "not a finite number"
    return number, None


def _date(value: Any) -> str | None:
    """Return a cell as an ISO date, ``None`` if it is not one.

    Examples
    --------
    >>> [_date(v) for v in ("2027/3/1", "2027年6月15日", "2027-09", "20280110", "2027-02-30")]
    ['2027-03-01', '2027-06-15', '2027-09-01', '2028-01-10', None]
    >>> _date(46447), _date(dt.datetime(2027, 3, 1, 0, 0))
    ('2027-03-01', '2027-03-01')
    """
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int | float) and not isinstance(value, bool):
        if float(value).is_integer() and _EXCEL_SERIALS[0] <= value <= _EXCEL_SERIALS[1]:
            return (_EXCEL_EPOCH + dt.timedelta(days=int(value))).isoformat()
        return None
    text = unicodedata.normalize("NFKC", str(value)).strip()
    match = _DATE.fullmatch(text) or _COMPACT_DATE.fullmatch(text)
    if match is None:
        return None
    day = match.group("d")
    try:
        date = dt.date(int(match.group("y")), int(match.group("m")), int(day) if day else 1)
    except ValueError:
        return None
    return date.isoformat()


def _utilities(value: Any) -> tuple[str | None, list[str]]:
    """Return the canonical utility list and the words that are not utilities.

    Examples
    --------
    >>> _utilities("水,电"), _utilities("供水、供电、燃气"), _utilities("水气热电网")
    (('water,power', []), ('water,gas,power', []), ('water,gas,heat,power,telecom', []))
    >>> _utilities("供水供电 通信")
    ('water,power,telecom', [])
    >>> _utilities("power, 雨水")
    ('power', ['雨水'])
    """
    text = unicodedata.normalize("NFKC", _text(value)).lower()
    found: set[str] = set()
    unknown: list[str] = []
    for word in (w for w in _UTILITY_SPLIT.split(text) if w):
        if word in _UTILITY_ALIASES:
            found.add(_UTILITY_ALIASES[word])
        elif _UTILITY_RUN.fullmatch(word):  # 水电气, 供水供电: no separators
            found.update(_UTILITY_ALIASES[w] for w in re.findall(_UTILITY_WORD, word))
        else:
            unknown.append(word)
    listed = ",".join(u for u in UTILITIES if u in found)
    return listed or None, unknown


# ------------------------------------------------------------------------------ rows


def _label(cells: Sequence[Any], columns: dict[str, _Column], number: int) -> str:
    column = columns.get("intent_id")
    text = _text(cells[column.index]) if column and column.index < len(cells) else ""
    return text or f"row {number}"


def _parse_row(
    number: int,
    cells: Sequence[Any],
    columns: dict[str, _Column],
    pair: tuple[str, str],
    *,
    geographic: bool,
    area_unusable: bool,
    default_area_m2: float | None,
    problems: list[Problem],
) -> _Row:
    row = _Row(number, _label(cells, columns, number))

    def cell(key: str) -> Any:
        column = columns.get(key)
        if column is None or column.index >= len(cells):
            return None
        return cells[column.index]

    def where(key: str) -> str:
        return f"{columns[key].header}, row {number}"

    def problem(key: str, value: str, expected: str, code: str) -> None:
        problems.append(Problem(LAYER, row.label, key, value, expected, code=code))

    def missing(key: str) -> None:
        problem(key, f"empty ({where(key)})", f"a value for {_LABELS[key]}", "missing_value")

    for key in ("intent_id", "name", "registered_by"):
        if key in columns:
            text = _text(cell(key))
            row.values[key] = text
            if not text:
                missing(key)
    if "expected_start" in columns:
        raw = cell("expected_start")
        date = None if _empty(raw) else _date(raw)
        row.values["expected_start"] = date
        if _empty(raw):
            missing("expected_start")
        elif date is None:
            problem(
                "expected_start",
                f"{raw!r} ({where('expected_start')})",
                _DATE_EXPECTED,
                "bad_value",
            )
    if "utilities" in columns:
        raw = cell("utilities")
        listed, unknown = _utilities(raw)
        row.values["utilities"] = listed
        if unknown:
            problem(
                "utilities",
                f"{_text(raw)!r}: unknown {', '.join(repr(w) for w in unknown)} ({where('utilities')})",
                _UTILITIES_EXPECTED,
                "unknown_enum",
            )
        elif listed is None:
            missing("utilities")
    area_bad = False
    for key in (*QUANTITIES, "area_m2"):
        if key not in columns:
            continue
        raw = cell(key)
        amount, reason = _number(raw)
        positive = key == "area_m2"
        if amount is not None and (amount < 0 or (positive and amount == 0)):
            reason = "must be > 0" if positive else "negative"
        if reason is not None:
            code = "bad_value" if amount is None else "out_of_range"
            expected = "a number > 0" if positive else "a number ≥ 0"
            problem(key, f"{raw!r} ({reason}; {where(key)})", expected, code)
            area_bad = area_bad or positive
            continue
        if amount is not None:
            value = amount * columns[key].factor
            if positive:
                row.area_m2 = value
            else:
                row.values[key] = value
    _parse_site(row, cell, columns, pair, geographic=geographic, problem=problem, missing=missing)
    if row.polygon is None and row.centre is not None and row.area_m2 is None:
        if default_area_m2 is not None:
            row.area_m2 = float(default_area_m2)
        elif not (area_unusable or area_bad):
            problem(
                "area_m2",
                "empty" if "area_m2" in columns else "no area column",
                "a site area (用地面积(平方米) or 用地面积(亩)) for a site given as a point, "
                "or default_area_m2",
                "missing_area",
            )
    return row


def _parse_site(
    row: _Row,
    cell: Any,
    columns: dict[str, _Column],
    pair: tuple[str, str],
    *,
    geographic: bool,
    problem: Any,
    missing: Any,
) -> None:
    """Set ``row.polygon`` or ``row.centre`` (source coordinates) or report why not."""
    wkt = _text(cell("wkt")) if "wkt" in columns else ""
    if wkt:
        where = f"{columns['wkt'].header}, row {row.number}"
        shown = wkt if len(wkt) <= 60 else wkt[:57] + "..."
        try:
            geom = shapely.force_2d(shapely.from_wkt(wkt))
        except ShapelyError as exc:
            problem(
                "geometry",
                f"{shown!r} ({exc}; {where})",
                "a WKT POLYGON, MULTIPOLYGON or POINT",
                "bad_value",
            )
            return
        if geom.is_empty:
            problem("geometry", f"{shown!r} ({where})", "a non-empty polygon", "empty_geometry")
        elif geom.geom_type not in ("Polygon", "MultiPolygon", "Point"):
            problem(
                "geometry",
                f"{geom.geom_type} ({where})",
                "a WKT POLYGON, MULTIPOLYGON or POINT",
                "wrong_geometry_type",
            )
        elif geographic and _degrees_problem(row, shapely.bounds(geom), problem, field="geometry"):
            return
        elif geom.geom_type == "Point":
            row.centre = (geom.x, geom.y)
        else:
            row.polygon = geom
        return
    if not set(pair) <= set(columns):
        return
    a, b = cell(pair[0]), cell(pair[1])
    if _empty(a) and _empty(b):
        problem(
            "geometry",
            f"empty {columns[pair[0]].header} and {columns[pair[1]].header}"
            + (" and WKT" if "wkt" in columns else ""),
            "the site as a point (its coordinates) or a WKT polygon",
            "missing_value",
        )
        return
    numbers: list[float] = []
    for key, raw in zip(pair, (a, b)):
        number, reason = _number(raw)
        if _empty(raw):
            missing(key)
        elif number is None:
            problem(
                key,
                f"{raw!r} ({reason}; {columns[key].header}, row {row.number})",
                "a number",
                "bad_value",
            )
        else:
            numbers.append(number)
    if len(numbers) != 2:
        return
    x, y = numbers
    if geographic and _degrees_problem(row, np.array([x, y, x, y]), problem, field=None):
        return
    row.centre = (x, y)


def _degrees_problem(row: _Row, bounds: Any, problem: Any, *, field: str | None) -> bool:
    """Report longitudes beyond ±180 or latitudes beyond ±90; say so if they look swapped."""
    xmin, ymin, xmax, ymax = (float(v) for v in bounds)
    lon_ok = max(abs(xmin), abs(xmax)) <= 180
    lat_ok = max(abs(ymin), abs(ymax)) <= 90
    if lon_ok and lat_ok:
        return False
    if max(abs(xmin), abs(xmax)) <= 90 and max(abs(ymin), abs(ymax)) <= 180:
        problem(
            field or "geometry",
            f"longitude {xmin:g}, latitude {ymin:g} (row {row.number})",
            "longitude (经度, about 112 in Jingmen) and latitude (纬度, about 31): "
            "the two look swapped",
            "swapped_coordinates",
        )
        return True
    if not lon_ok:
        problem(
            field or "lon",
            f"longitude {xmin:g} (row {row.number})",
            "a longitude within ±180",
            "out_of_range",
        )
    if not lat_ok:
        problem(
            field or "lat",
            f"latitude {ymin:g} (row {row.number})",
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


# ------------------------------------------------------------------------------ geometry


def _site_geometries(
    rows: list[_Row], coordinates: str, target: CRS, problems: list[Problem]
) -> list[BaseGeometry | None]:
    """Convert the sites to the working CRS and make the squares; report implausible places."""
    usable = [i for i, r in enumerate(rows) if r.polygon is not None or r.centre is not None]
    out: list[BaseGeometry | None] = [None] * len(rows)
    if not usable:
        return out
    extent = _Extent(target)
    source = [rows[i].polygon or Point(rows[i].centre) for i in usable]
    converted = _convert(source, coordinates, target)
    inside = extent.contains(converted)
    for i, geom, ok in zip(usable, converted, inside):
        row = rows[i]
        if not ok:
            _report_outside(row, coordinates, target, extent, problems)
            continue
        if row.polygon is not None:
            out[i] = geom
            if row.area_m2 is None:
                row.area_m2 = float(geom.area)
        elif row.area_m2 is not None:
            half = math.sqrt(row.area_m2) / 2.0
            out[i] = shapely.box(geom.x - half, geom.y - half, geom.x + half, geom.y + half)
    return out


class _Extent:
    """Where a site may plausibly be: in China and near the working CRS's area of use.

    The area of use is widened by :data:`_MARGIN_DEG`; for EPSG:4546 (109.5–112.5°E) that
    covers all of Jingmen, while swapped x/y or a wrong CRS land far outside it.
    """

    def __init__(self, target: CRS) -> None:
        self.to_wgs84 = transformer(target)
        area = target.area_of_use
        self.bounds = (
            None
            if area is None
            else (
                area.west - _MARGIN_DEG,
                area.south - _MARGIN_DEG,
                area.east + _MARGIN_DEG,
                area.north + _MARGIN_DEG,
            )
        )
        name = _crs_label(target)
        self.expected = "a site in China"
        if area is not None:
            self.expected += (
                f" within {_MARGIN_DEG:g}° of the area of use of the working CRS {name} "
                f"({area.west:g}–{area.east:g}°E, {area.south:g}–{area.north:g}°N)"
            )

    def contains(self, geoms: list[BaseGeometry]) -> np.ndarray:
        points = shapely.point_on_surface(np.asarray(geoms, dtype=object))
        lon, lat = self.to_wgs84.transform(shapely.get_x(points), shapely.get_y(points))
        lon, lat = np.asarray(lon), np.asarray(lat)
        ok = np.isfinite(lon) & np.isfinite(lat) & np.asarray(in_china(lon, lat))
        if self.bounds is not None:
            west, south, east, north = self.bounds
            ok &= (lon >= west) & (lon <= east) & (lat >= south) & (lat <= north)
        return ok


def _crs_label(crs: CRS) -> str:
    epsg = crs.to_epsg()
    return f"EPSG:{epsg}" if epsg else str(crs.name)


def _convert(geoms: list[BaseGeometry], coordinates: str, target: CRS) -> list[BaseGeometry]:
    layer = gpd.GeoDataFrame(geometry=geoms)
    converted = to_working_crs(layer, target, layer=LAYER, source_crs=coordinates)
    return list(converted.geometry)


def _report_outside(
    row: _Row, coordinates: str, target: CRS, extent: _Extent, problems: list[Problem]
) -> None:
    geom = row.polygon if row.polygon is not None else Point(row.centre)
    point = geom.representative_point()
    code, expected = "outside_extent", f"{extent.expected}: wrong coordinates or CRS?"
    if bool(extent.contains(_convert([Point(point.y, point.x)], coordinates, target))[0]):
        code = "swapped_coordinates"
        expected = (
            f"{extent.expected}: the two coordinates look swapped "
            "(x or 经度 first, y or 纬度 second)"
        )
    problems.append(
        Problem(
            LAYER,
            row.label,
            "geometry",
            f"({point.x:g}, {point.y:g}) in {coordinates} (row {row.number})",
            expected,
            code=code,
        )
    )


def _frame(
    rows: list[_Row],
    geometries: list[BaseGeometry | None],
    extras: list[tuple[str, int]],
    target: CRS,
) -> gpd.GeoDataFrame:
    data: dict[str, Any] = {
        key: pd.Series([r.values.get(key) for r in rows], dtype=object) for key in _REQUIRED
    }
    for key in QUANTITIES:
        data[key] = pd.Series([r.values.get(key, np.nan) for r in rows], dtype="float64")
    data["area_m2"] = pd.Series(
        [np.nan if r.area_m2 is None else r.area_m2 for r in rows], dtype="float64"
    )
    data["source_row"] = pd.Series([r.number for r in rows], dtype="int64")
    for name, _ in extras:
        if name not in data:
            data[name] = pd.Series([r.extra[name] for r in rows], dtype=object)
    return gpd.GeoDataFrame(data, geometry=geometries, crs=target)
