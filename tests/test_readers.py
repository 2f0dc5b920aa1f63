"""Tests of the file readers in gis.io (files, DXF, EPANET, OSM).

Expected values are computed by hand (3-4-5 triangles, inch × 25.4) or from the raw files
with code independent of the readers (plain text parsing, networkx on the raw GraphML).
"""

from __future__ import annotations

import ast
import json
import os
import statistics
import zipfile
from collections import Counter
from pathlib import Path

import ezdxf
import geopandas as gpd
import networkx as nx
import numpy as np
import osmium
import pyogrio
import pytest
import shapely
import wntr
from pyproj import Transformer
from shapely import LineString

from gis.crs import to_working_crs
from gis.errors import CRSError, InputFormatError, ValidationError
from gis.io.dxf import read_dxf_lines
from gis.io.epanet import read_epanet
from gis.io.files import list_vector_layers, read_vector
from gis.io.osm import roads_from_graphml, roads_from_osm_pbf
from gis.profile import load_profile

DATA = Path(__file__).parent / "data"
FUTIAN = DATA / "shenzhen_futian_drive.graphml"
KY10 = Path(os.path.dirname(wntr.__file__)) / "library" / "networks" / "ky10.inp"

NAMES = ["白云大道", "掇刀区象山大道"]
# a point in Jingmen (掇刀区) in EPSG:4546, CGCS2000 3-degree GK CM 111°E
X0, Y0 = 614_000.0, 3_430_000.0


def _line_gdf(crs: str = "EPSG:4546") -> gpd.GeoDataFrame:
    # 3-4-5 triangles: lengths 500 m and 50 m
    return gpd.GeoDataFrame(
        {"道路名": NAMES, "n": [1, 2]},
        geometry=[
            LineString([(X0, Y0), (X0 + 300, Y0 + 400)]),
            LineString([(X0, Y0), (X0 + 30, Y0 - 40)]),
        ],
        crs=crs,
    )


def _zip(folder: Path, target: Path, prefix: str = "") -> Path:
    with zipfile.ZipFile(target, "w") as archive:
        for f in sorted(folder.iterdir()):
            archive.write(f, prefix + f.name)
    return target


# --------------------------------------------------------------------------- shapefiles


@pytest.mark.parametrize(
    ("written", "cpg"),
    [("GBK", "GBK"), ("GBK", "936"), ("GBK", None), ("UTF-8", None)],
    ids=["gbk-cpg-GBK", "gbk-cpg-936", "gbk-no-cpg", "utf8-no-cpg"],
)
def test_zipped_shapefile_chinese_names(tmp_path: Path, written: str, cpg: str | None) -> None:
    folder = tmp_path / "shp"
    folder.mkdir()
    pyogrio.write_dataframe(_line_gdf(), folder / "roads.shp", encoding=written)
    dbf = (folder / "roads.dbf").read_bytes()
    assert NAMES[0].encode(written) in dbf  # the fixture really is in that encoding
    cpg_file = folder / "roads.cpg"
    if cpg is None:
        cpg_file.unlink()
        # without a .cpg GDAL alone gets the names wrong (it assumes ISO-8859-1)
        gdal_only = pyogrio.read_dataframe(folder / "roads.shp")
        assert "道路名" not in gdal_only.columns
        assert gdal_only.iloc[:, 0].tolist() != NAMES
    else:
        cpg_file.write_text(cpg)
    archive = _zip(folder, tmp_path / "roads.zip", prefix="data/")

    gdf = read_vector(archive)
    assert gdf["道路名"].tolist() == NAMES
    assert gdf["n"].tolist() == [1, 2]
    assert gdf.crs.to_epsg() == 4546
    assert list(gdf.geometry.iloc[0].coords) == [(X0, Y0), (X0 + 300, Y0 + 400)]
    assert gdf.geometry.length.tolist() == pytest.approx([500.0, 50.0])

    plain = read_vector(folder / "roads.shp")  # the unzipped .shp reads the same
    assert plain["道路名"].tolist() == NAMES


def test_zip_with_two_shapefiles_needs_layer(tmp_path: Path) -> None:
    folder = tmp_path / "shp"
    folder.mkdir()
    pyogrio.write_dataframe(_line_gdf(), folder / "roads.shp", encoding="GBK")
    pyogrio.write_dataframe(_line_gdf().iloc[[1]], folder / "water.shp", encoding="GBK")
    for cpg in folder.glob("*.cpg"):
        cpg.unlink()
    archive = _zip(folder, tmp_path / "two.zip")

    assert sorted(list_vector_layers(archive)) == ["roads", "water"]
    water = read_vector(archive, layer="WATER")  # stem, case-insensitive
    assert water["道路名"].tolist() == [NAMES[1]]
    with pytest.raises(InputFormatError, match="layer=") as err:
        read_vector(archive)
    assert str(archive) in str(err.value) and "roads" in str(err.value)
    with pytest.raises(InputFormatError, match="no layer 'gas'"):
        read_vector(archive, layer="gas")
    # an explicit encoding overrides detection
    assert read_vector(archive, layer="roads", encoding="GBK")["道路名"].tolist() == NAMES


# --------------------------------------------------------------------------- GeoJSON, GPKG


def test_geojson_round_trip_length_in_working_crs(tmp_path: Path) -> None:
    to_wgs84 = Transformer.from_crs("EPSG:4546", "EPSG:4326", always_xy=True)
    # 3-4-5 triangle legs of 300 m and 400 m: polyline length 300 + 400 = 700 m
    corners = [(X0, Y0), (X0 + 300, Y0), (X0 + 300, Y0 + 400)]
    lonlat = [[round(v, 10) for v in to_wgs84.transform(x, y)] for x, y in corners]
    collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"name": "象山大道", "road_class": "arterial"},
                "geometry": {"type": "LineString", "coordinates": lonlat},
            }
        ],
    }
    path = tmp_path / "roads.geojson"
    path.write_text(json.dumps(collection, ensure_ascii=False), encoding="utf-8")

    assert list_vector_layers(path) == ["roads"]
    gdf = read_vector(path)
    assert gdf["name"].tolist() == ["象山大道"]
    assert gdf.crs.to_epsg() == 4326  # source CRS, not reprojected
    assert shapely.get_coordinates(gdf.geometry.iloc[0]) == pytest.approx(np.array(lonlat))
    projected = to_working_crs(gdf, "EPSG:4546")
    assert projected.geometry.iloc[0].length == pytest.approx(700.0, abs=1e-3)


def test_geopackage_layers(tmp_path: Path) -> None:
    path = tmp_path / "workspace.gpkg"
    roads = _line_gdf().to_crs("EPSG:4490")  # stored in CGCS2000 geographic degrees
    pyogrio.write_dataframe(roads, path, layer="roads")
    pyogrio.write_dataframe(_line_gdf(), path, layer="water")

    assert sorted(list_vector_layers(path)) == ["roads", "water"]
    got = read_vector(path, layer="roads")
    assert got.crs.to_epsg() == 4490
    assert got["道路名"].tolist() == NAMES
    assert to_working_crs(got, "EPSG:4546").length.tolist() == pytest.approx(
        [500.0, 50.0], abs=1e-3
    )
    water = read_vector(path, layer="water")
    assert water.crs.to_epsg() == 4546
    assert water.length.tolist() == pytest.approx([500.0, 50.0], abs=1e-9)
    with pytest.raises(InputFormatError, match="2 layers") as err:
        read_vector(path)
    assert str(path) in str(err.value)
    with pytest.raises(InputFormatError, match=r"no layer 'gas'.*expected one of"):
        read_vector(path, layer="gas")


# --------------------------------------------------------------------------- DXF

LAYER_MAP = {"ws-*": "water", "gas": "gas", "ELEC": "power", "HEAT-*": "heat"}


def _dxf(path: Path) -> dict[str, str]:
    """Write the DXF fixture; return the handle of each named entity."""
    doc = ezdxf.new("R2013")
    for name in ("WS-给水", "GAS", "ELEC", "MISC"):
        doc.layers.add(name)
    msp = doc.modelspace()
    handles = {
        "water": msp.add_line((X0, Y0), (X0 + 30, Y0 + 40), dxfattribs={"layer": "WS-给水"}),
        "gas": msp.add_lwpolyline(
            [(X0, Y0), (X0 + 3, Y0), (X0 + 3, Y0 + 4)], close=True, dxfattribs={"layer": "GAS"}
        ),
        "power2d": msp.add_polyline2d(
            [(X0, Y0 + 100), (X0 + 60, Y0 + 100), (X0 + 60, Y0 + 180), (X0 + 120, Y0 + 180)],
            dxfattribs={"layer": "ELEC"},
        ),
        "power3d": msp.add_polyline3d(
            [(X0, Y0, -1.5), (X0 + 6, Y0 + 8, -1.2)], dxfattribs={"layer": "ELEC"}
        ),
    }
    msp.add_circle((X0, Y0), 2.0, dxfattribs={"layer": "GAS"})
    msp.add_line((X0, Y0), (X0 + 1, Y0), dxfattribs={"layer": "MISC"})
    msp.add_lwpolyline([(X0, Y0), (X0 + 1, Y0 + 1)], dxfattribs={"layer": "MISC"})
    msp.add_text("说明", dxfattribs={"layer": "MISC"})
    doc.saveas(path)
    return {key: entity.dxf.handle for key, entity in handles.items()}


def test_dxf_lines_by_utility(tmp_path: Path) -> None:
    path = tmp_path / "pipes.dxf"
    handles = _dxf(path)
    layers = read_dxf_lines(path, layer_map=LAYER_MAP, crs="EPSG:4546")

    assert sorted(layers) == ["gas", "heat", "power", "water"]
    assert len(layers["heat"]) == 0 and layers["heat"].crs.to_epsg() == 4546
    for gdf in layers.values():
        assert gdf.crs.to_epsg() == 4546
        assert gdf.attrs["unmapped_layers"] == {"MISC": 2}  # the LINE and LWPOLYLINE
        assert gdf.attrs["skipped_entities"] == {"CIRCLE": 1}

    water = layers["water"]
    assert water["asset_id"].tolist() == [handles["water"]]
    assert water["dxf_layer"].tolist() == ["WS-给水"]
    assert list(water.geometry.iloc[0].coords) == [(X0, Y0), (X0 + 30, Y0 + 40)]
    assert water.geometry.iloc[0].length == pytest.approx(50.0)

    gas = layers["gas"].geometry.iloc[0]  # closed 3-4-5 triangle: 3 + 4 + 5
    assert list(gas.coords) == [(X0, Y0), (X0 + 3, Y0), (X0 + 3, Y0 + 4), (X0, Y0)]
    assert gas.length == pytest.approx(12.0)
    assert gas.is_ring

    power = layers["power"].set_index("asset_id")
    assert list(power.index) == [handles["power2d"], handles["power3d"]]
    assert len(power.geometry[handles["power2d"]].coords) == 4  # every vertex kept
    assert power.geometry[handles["power2d"]].length == pytest.approx(60 + 80 + 60)
    flat = power.geometry[handles["power3d"]]  # Z dropped: 6-8-10 in plan
    assert not flat.has_z and flat.length == pytest.approx(10.0)


def test_dxf_requires_crs_and_known_utilities(tmp_path: Path) -> None:
    path = tmp_path / "pipes.dxf"
    _dxf(path)
    with pytest.raises(CRSError, match="no CRS"):
        read_dxf_lines(path, layer_map=LAYER_MAP)
    with pytest.raises(ValidationError, match="sewer") as err:
        read_dxf_lines(path, layer_map={"WS-*": "sewer"}, crs="EPSG:4546")
    assert err.value.problems[0].feature == "WS-*"


@pytest.mark.parametrize("encoding", ["gbk", "cp1252"])
def test_dxf_r2000_chinese_layer_names(tmp_path: Path, encoding: str) -> None:
    # R2000 stores text in its code page: GBK bytes under ANSI_936, or AutoCAD's \U+XXXX
    # escapes when the code page (ANSI_1252) cannot hold the characters
    doc = ezdxf.new("R2000")
    doc.encoding = encoding
    doc.layers.add("WS-给水")
    doc.modelspace().add_line((0, 0), (3, 4), dxfattribs={"layer": "WS-给水"})
    path = tmp_path / "old.dxf"
    doc.saveas(path)
    raw = path.read_bytes()
    expected_bytes = "给水".encode("gbk") if encoding == "gbk" else b"\\U+7ED9\\U+6C34"
    assert expected_bytes.lower() in raw.lower()

    water = read_dxf_lines(path, layer_map={"WS-给水": "water"}, crs="EPSG:4546")["water"]
    assert water["dxf_layer"].tolist() == ["WS-给水"]
    assert water.geometry.iloc[0].length == pytest.approx(5.0)


# --------------------------------------------------------------------------- EPANET


def _inp_sections(path: Path) -> dict[str, list[list[str]]]:
    """Parse an .inp file into {section: rows of whitespace-separated fields}."""
    sections: dict[str, list[list[str]]] = {}
    current = ""
    for raw in path.read_text().splitlines():
        line = raw.split(";", 1)[0].strip()
        if not line:
            continue
        if line.startswith("["):
            current = line.upper()
            sections.setdefault(current, [])
            continue
        sections[current].append(line.split())
    return sections


def test_epanet_ky10() -> None:
    inp = _inp_sections(KY10)
    assert ["Units", "GPM"] in inp["[OPTIONS]"]  # US units: feet and inches
    pipes = {row[0]: row for row in inp["[PIPES]"]}
    coords = {row[0]: (float(row[1]), float(row[2])) for row in inp["[COORDINATES]"]}
    vertices: dict[str, list[tuple[float, float]]] = {}
    for link, x, y in inp["[VERTICES]"]:
        vertices.setdefault(link, []).append((float(x), float(y)))

    gdf = read_epanet(KY10, crs="EPSG:3089")
    assert len(gdf) == len(pipes) == wntr.network.WaterNetworkModel(str(KY10)).num_pipes == 1043
    assert gdf.crs.to_epsg() == 3089
    assert gdf.attrs["skipped_links"] == {
        "pump": len(inp["[PUMPS]"]),
        "valve": len(inp["[VALVES]"]),
    }
    assert set(gdf["status"]) == {"existing"}

    # P-1: "P-1  J-1  T-9  494.25  8  150  0  Open" with 5 vertices
    p1 = gdf.set_index("asset_id").loc["P-1"]
    assert (p1.start_node, p1.end_node) == ("J-1", "T-9") == tuple(pipes["P-1"][1:3])
    assert p1.diameter_mm == pytest.approx(8 * 25.4)
    assert p1.length_m_hydraulic == pytest.approx(494.25 * 0.3048)
    line = list(p1.geometry.coords)
    assert line[0] == coords["J-1"] == (5765080.50, 3843715.00)
    assert line[-1] == coords["T-9"]
    assert line[1:-1] == vertices["P-1"] and len(vertices["P-1"]) > 0

    by_id = gdf.set_index("asset_id")
    inches = {name: float(row[4]) for name, row in pipes.items()}
    feet = {name: float(row[3]) for name, row in pipes.items()}
    assert by_id["diameter_mm"].to_dict() == pytest.approx({k: v * 25.4 for k, v in inches.items()})
    assert by_id["length_m_hydraulic"].to_dict() == pytest.approx(
        {k: v * 0.3048 for k, v in feet.items()}
    )
    for name in ("P-1001", "P-10"):  # every geometry runs start node → vertices → end node
        row = pipes[name]
        expected = [coords[row[1]], *vertices.get(name, []), coords[row[2]]]
        assert list(by_id.geometry[name].coords) == expected


def test_epanet_lengths_in_metric_crs() -> None:
    gdf = read_epanet(KY10, crs="EPSG:3089", status="planned")
    assert set(gdf["status"]) == {"planned"}
    # EPSG:3089 (Kentucky Single Zone) is in US survey feet: not a working CRS
    with pytest.raises(CRSError, match="US survey foot"):
        to_working_crs(gdf, "EPSG:3089", layer="water")
    # EPSG:3088 is the same projection in metres: drawn length = feet × 1200/3937
    metric = to_working_crs(gdf, "EPSG:3088", layer="water")
    drawn_m = metric.geometry.length
    assert drawn_m.to_numpy() == pytest.approx(gdf.geometry.length.to_numpy() * 1200 / 3937)

    # Drawn vs modelled length (wntr converts the file's feet with the international foot,
    # 0.3048 m, the map uses the US survey foot; the difference, 2 ppm, is negligible here).
    # Asserted: straight pipes (no vertices) have drawn/modelled within 0.9-1.15 and a median
    # within 0.5 % of 1; pipes drawn with vertices are within 5 %. ky10 itself gives
    # 0.968-1.107 (median 1.000) and 0.993-1.016, so the geometry is the pipes' own route.
    ratio = drawn_m / gdf["length_m_hydraulic"]
    straight = gdf.geometry.apply(lambda g: len(g.coords) == 2)
    assert straight.sum() > 100
    assert ratio[straight].between(0.9, 1.15).all()
    assert statistics.median(ratio[straight]) == pytest.approx(1.0, abs=0.005)
    assert ratio[~straight].between(0.95, 1.05).all()


def test_epanet_arguments(tmp_path: Path) -> None:
    with pytest.raises(CRSError, match="no CRS"):
        read_epanet(KY10)
    with pytest.raises(ValidationError, match="status"):
        read_epanet(KY10, crs="EPSG:3089", status="abandoned")
    bad = tmp_path / "bad.inp"
    bad.write_text("[PIPES]\nP1 J1\n[END]\n")
    with pytest.raises(InputFormatError, match="EPANET") as err:
        read_epanet(bad, crs="EPSG:3089")
    assert str(bad) in str(err.value)


# --------------------------------------------------------------------------- OSM GraphML


def _raw_class(highway: str, mapping: dict[str, str]) -> str | None:
    """Road class from a raw GraphML highway string, e.g. "['trunk', 'primary']"."""
    order = ["expressway", "arterial", "secondary", "branch", "access"]
    values = ast.literal_eval(highway) if highway.startswith("[") else [highway]
    classes = []
    for value in values:
        parent = value[: -len("_link")] if value.endswith("_link") else value
        if parent in mapping:
            classes.append(mapping[parent])
    return min(classes, key=order.index) if classes else None


def _raw_text(value: str | None) -> str:
    """A raw GraphML text attribute; a list "['红荔西路', '红荔路']" sorted, joined with ';'."""
    if value is None:
        return ""
    return ";".join(sorted(set(ast.literal_eval(value)))) if value.startswith("[") else value


def test_roads_from_graphml_futian() -> None:
    # Independent expectation from the raw XML with networkx (all attributes are strings):
    # a street drawn in both directions is two edges whose coordinate lists are each other's
    # reverse; in every group of such edges the features are max(#forward, #backward).
    raw = nx.read_graphml(FUTIAN)
    assert (raw.number_of_nodes(), raw.number_of_edges()) == (1970, 3908)
    groups: dict[tuple[tuple[float, float], ...], list[tuple[bool, dict[str, str]]]] = {}
    loops = []
    for u, v, data in raw.edges(data=True):
        if "geometry" in data:
            text = data["geometry"].removeprefix("LINESTRING (").removesuffix(")")
            xy = [tuple(map(float, pair.split())) for pair in text.split(", ")]
        else:
            xy = [(float(raw.nodes[n]["x"]), float(raw.nodes[n]["y"])) for n in (u, v)]
        coords = tuple((x, y) for x, y in xy)
        if u == v:
            loops.append(data)
            continue
        canonical = min(coords, coords[::-1])
        groups.setdefault(canonical, []).append((coords == canonical, data))
    features = list(loops)
    for members in groups.values():
        forward = [d for is_fwd, d in members if is_fwd]
        backward = [d for is_fwd, d in members if not is_fwd]
        features += forward if len(forward) >= len(backward) else backward
    mapping = load_profile("gb-defaults").osm.highway_class
    expected_classes = Counter(_raw_class(d["highway"], mapping) for d in features)
    dropped = expected_classes.pop(None, 0)

    roads = roads_from_graphml(FUTIAN)
    assert roads.attrs["reverse_duplicates"] == 3908 - len(features)
    assert len(roads) == len(features) - dropped == 2986
    assert roads.attrs["dropped_highway"] == {"busway": dropped} == {"busway": 2}
    assert Counter(roads["road_class"]) == expected_classes
    assert roads.crs.to_epsg() == 4326
    assert roads["road_id"].is_unique and roads["road_id"].str.startswith("osm:").all()

    # classes follow the highway tag: links take the parent's class, lists the highest
    assert set(roads.loc[roads.highway == "primary_link", "road_class"]) == {"arterial"}
    assert set(roads.loc[roads.highway == "primary;trunk", "road_class"]) == {"expressway"}
    assert set(roads.loc[roads.highway == "residential", "road_class"]) == {"access"}

    # Chinese names; without a name the ref is used, else the name is empty
    names = roads["name"]
    assert names.str.contains("路|大道").sum() > 1000
    assert "深南大道" in set(names) and "滨海大道" in set(names)
    expected_names = Counter(
        _raw_text(d.get("name")) or _raw_text(d.get("ref"))
        for d in features
        if _raw_class(d["highway"], mapping)
    )
    assert Counter(names) == expected_names
    assert (names == "").sum() == expected_names[""] > 0
    # a named way split into several segments: road_id suffixes #1, #2, ...
    binhai = roads[roads.osmid == "357768082"]
    assert set(binhai["name"]) == {"滨海大道"} and len(binhai) > 1
    assert sorted(binhai["road_id"]) == sorted(f"osm:357768082#{i + 1}" for i in range(len(binhai)))


# --------------------------------------------------------------------------- OSM PBF

PBF_NODES = {
    1: (112.1990000, 31.0300000),
    2: (112.2050000, 31.0310000),
    3: (112.2110000, 31.0335000),
    4: (112.2050000, 31.0250000),
    5: (112.2000000, 31.0200000),
    6: (112.2100000, 31.0200000),
}


def _pbf(path: Path) -> None:
    writer = osmium.SimpleWriter(str(path))
    try:
        for node_id, location in PBF_NODES.items():
            writer.add_node(osmium.osm.mutable.Node(id=node_id, location=location, version=1))
        ways = [
            (100, [1, 2, 3], {"highway": "primary", "name": "白云大道", "ref": "G207"}),
            (101, [2, 4], {"highway": "residential", "name": "掇刀区象山大道"}),
            (102, [4, 5], {"highway": "secondary_link", "ref": "S311"}),
            (103, [4, 6], {"highway": "footway", "name": "步行道"}),
            (104, [5, 6], {"waterway": "stream", "name": "竹皮河"}),
        ]
        for way_id, nodes, tags in ways:
            writer.add_way(osmium.osm.mutable.Way(id=way_id, nodes=nodes, tags=tags, version=1))
    finally:
        writer.close()


def test_roads_from_osm_pbf(tmp_path: Path) -> None:
    path = tmp_path / "jingmen.osm.pbf"
    _pbf(path)
    roads = roads_from_osm_pbf(path)

    assert roads.crs.to_epsg() == 4326
    assert roads["road_id"].tolist() == ["osm:100", "osm:101", "osm:102"]
    assert roads["osmid"].tolist() == ["100", "101", "102"]
    assert roads["name"].tolist() == ["白云大道", "掇刀区象山大道", "S311"]  # 102: ref
    assert roads["road_class"].tolist() == ["arterial", "access", "secondary"]
    assert roads["highway"].tolist() == ["primary", "residential", "secondary_link"]
    assert roads.attrs["dropped_highway"] == {"footway": 1}  # the stream is not a highway
    first = [PBF_NODES[i] for i in (1, 2, 3)]
    assert shapely.get_coordinates(roads.geometry.iloc[0]) == pytest.approx(np.array(first))
    last = [PBF_NODES[4], PBF_NODES[5]]
    assert shapely.get_coordinates(roads.geometry.iloc[2]) == pytest.approx(np.array(last))


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("suffix", "read"),
    [
        (".gpkg", read_vector),
        (".geojson", read_vector),
        (".zip", read_vector),
        (".shp", read_vector),
        (".gpkg", list_vector_layers),
        (".dxf", lambda p: read_dxf_lines(p, layer_map={"*": "water"}, crs="EPSG:4546")),
        (".inp", lambda p: read_epanet(p, crs="EPSG:3089")),
        (".graphml", roads_from_graphml),
        (".osm.pbf", roads_from_osm_pbf),
    ],
)
@pytest.mark.parametrize("content", [None, b"\x00\x01 this is not a GIS file \xff\xfe"])
def test_unreadable_files(tmp_path: Path, suffix: str, read: object, content: bytes | None) -> None:
    path = tmp_path / f"input{suffix}"
    if content is not None:
        path.write_bytes(content)
    assert callable(read)
    with pytest.raises(InputFormatError) as err:
        read(path)
    assert str(path) in str(err.value)
