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
``water_m3_day``   water_m3_day, 用水量/日用水量/用水需求/用水规模 (立方米/日, 吨/日, m³/d …)
``power_kva``      power_kva, 用电容量/用电需求/报装容量/主供容量 (千伏安, 千伏安（千瓦）, kVA,
                   千瓦, kW: the 附件2 form's kW = kVA; 兆伏安, MVA)
``gas_m3_h``       gas_m3_h, 用气量/用气需求/用气规模/天然气负荷 (立方米/小时, m³/h, Nm³/h,
                   标方/小时, 方/小时)
``steam_t_h``      steam_t_h, 用汽量/蒸汽用量/用汽需求/用热量/正常生产小时用量 (吨/小时, t/h)
site area          area_m2, area_mu, 用地面积/占地面积/面积 (平方米, m², 亩, 公顷, ha)
point              lon/lng/longitude/经度 and lat/latitude/纬度, or x/easting/东坐标 and
                   y/northing/北坐标 (a projected ``coordinates``)
polygon            wkt, geometry, 几何, 用地范围, 用地红线, 红线范围 (WKT text)
=================  =====================================================================

The names of the 附件2 form (用水规模, 主供容量, 天然气负荷, 正常生产小时用量) are read as their
fields. Other columns are kept under their own headers and are not read:
:func:`unread_columns` names them, so that an import can warn about each (a 备供容量 column,
say, which the intents layer has no field for).

The package, one concern per module: :mod:`~gis.io.intents.sheets` reads the cells of the file,
:mod:`~gis.io.intents.columns` holds the header aliases and units, :mod:`~gis.io.intents.header`
finds and matches the header row, :mod:`~gis.io.intents.values` reads cell values,
:mod:`~gis.io.intents.rows` parses each data row and :mod:`~gis.io.intents.sites` places the
sites in the working CRS; :func:`read_intents` runs them in order.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS
from shapely.geometry.base import BaseGeometry

from gis.crs import DEFAULT_CRS, require_projected
from gis.errors import Problem, ValidationError
from gis.io.intents.columns import _REQUIRED, LAYER, MU_M2, QUANTITIES
from gis.io.intents.header import _check_columns, _header_index, _parse_header
from gis.io.intents.rows import _check_duplicates, _Options, _parse_rows, _Row
from gis.io.intents.sheets import _read_rows
from gis.io.intents.sites import _is_geographic, _site_geometries

__all__ = ["MU_M2", "read_intents", "unread_columns"]

UNREAD = "unread_columns"
"""Key of :attr:`GeoDataFrame.attrs` listing the columns of the file that were not read."""


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
        counted); then the file's other columns under their own headers, which
        :func:`unread_columns` names.

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
    # 1. the options: the working CRS, what the coordinates are, the fallback site area
    target = require_projected(working_crs, what=f"working CRS for layer {LAYER!r}")
    geographic = _is_geographic(coordinates)
    if default_area_m2 is not None and not (math.isfinite(default_area_m2) and default_area_m2 > 0):
        msg = f"default_area_m2 must be a positive number of square metres; got {default_area_m2!r}"
        raise ValueError(msg)
    # 2. the cells of the sheet or CSV file
    p = Path(path)
    rows = _read_rows(p, sheet)
    # 3. the header row: known columns, other columns, columns with an unusable unit
    problems: list[Problem] = []
    start = _header_index(rows)
    header = rows[start] if start is not None else []
    columns, extras, unusable = _parse_header(header, problems)
    _check_columns(columns, unusable, header, problems)
    # 4. the data rows, then ids used twice
    options = _Options(
        pair=("x", "y") if "x" in columns and "lon" not in columns else ("lon", "lat"),
        geographic=geographic,
        area_unusable="area_m2" in unusable,
        default_area_m2=default_area_m2,
    )
    parsed = _parse_rows(
        rows,
        first=start + 1 if start is not None else len(rows),
        header=header,
        columns=columns,
        extras=extras,
        options=options,
        problems=problems,
    )
    _check_duplicates(parsed, problems)
    # 5. the sites in the working CRS, where they may plausibly be
    geometries = _site_geometries(parsed, coordinates, target, problems)
    # 6. every problem at once, or the layer
    if problems:
        raise ValidationError(problems=problems, summary=f"cannot read the intents in {p.name}")
    return _frame(parsed, geometries, extras, target)


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
    frame = gpd.GeoDataFrame(data, geometry=geometries, crs=target)
    frame.attrs[UNREAD] = [name for name, _ in extras]
    return frame


def unread_columns(intents: gpd.GeoDataFrame) -> list[str]:
    """Return the headers of the columns :func:`read_intents` kept but did not read.

    They are none of the intents layer's fields (a remark, a 备供容量 the layer has no field
    for, a header misspelt): the file's values in them are kept as they are, and a user
    importing the file should be told.

    Examples
    --------
    >>> frame = gpd.GeoDataFrame(geometry=[])
    >>> frame.attrs[UNREAD] = ["备注"]
    >>> unread_columns(frame), unread_columns(gpd.GeoDataFrame(geometry=[]))
    (['备注'], [])
    """
    return list(intents.attrs.get(UNREAD, []))
