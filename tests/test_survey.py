"""The survey package (一同踏勘): a zip with a GeoPackage that GDAL reads back as it was meant.

Every check reads the written file through GDAL (pyogrio), not the frames that were written.
"""

import dataclasses
import zipfile

import pandas as pd
import pyogrio
import pytest
from pyproj import Transformer
from shapely import Point

import api.survey as survey
import planning  # noqa: F401  (registers the policy profiles)
from api.survey import LAYER_GEOMETRY, survey_layers, survey_package, write_geopackage
from data.demo_district import DEMO_CASES, build_district
from gis.errors import NotFoundError
from gis.profile import load_profile
from gis.vocabulary import approval_path_label
from gis.workspace import Workspace
from planning.assess import assess_sites, default_demand

from .demo import AS_OF, demo_demand

JINGMEN = load_profile("jingmen-2023")
CRS = "EPSG:4546"
# every utility requested (the profile's default demand): the demo sites then have
# crossings, shared trenches, green lead-ins, dig-once roads and stretches that do not fit
RAILWAY_SITE = "JM-2026-005"  # joint: gas crosses 焦柳铁路, three arterial carriageways
MAP_HTML = "<!doctype html><html><body>离线地图</body></html>"
EXPECTED_LAYERS = {
    "site": "MultiPolygon",
    "routes": "LineString",
    "lead_ins": "LineString",
    "taps": "Point",
    "crossings": "Point",
    "trench_segments": "LineString",
    "checklist": None,
    "package_info": None,
}
CHECKLIST_COLUMNS = [
    "item_no",
    "kind",
    "category",
    "utility",
    "utility_zh",
    "description",
    "ref_layer",
    "ref_fid",
    "x",
    "y",
    "lon",
    "lat",
    "checked",
    "remarks",
    "checked_by",
    "checked_on",
]


@pytest.fixture(scope="module")
def ws():
    return Workspace.from_layers(build_district("demo"), crs=CRS)


@pytest.fixture(scope="module")
def every_utility(ws):
    """Each demo site assessed for all five utilities."""
    return {a.project_id: a for a in assess_sites(ws, profile=JINGMEN, as_of=AS_OF)}


@pytest.fixture(scope="module")
def as_designed(ws):
    """Each demo site assessed with the demand of its intake form."""
    demands = {pid: demo_demand(c) for pid, c in DEMO_CASES.items()}
    out = assess_sites(ws, profile=JINGMEN, demands=demands, as_of=AS_OF)
    return {a.project_id: a for a in out}


@pytest.fixture(scope="module")
def railway(every_utility):
    a = every_utility[RAILWAY_SITE]
    assert a.applicable and a.approval_path == "joint"
    assert any(r.route is not None and r.route.crossings for r in a.utilities.values())
    assert a.shared_trench is not None and any(s.shared for s in a.shared_trench.segments)
    return a


@pytest.fixture(scope="module")
def package(ws, railway, tmp_path_factory):
    """The railway site's package, written, unzipped; returns (zip, gpkg path)."""
    root = tmp_path_factory.mktemp("survey")
    out = survey_package(ws, railway, profile=JINGMEN, out=root / "pkg.zip", map_html=MAP_HTML)
    with zipfile.ZipFile(out) as z:
        z.extractall(root / "unzipped")
    return out, root / "unzipped" / RAILWAY_SITE / "survey.gpkg"


def _read(gpkg, layer):
    return pyogrio.read_dataframe(gpkg, layer=layer, fid_as_index=True)


def _routes(a):
    """(utility, role, route) of every main and backup route of an assessment."""
    return [
        (u, role, route)
        for u, res in a.utilities.items()
        for role, route in (("主供", res.route), ("备供", res.backup))
        if route is not None
    ]


def _place(x, y):
    return (round(x, 2), round(y, 2))


def hand_count(a):
    """Checklist rows from the assessment's facts: one per thing to verify at one place.

    Not applicable: one per reason; one per utility not covered; per route one tap; one per
    major line crossed at a place and one per carriageway crossed at a place (routes in one
    joint trench cross there once); one per frontage whose lead-in occupies green space; one
    per road under dig-once protection; one per shared stretch that does not fit its sidewalk.
    """
    routes = [r for _, _, r in _routes(a)]
    n = 0 if a.applicable else len(a.reasons)
    n += sum(not res.covered for res in a.utilities.values())
    n += len(routes)
    n += len({(c.kind, c.name, _place(c.x, c.y)) for r in routes for c in r.crossings})
    n += len({(c.road_id, _place(c.x, c.y)) for r in routes for c in r.carriageways})
    n += len({_place(*r.geometry.coords[0]) for r in routes if r.surfaces.get("green", 0) > 0})
    n += len({d.road_id for r in routes for d in r.dig_once})
    segments = a.shared_trench.segments if a.shared_trench is not None else []
    n += sum(s.section is not None and not s.section.fits for s in segments)
    return n


# --------------------------------------------------------------------------- the zip


def test_zip_holds_the_geopackage_the_map_and_a_chinese_readme(package, railway):
    out, _ = package
    with zipfile.ZipFile(out) as z:
        assert sorted(z.namelist()) == sorted(
            f"{RAILWAY_SITE}/{f}" for f in ("survey.gpkg", "map.html", "README.txt")
        )
        assert z.read(f"{RAILWAY_SITE}/map.html").decode("utf-8") == MAP_HTML
        readme = z.read(f"{RAILWAY_SITE}/README.txt").decode("utf-8-sig")
    for words in ("QGIS", "QField", "EPSG:4546", "踏勘核查表", "GCJ-02", railway.name):
        assert words in readme


def test_without_a_map_the_zip_has_no_map(ws, railway, tmp_path):
    out = survey_package(ws, railway, profile=JINGMEN, out=tmp_path / "no-map.zip")
    with zipfile.ZipFile(out) as z:
        assert sorted(z.namelist()) == [
            f"{RAILWAY_SITE}/README.txt",
            f"{RAILWAY_SITE}/survey.gpkg",
        ]


# ------------------------------------------------------------------ layers through GDAL


def test_gdal_lists_every_layer_with_its_geometry_type_and_crs(package, ws, railway):
    _, gpkg = package
    listed = {
        str(name): (None if gt is None else str(gt)) for name, gt in pyogrio.list_layers(gpkg)
    }
    assert listed == EXPECTED_LAYERS == LAYER_GEOMETRY
    frames = survey_layers(ws, railway, profile=JINGMEN)
    for name, gtype in EXPECTED_LAYERS.items():
        info = pyogrio.read_info(gpkg, layer=name)
        assert info["features"] == len(frames[name]) > 0, name
        assert info["layer_metadata"]["DESCRIPTION"] == survey.LAYER_DESCRIPTION_ZH[name]
        if gtype is None:
            assert info["geometry_type"] is None and info["crs"] is None
        else:
            assert info["geometry_type"] == gtype
            assert info["crs"] == "EPSG:4546"


def test_site_is_the_red_line_with_the_approval_path(package, ws, railway):
    _, gpkg = package
    site = _read(gpkg, "site")
    assert len(site) == 1
    row = site.iloc[0]
    assert (row["project_id"], row["name"]) == (railway.project_id, railway.name)
    assert bool(row["applicable"]) is True
    assert row["approval_zh"] == "联合审批（2+3 个工作日）"
    red_line = ws.layer("sites").set_index("project_id").geometry[RAILWAY_SITE]
    assert site.geometry.iloc[0].symmetric_difference(red_line).area < 1e-6


def test_route_lengths_read_back(package, railway):
    _, gpkg = package
    routes = _read(gpkg, "routes")
    expected = _routes(railway)
    assert len(routes) == len(expected) == 5
    for u, role, route in expected:
        (row,) = routes[(routes["utility"] == u) & (routes["role"] == role)].itertuples()
        assert row.geometry.length == pytest.approx(route.geometry.length, abs=0.01)
        assert row.length_m == pytest.approx(route.length_m, abs=0.5)
        # from the red line (seed 二): the lead-in beside the part along the road, and the sum
        assert row.lead_in_m == pytest.approx(route.lead_in_m, abs=0.05)
        assert row.red_line_m == pytest.approx(route.lead_in_m + route.length_m, abs=0.05)
        assert row.straight_line_m == pytest.approx(route.straight_line_m, abs=0.5)
        assert row.tap_asset == route.tap_asset
        res = railway.utilities[u]
        assert row.approval_path == res.approval_path
        assert row.approval_zh == approval_path_label(res.approval_path, JINGMEN)
        assert row.reasons == "；".join(r.text for r in res.reasons)
    gas = routes[routes["utility"] == "gas"].iloc[0]
    assert "焦柳铁路" in gas["reasons"] and "人行道 100.0 m" in gas["surfaces"]


def test_taps_are_at_the_tap_points(package, railway):
    _, gpkg = package
    taps = _read(gpkg, "taps")
    routes = _read(gpkg, "routes")
    for u, role, route in _routes(railway):
        (row,) = taps[(taps["utility"] == u) & (taps["role"] == role)].itertuples()
        assert row.asset_id == route.tap_asset
        assert row.geometry.distance(route.tap_point) < 0.01
        assert routes.loc[row.route_fid, "utility"] == u
    power = taps[taps["utility"] == "power"].iloc[0]
    assert power["feeder_id"] == railway.utilities["power"].route.feeder_id
    assert "10 kV" in power["main_spec"]


def test_every_crossing_is_a_point_with_a_checklist_row(package, railway):
    _, gpkg = package
    crossings = _read(gpkg, "crossings")
    checklist = _read(gpkg, "checklist")
    found = 0
    for u, _, route in _routes(railway):
        facts = [(c.kind, c.name, c.x, c.y, "major_crossing") for c in route.crossings] + [
            (f"carriageway:{c.road_class}", c.name, c.x, c.y, "carriageway")
            for c in route.carriageways
        ]
        for kind, name, x, y, check_kind in facts:
            here = crossings[
                (crossings["utility"] == u)
                & (crossings["kind"] == kind)
                & (crossings["name"] == name)
                & (crossings.distance(Point(x, y)) < 0.01)
            ]
            assert len(here) == 1, (u, kind, name)
            rows = checklist[
                (checklist["kind"] == check_kind)
                & ((checklist["x"] - x).abs() < 0.01)
                & ((checklist["y"] - y).abs() < 0.01)
            ]
            assert len(rows) == 1, (u, kind, name)
            row = rows.iloc[0]
            assert u in row["utility"].split(",")
            assert name in row["description"]
            assert row["ref_layer"] == "crossings"
            target = crossings.loc[row["ref_fid"]]
            assert (target["kind"], target["name"]) == (kind, name)
            found += 1
    assert found == len(crossings) == 4  # gas × 焦柳铁路; water, power, heat × arterial
    railway_row = crossings[crossings["kind"] == "railway"].iloc[0]
    assert (railway_row["kind_zh"], railway_row["source"]) == ("铁路", "major_lines")
    assert bool(railway_row["major"]) is True
    arterial = crossings[crossings["road_class"] == "arterial"]
    assert set(arterial["width_m"]) == {16.0}
    assert set(arterial["road_class_zh"]) == {"主干路"}
    # jingmen-2023 allows no trenchless crossing: the carriageway is dug
    assert not arterial["trenchless_allowed"].astype(bool).any()


def test_trench_segments_read_back(package, railway):
    _, gpkg = package
    segments = _read(gpkg, "trench_segments")
    plan = railway.shared_trench.segments
    assert len(segments) == len(plan)
    for row, seg in zip(segments.itertuples(), plan):
        assert (row.road_name, row.kind, row.length_m) == (seg.name, seg.kind, seg.length_m)
        assert bool(row.shared) is seg.shared
        assert row.utilities.split(",") == list(seg.utilities)
    shared = segments[segments["shared"].astype(bool)].iloc[0]
    assert (shared["road_name"], shared["utilities_zh"]) == ("石化大道", "供电、供水")


# ---------------------------------------------------------------------- the checklist


def test_checklist_is_an_attribute_table_for_the_field_team(package, railway):
    _, gpkg = package
    checklist = _read(gpkg, "checklist")
    assert list(checklist.columns) == CHECKLIST_COLUMNS
    # 5 taps + 焦柳铁路 + 石化大道 (water and power in one trench) + 迎宾大道 (heat)
    assert len(checklist) == hand_count(railway) == 8
    assert list(checklist["item_no"]) == list(range(1, 9))
    assert list(checklist["category"]) == ["接驳点"] * 5 + ["重大管线穿越"] + ["车行道破路"] * 2
    assert not checklist["checked"].astype(bool).any()
    assert checklist["remarks"].isna().all() and checklist["checked_by"].isna().all()
    assert checklist["checked_on"].isna().all()
    info = pyogrio.read_info(gpkg, layer="checklist")
    types = dict(zip(info["fields"], zip(info["ogr_types"], info["ogr_subtypes"])))
    assert types["checked"] == ("OFTInteger", "OFSTBoolean")
    assert types["checked_on"][0] in ("OFTDate", "OFTDateTime")
    to_wgs84 = Transformer.from_crs(CRS, "EPSG:4326", always_xy=True)
    lon, lat = to_wgs84.transform(checklist["x"].to_numpy(), checklist["y"].to_numpy())
    assert checklist["lon"].to_numpy() == pytest.approx(lon, abs=1e-6)
    assert checklist["lat"].to_numpy() == pytest.approx(lat, abs=1e-6)
    # in 掇刀区, Jingmen (WGS84)
    assert checklist["lon"].between(111.9, 112.5).all()
    assert checklist["lat"].between(30.7, 31.3).all()
    for row in checklist.itertuples():
        target = _read(gpkg, row.ref_layer).loc[row.ref_fid]
        if row.ref_layer == "taps":
            assert target["asset_id"] in row.description
            assert target.geometry.distance(Point(row.x, row.y)) < 0.01


def test_checklist_counts_match_the_facts_of_every_demo_site(ws, every_utility, as_designed):
    kinds = set()
    for results in (every_utility, as_designed):
        for a in results.values():
            checklist = survey_layers(ws, a, profile=JINGMEN)["checklist"]
            assert len(checklist) == hand_count(a), a.project_id
            kinds |= set(checklist["kind"])
    # between them the demo sites exercise every kind of check
    assert kinds == set(survey.CHECKLIST_CATEGORY_ZH)
    # counted by hand from the printed assessments:
    # 006: gas not covered + 4 taps + 福耀大道 crossed at 2 places + 2 stretches too narrow
    # (all four lines run along 福耀大道's east sidewalk over two blocks, 20 m and 300 m)
    # 011: heat not covered + 4 taps + 天鹅路 carriageway + 天鹅路 dig-once
    # 012: heat not covered + 4 taps + 长宁大道 carriageway (gas, telecom) + two green lead-ins
    # (water and power to mains on the site's own side, gas and telecom across 长宁大道)
    counts = {
        pid: len(survey_layers(ws, every_utility[pid], profile=JINGMEN)["checklist"])
        for pid in ("JM-2026-006", "JM-2026-011", "JM-2026-012")
    }
    assert counts == {"JM-2026-006": 9, "JM-2026-011": 7, "JM-2026-012": 8}


def test_a_stretch_that_does_not_fit_is_checked_on_site(ws, every_utility, tmp_path):
    a = every_utility["JM-2026-006"]
    gpkg = write_geopackage(survey_layers(ws, a, profile=JINGMEN), tmp_path / "s.gpkg")
    segments = _read(gpkg, "trench_segments")
    checklist = _read(gpkg, "checklist")
    narrow = segments[segments["section_fits"] == 0]
    # the four lines share 福耀大道's east sidewalk over two blocks (20 m and 300 m of
    # centreline), as drawn: each 10.5 m short at the junction between them (issue 14)
    assert sorted(narrow["length_m"].round(6)) == [9.5, 289.5]
    assert set(narrow["side_zh"]) == {"东侧"}
    # a nullable boolean: no section check on carriageway crossings
    assert segments.loc[segments["kind"] == "crossing", "section_fits"].isna().all()
    rows = list(checklist[checklist["kind"] == "section"].itertuples())
    assert sorted(r.ref_fid for r in rows) == sorted(narrow.index)
    for row in rows:
        assert "福耀大道" in row.description and "建议分 2 条沟槽" in row.description


def test_backup_supply_is_a_route_of_its_own(ws, as_designed):
    a = as_designed["JM-2026-009"]
    layers = survey_layers(ws, a, profile=JINGMEN)
    routes, taps = layers["routes"], layers["taps"]
    assert list(routes["role"]) == ["主供", "备供"]
    assert list(taps["feeder_id"]) == ["DD-F131", "DD-F132"]
    tap_rows = layers["checklist"].query("kind == 'tap'")
    assert tap_rows["description"].str.contains("供电（备供）").sum() == 1


# ---------------------------------------------------------------- edges and failures


def test_empty_layers_keep_their_schema(ws, as_designed, package, tmp_path):
    """A steam-only site along one sidewalk: no crossing, no joint trench, yet every layer."""
    a = as_designed["JM-2026-010"]
    out = survey_package(ws, a, profile=JINGMEN, out=tmp_path / "steam.zip")
    with zipfile.ZipFile(out) as z:
        z.extractall(tmp_path)
    gpkg = tmp_path / "JM-2026-010" / "survey.gpkg"
    listed = {
        str(name): (None if gt is None else str(gt)) for name, gt in pyogrio.list_layers(gpkg)
    }
    assert listed == EXPECTED_LAYERS
    _, full = package
    for name in ("crossings", "trench_segments"):
        info = pyogrio.read_info(gpkg, layer=name)
        assert info["features"] == 0
        assert info["geometry_type"] == EXPECTED_LAYERS[name]
        assert info["crs"] == "EPSG:4546"
        assert list(info["fields"]) == list(pyogrio.read_info(full, layer=name)["fields"])
        assert info["ogr_types"] == pyogrio.read_info(full, layer=name)["ogr_types"]
    assert pyogrio.read_info(gpkg, layer="routes")["features"] == 1


def test_a_site_without_routes_still_gets_a_package_saying_why(city_scope_ws, tmp_path):
    """Outside the scope (the central city alone, without the 团林组团), asking only for gas it
    cannot have: red line and reasons."""
    ws, pid = city_scope_ws, "JM-2026-007"
    demand = dataclasses.replace(default_demand(JINGMEN), utilities=("gas",))
    (a,) = assess_sites(ws, profile=JINGMEN, site_ids=[pid], demands={pid: demand}, as_of=AS_OF)
    assert not a.applicable and all(r.route is None for r in a.utilities.values())
    out = survey_package(ws, a, profile=JINGMEN, out=tmp_path / "na.zip")
    with zipfile.ZipFile(out) as z:
        z.extractall(tmp_path)
    gpkg = tmp_path / pid / "survey.gpkg"
    for name in ("routes", "taps", "crossings", "trench_segments"):
        assert pyogrio.read_info(gpkg, layer=name)["features"] == 0
    site = _read(gpkg, "site").iloc[0]
    assert bool(site["applicable"]) is False
    assert site["approval_zh"] == "不适用联动接入"
    checklist = _read(gpkg, "checklist")
    assert (
        list(checklist["kind"])
        == ["applicability", "coverage"]
        == ["applicability"] * len(a.reasons) + ["coverage"]
    )
    assert "不在中心城区适用范围内" in checklist.iloc[0]["description"]
    assert "燃气" in checklist.iloc[1]["description"]
    assert set(checklist["ref_layer"]) == {"site"} and set(checklist["ref_fid"]) == {1}
    assert checklist["lon"].notna().all()


def test_package_info(package, railway):
    _, gpkg = package
    info = _read(gpkg, "package_info").iloc[0]
    assert info["project_id"] == railway.project_id
    assert info["profile"] == "jingmen-2023"
    assert info["workspace_crs"] == "EPSG:4546"
    assert info["as_of"] == AS_OF.isoformat()
    assert info["linkplan_version"]
    assert pd.Timestamp(info["generated_at"]).tzinfo is not None


def test_an_assessment_of_another_workspace_is_refused(ws, railway, tmp_path):
    stranger = dataclasses.replace(railway, project_id="JM-1999-999")
    with pytest.raises(NotFoundError, match="JM-1999-999"):
        survey_package(ws, stranger, profile=JINGMEN, out=tmp_path / "x.zip")
    assert list(tmp_path.iterdir()) == []


def test_a_directory_that_cannot_be_made_leaves_nothing(ws, railway, tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file")
    with pytest.raises(OSError):
        survey_package(ws, railway, profile=JINGMEN, out=blocker / "sub" / "pkg.zip")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["not-a-directory"]


@pytest.mark.parametrize("earlier", [False, True])
def test_a_writer_failing_midway_leaves_no_zip_and_keeps_the_old_one(
    ws, railway, tmp_path, monkeypatch, earlier
):
    out = tmp_path / "pkg.zip"
    if earlier:
        survey_package(ws, railway, profile=JINGMEN, out=out, map_html=MAP_HTML)
        before = out.read_bytes()
    real = pyogrio.write_dataframe
    calls = []

    def failing(df, path, **kwargs):
        calls.append(kwargs["layer"])
        if len(calls) == 5:
            raise OSError("disk full")
        return real(df, path, **kwargs)

    monkeypatch.setattr(pyogrio, "write_dataframe", failing)
    with pytest.raises(OSError, match="disk full"):
        survey_package(ws, railway, profile=JINGMEN, out=out)
    assert calls[-1] == "crossings"
    if earlier:
        assert [p.name for p in tmp_path.iterdir()] == ["pkg.zip"]
        assert out.read_bytes() == before
    else:
        assert list(tmp_path.iterdir()) == []
