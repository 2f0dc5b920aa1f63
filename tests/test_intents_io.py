"""Tests of gis.io.intents.read_intents: registered investment intents from spreadsheets.

Files are written here the way Excel writes them (CSV UTF-8 with BOM, GBK "CSV" of Chinese
Windows, .xlsx with a title row). Expected positions come from pyproj directly and, for the
web-map offsets, from the independent ``prcoords`` implementation; expected areas from the
registered figures and from geodesic areas on the ellipsoid (pyproj.Geod).
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from pathlib import Path

import numpy as np
import openpyxl
import prcoords
import pytest
import shapely
from pyproj import Geod, Transformer
from shapely import Point

from data.demo_district import build_district, district_anchor, district_boundary
from gis.errors import CRSError, GeographicCRSError, InputFormatError, ValidationError
from gis.io.intents import MU_M2, read_intents
from gis.profile import load_profile
from gis.schema import LAYERS
from gis.validate import validate_layer

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "intents_example.csv"
TO_4546 = Transformer.from_crs("EPSG:4326", "EPSG:4546", always_xy=True)
TO_4326 = Transformer.from_crs("EPSG:4546", "EPSG:4326", always_xy=True)
GEOD = Geod(ellps="GRS80")  # the CGCS2000 ellipsoid, to 0.1 mm

HEADER = [
    "意向编号",
    "项目名称",
    "预计开工日期",
    "登记单位",
    "需求专业",
    "用水量（立方米/日）",
    "用电容量(千伏安)",
    "用气量(立方米/小时)",
    "用汽量(吨/小时)",
    "经度",
    "纬度",
    "用地面积(平方米)",
    "备注",
]
ROWS = [
    [
        "YX-2026-001",
        "荆门天润新材料产业园",
        "2027/3/1",
        "荆门市招商局",
        "水,电",
        "800",
        "8,000",
        "",
        "",
        "112.2",
        "30.9",
        "20000",
        "已签约",
    ],
    [
        "YX-2026-002",
        "掇刀冷链物流园二期",
        "2027年6月15日",
        "掇刀区招商服务中心",
        "供水、供电、燃气、通信",
        "120",
        "2500",
        "150",
        "2.5",
        "112.21",
        "30.91",
        "35000",
        "",
    ],
]


def _write_csv(path: Path, rows: list[list[str]], encoding: str) -> Path:
    # Excel writes CRLF line ends; "utf-8-sig" is its "CSV UTF-8", "gbk" its plain "CSV"
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle, lineterminator="\r\n").writerows(rows)
    return path


def _problems(
    exc: pytest.ExceptionInfo[ValidationError],
) -> set[tuple[str | None, str | None, str]]:
    return {(p.feature, p.field, p.code) for p in exc.value.problems}


def _geodesic_area(geom: shapely.Polygon) -> float:
    lon, lat = TO_4326.transform(*np.asarray(geom.exterior.coords).T)
    return abs(GEOD.polygon_area_perimeter(lon, lat)[0])


def _assert_square(geom: shapely.Polygon, lon: float, lat: float, area_m2: float) -> None:
    corners = np.asarray(geom.exterior.coords)[:-1]
    assert len(corners) == 4
    xmin, ymin, xmax, ymax = geom.bounds
    assert xmax - xmin == pytest.approx(ymax - ymin, rel=1e-9)  # a square along the axes
    assert geom.area == pytest.approx(area_m2, rel=0.005)  # area in the working CRS
    assert _geodesic_area(geom) == pytest.approx(area_m2, rel=0.005)  # area on the ground
    x, y = TO_4546.transform(lon, lat)
    assert geom.centroid.distance(Point(x, y)) < 0.01


# ------------------------------------------------------------------------------ CSV


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gbk"])
def test_csv_with_chinese_headers_in_each_encoding(tmp_path: Path, encoding: str) -> None:
    path = _write_csv(tmp_path / "意向登记.csv", [HEADER, *ROWS], encoding)
    if encoding == "gbk":  # the file really is not UTF-8, so detection is exercised
        with pytest.raises(UnicodeDecodeError):
            path.read_bytes().decode("utf-8")
    gdf = read_intents(path)
    assert gdf.crs.to_epsg() == 4546
    assert list(gdf["intent_id"]) == ["YX-2026-001", "YX-2026-002"]
    assert list(gdf["name"]) == ["荆门天润新材料产业园", "掇刀冷链物流园二期"]
    assert list(gdf["expected_start"]) == ["2027-03-01", "2027-06-15"]
    assert list(gdf["registered_by"]) == ["荆门市招商局", "掇刀区招商服务中心"]
    assert list(gdf["utilities"]) == ["water,power", "water,gas,power,telecom"]
    assert list(gdf["water_m3_day"]) == [800.0, 120.0]
    assert list(gdf["power_kva"]) == [8000.0, 2500.0]  # "8,000": thousands separator
    assert math.isnan(gdf["gas_m3_h"].iloc[0]) and gdf["gas_m3_h"].iloc[1] == 150.0
    assert math.isnan(gdf["steam_t_h"].iloc[0]) and gdf["steam_t_h"].iloc[1] == 2.5
    assert list(gdf["area_m2"]) == [20000.0, 35000.0]
    assert list(gdf["source_row"]) == [2, 3]
    assert gdf["备注"].iloc[0] == "已签约" and gdf["备注"].iloc[1] is None  # other columns kept
    for geom, row in zip(gdf.geometry, ROWS):
        _assert_square(geom, float(row[9]), float(row[10]), float(row[11]))


def test_read_intents_output_passes_the_layer_contract(tmp_path: Path) -> None:
    gdf = read_intents(_write_csv(tmp_path / "a.csv", [HEADER, *ROWS], "utf-8-sig"))
    cleaned, problems = validate_layer(
        gdf, LAYERS["intents"], working_crs="EPSG:4546", profile=load_profile()
    )
    assert problems == []
    assert cleaned is not None and len(cleaned) == 2


def test_english_headers_and_a_default_area(tmp_path: Path) -> None:
    rows = [
        ["intent_id", "name", "expected_start", "registered_by", "utilities", "lon", "lat"],
        ["A1", "Plant", "2027-09-01", "荆门市招商局", "water, Power,telecom", "112.2", "30.9"],
    ]
    path = _write_csv(tmp_path / "en.csv", rows, "utf-8")
    gdf = read_intents(path, default_area_m2=10_000.0)
    assert gdf["utilities"].iloc[0] == "water,power,telecom"
    _assert_square(gdf.geometry.iloc[0], 112.2, 30.9, 10_000.0)
    with pytest.raises(ValidationError) as exc:
        read_intents(path)
    assert _problems(exc) == {("A1", "area_m2", "missing_area")}


def test_a_projected_point_gives_a_square_centred_on_it(tmp_path: Path) -> None:
    rows = [
        ["意向编号", "项目名称", "预计开工日期", "登记单位", "需求专业", "x", "y", "area_m2"],
        ["P1", "测试项目", "2027-01-05", "荆门市招商局", "电", "614000", "3430000", "40000"],
    ]
    gdf = read_intents(_write_csv(tmp_path / "xy.csv", rows, "utf-8"), coordinates="EPSG:4546")
    assert gdf.geometry.iloc[0].equals_exact(shapely.box(613900, 3429900, 614100, 3430100), 1e-6)


def test_a_wkt_polygon_is_the_site(tmp_path: Path) -> None:
    ring = [(112.2, 30.9), (112.202, 30.9), (112.202, 30.9015), (112.2, 30.9015), (112.2, 30.9)]
    wkt = "POLYGON ((" + ", ".join(f"{x} {y}" for x, y in ring) + "))"
    rows = [
        ["意向编号", "项目名称", "预计开工日期", "登记单位", "需求专业", "用地范围(WKT)"],
        ["W1", "红线项目", "2027-02-01", "荆门市招商局", "水,电", wkt],
        ["W2", "点位项目", "2027-02-01", "荆门市招商局", "水,电", "POINT (112.21 30.91)"],
    ]
    gdf = read_intents(_write_csv(tmp_path / "wkt.csv", rows, "utf-8-sig"), default_area_m2=5000.0)
    expected = shapely.Polygon([TO_4546.transform(x, y) for x, y in ring])
    polygon = gdf.geometry.iloc[0]
    assert polygon.equals_exact(expected, 1e-6)
    assert gdf["area_m2"].iloc[0] == pytest.approx(expected.area)
    _assert_square(gdf.geometry.iloc[1], 112.21, 30.91, 5000.0)


# ------------------------------------------------------------------------------ xlsx


def _workbook(path: Path) -> Path:
    book = openpyxl.Workbook()
    notes = book.active
    notes.title = "填表说明"
    notes.append(["请在“意向登记”表中填写，每个项目一行。"])
    sheet = book.create_sheet("意向登记")
    sheet.append(["荆门市投资项目水气热电网需求意向登记表"])
    sheet.merge_cells("A1:L1")
    sheet.append(
        [
            "*意向编号",
            "项目名称",
            "预计开工日期",
            "登记单位",
            "接入需求",
            "用水量\n（m³/d）",
            "用电容量（kVA）",
            "用气量（Nm³/h）",
            "用汽量（t/h）",
            "经度",
            "纬度",
            "用地面积（亩）",
        ]
    )
    sheet.append(
        [
            20260001,  # typed as a number in Excel
            "荆楚大数据中心",
            dt.datetime(2028, 1, 10),
            "荆门市招商局",
            "水、电、网",
            500,
            20000,
            None,
            None,
            112.2,
            30.9,
            30,
        ]
    )
    sheet.append([None] * 12)  # a blank row in between is skipped
    sheet.append(
        [
            "YX-2026-004",
            "天鹅路商业综合体",
            dt.date(2027, 4, 20),
            "掇刀区招商服务中心",
            "水,气,电,网",
            200.0,
            3150.0,
            120.0,
            0,
            112.205,
            30.905,
            12.5,
        ]
    )
    book.save(path)
    return path


def test_xlsx_with_title_row_notes_sheet_and_mu(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "意向登记.xlsx")
    gdf = read_intents(path)  # picks the sheet with a header, skips the title row
    assert list(gdf["intent_id"]) == ["20260001", "YX-2026-004"]
    assert list(gdf["expected_start"]) == ["2028-01-10", "2027-04-20"]
    assert list(gdf["utilities"]) == ["water,power,telecom", "water,gas,power,telecom"]
    assert list(gdf["water_m3_day"]) == [500.0, 200.0]
    assert list(gdf["power_kva"]) == [20000.0, 3150.0]
    assert gdf["steam_t_h"].iloc[1] == 0.0
    assert list(gdf["source_row"]) == [3, 5]  # as Excel numbers the rows
    # 亩 → m²: 1 亩 = 666.67 m²
    assert abs(MU_M2 - 666.67) < 0.005
    assert list(gdf["area_m2"]) == pytest.approx([30 * 666.67, 12.5 * 666.67], rel=1e-5)
    _assert_square(gdf.geometry.iloc[0], 112.2, 30.9, 20_000.0)
    _assert_square(gdf.geometry.iloc[1], 112.205, 30.905, 8333.33)
    for sheet in ("意向登记", 1):
        assert list(read_intents(path, sheet=sheet)["intent_id"]) == list(gdf["intent_id"])
    with pytest.raises(InputFormatError, match="no sheet"):
        read_intents(path, sheet="Sheet9")
    with pytest.raises(ValidationError) as exc:  # the notes sheet has no header
        read_intents(path, sheet=0)
    assert (None, "intent_id", "missing_field") in _problems(exc)


# ------------------------------------------------------------------------------ offsets


@pytest.mark.parametrize(
    ("coordinates", "truth"),
    [("gcj02", prcoords.gcj_wgs_bored), ("bd09", prcoords.bd_wgs_bored)],
)
def test_web_map_points_land_on_the_wgs84_truth(
    tmp_path: Path, coordinates: str, truth: object
) -> None:
    lon, lat = 112.2, 30.95  # picked on 高德 (GCJ-02) or 百度 (BD-09)
    rows = [
        ["意向编号", "项目名称", "预计开工日期", "登记单位", "需求专业", "经度", "纬度"],
        ["G1", "地图选点项目", "2027-05-01", "荆门市招商局", "水", str(lon), str(lat)],
    ]
    gdf = read_intents(
        _write_csv(tmp_path / "map.csv", rows, "utf-8"),
        coordinates=coordinates,
        default_area_m2=10_000.0,
    )
    wgs = truth((lat, lon))  # type: ignore[operator]
    x, y = TO_4546.transform(wgs.lon, wgs.lat)
    centre = gdf.geometry.iloc[0].centroid
    assert centre.distance(Point(x, y)) < 0.5
    naive = Point(TO_4546.transform(lon, lat))  # taking the offset point as WGS84
    assert centre.distance(naive) > 100.0


# ------------------------------------------------------------------------------ problems


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    header = [
        "意向编号",
        "项目名称",
        "预计开工日期",
        "需求专业",  # no 登记单位 column
        "用水量(吨/日)",
        "用气量(立方米/日)",  # gas is sized per hour: a daily figure is not converted
        "经度",
        "纬度",
        "用地面积(亩)",
    ]
    rows = [
        header,
        ["YX-1", "日期有误", "2027-13-01", "水,电", "10", "", "112.2", "30.9", "10"],
        ["YX-2", "专业有误", "2027-03-01", "水,雨水", "10", "", "112.2", "30.9", "10"],
        ["YX-3", "负用水量", "2027-03-01", "水", "-5", "", "112.2", "30.9", "10"],
        ["YX-4", "纬度越界", "2027-03-01", "水", "10", "", "112.2", "95", "10"],
        ["YX-5", "经纬度颠倒", "2027-03-01", "水", "10", "", "30.9", "112.2", "10"],
        ["YX-1", "编号重复", "2027-03-01", "水", "10", "", "112.2", "30.9", "10"],
        ["", "没有编号也没有面积", "2027-03-01", "水", "10", "", "112.2", "30.9", ""],
        ["YX-8", "面积为零", "2027-03-01", "电", "", "", "112.2", "30.9", "0"],
    ]
    with pytest.raises(ValidationError) as exc:
        read_intents(_write_csv(tmp_path / "bad.csv", rows, "gbk"))
    expected = {
        (None, "registered_by", "missing_field"),
        (None, "gas_m3_h", "bad_unit"),
        ("YX-1", "expected_start", "bad_value"),
        ("YX-2", "utilities", "unknown_enum"),
        ("YX-3", "water_m3_day", "out_of_range"),
        ("YX-4", "lat", "out_of_range"),
        ("YX-5", "geometry", "swapped_coordinates"),
        ("YX-1", "intent_id", "duplicate_id"),
        ("row 8", "intent_id", "missing_value"),
        ("row 8", "area_m2", "missing_area"),
        ("YX-8", "area_m2", "out_of_range"),
    }
    assert _problems(exc) == expected
    assert len(exc.value.problems) == len(expected)
    assert all(p.layer == "intents" and p.severity == "error" for p in exc.value.problems)
    text = str(exc.value)
    assert "11 error(s)" in text and "'雨水'" in text and "'2027-13-01'" in text


def test_swapped_projected_coordinates_are_named(tmp_path: Path) -> None:
    rows = [
        ["意向编号", "项目名称", "预计开工日期", "登记单位", "需求专业", "x", "y"],
        ["S1", "坐标颠倒", "2027-01-05", "荆门市招商局", "电", "3430000", "614000"],
        ["S2", "坐标离谱", "2027-01-05", "荆门市招商局", "电", "1", "2"],
    ]
    with pytest.raises(ValidationError) as exc:
        read_intents(
            _write_csv(tmp_path / "xy.csv", rows, "utf-8"),
            coordinates="EPSG:4546",
            default_area_m2=1000.0,
        )
    assert _problems(exc) == {
        ("S1", "geometry", "swapped_coordinates"),
        ("S2", "geometry", "outside_extent"),
    }


def test_headers_without_geometry_or_with_two_area_columns(tmp_path: Path) -> None:
    rows = [
        [
            "意向编号",
            "项目名称",
            "预计开工日期",
            "登记单位",
            "需求专业",
            "用地面积(亩)",
            "面积(㎡)",
        ],
        ["A", "项目", "2027-01-05", "荆门市招商局", "电", "10", "6666.7"],
    ]
    with pytest.raises(ValidationError) as exc:
        read_intents(_write_csv(tmp_path / "h.csv", rows, "utf-8"))
    assert _problems(exc) == {
        (None, "area_m2", "duplicate_column"),
        (None, "geometry", "missing_field"),
    }


def test_file_and_option_errors(tmp_path: Path) -> None:
    good = _write_csv(tmp_path / "a.csv", [HEADER, *ROWS], "utf-8")
    with pytest.raises(InputFormatError, match="not found"):
        read_intents(tmp_path / "missing.csv")
    xls = tmp_path / "old.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    with pytest.raises(InputFormatError, match=r"\.xls"):
        read_intents(xls)
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"\xff\x80\xff\x80")
    with pytest.raises(InputFormatError, match="decode"):
        read_intents(binary)
    with pytest.raises(InputFormatError, match="no sheets"):
        read_intents(good, sheet=0)
    with pytest.raises(CRSError, match="unknown CRS"):
        read_intents(good, coordinates="mars-grid")
    with pytest.raises(GeographicCRSError):
        read_intents(good, working_crs="EPSG:4326")
    with pytest.raises(ValueError, match="default_area_m2"):
        read_intents(good, default_area_m2=-1.0)


# ------------------------------------------------------------------------------ example


def test_example_file_lies_in_the_demo_district_on_free_land() -> None:
    gdf = read_intents(EXAMPLE)
    assert len(gdf) == 5
    assert gdf["intent_id"].is_unique
    assert gdf["registered_by"].str.contains("招商").all()
    assert gdf["utilities"].str.contains("power").all()
    _, problems = validate_layer(
        gdf, LAYERS["intents"], working_crs="EPSG:4546", profile=load_profile()
    )
    assert problems == []
    x0, y0 = district_anchor()
    demo_box = shapely.box(x0, y0, x0 + 4000.0, y0 + 3200.0)
    assert demo_box.contains(shapely.union_all(np.asarray(gdf.geometry.values)))
    assert district_boundary().geometry.iloc[0].contains(gdf.geometry).all()
    layers = build_district()
    taken = shapely.union_all(
        [
            *layers["sites"].geometry,
            *layers["intents"].geometry,
            *layers["roads"].geometry.buffer(20.0),
        ]
    )
    assert not gdf.geometry.intersects(taken).any()
    assert gdf["area_m2"].iloc[0] == pytest.approx(150 * MU_M2)
