"""Every kind of validation message, each naming layer, feature, field, value and expectation."""

import geopandas as gpd
import pytest
from shapely import LineString, Point, Polygon

from gis.errors import ValidationError
from gis.validate import validate_layers
from gis.workspace import Workspace

from .geometries import CRS, at, corner_site, crossroads, scope, water_sw


def _codes(report):
    return {(p.code, p.layer, p.feature, p.field) for p in report.problems}


def _good():
    return {"roads": crossroads(), "scope": scope(), "sites": corner_site(), "water": water_sw()}


def test_a_clean_workspace_has_no_errors_and_names_missing_networks_as_info():
    report = validate_layers(_good(), working_crs=CRS)
    assert report.ok
    infos = {p.layer for p in report.problems if p.code == "no_network"}
    assert infos == {"gas", "heat", "power", "telecom"}
    assert all(p.severity == "info" for p in report.problems)


def test_every_problem_is_reported_at_once():
    roads = crossroads()
    roads.loc[1, "road_id"] = "a"  # duplicate id
    roads.loc[0, "road_class"] = "highway"  # unknown enum
    roads.loc[1, "width_m"] = -3.0  # out of range
    roads = roads.drop(columns="name")  # missing field
    sites = gpd.GeoDataFrame(
        {
            "project_id": ["S1", "S2", "S3", "S4"],
            "name": ["甲", "乙", "丙", None],
            "enterprise_type": ["industrial", "commercial", "industrial", "industrial"],
        },
        geometry=[
            at(Polygon([(0, 0), (50, 50), (50, 0), (0, 50)])),  # bow-tie: repair halves it
            at(LineString([(0, 0), (10, 10)])),  # wrong geometry type
            Polygon(),  # empty
            at(Polygon([(0, 0), (40, 0), (40, 40), (0, 40)])).buffer(0),
        ],
        crs=CRS,
    )
    water = water_sw().set_crs(None, allow_override=True)  # CRS lost
    report = validate_layers({"roads": roads, "sites": sites, "water": water}, working_crs=CRS)
    codes = _codes(report)
    assert ("missing_layer", "scope", None, None) in codes
    assert ("missing_field", "roads", None, "name") in codes
    assert ("duplicate_id", "roads", "a", "road_id") in codes
    assert ("unknown_enum", "roads", "a", "road_class") in codes
    assert ("bad_value", "roads", "a", "width_m") in codes
    assert ("invalid_geometry", "sites", "S1", "geometry") in codes
    assert ("wrong_geometry_type", "sites", "S2", "geometry") in codes
    assert ("empty_geometry", "sites", "S3", "geometry") in codes
    assert ("missing_value", "sites", "S4", "name") in codes
    assert ("missing_crs", "water", None, "crs") in codes
    assert len(report.errors) == 10
    with pytest.raises(ValidationError) as info:
        Workspace.from_layers({"roads": roads, "sites": sites, "water": water}, crs=CRS)
    text = str(info.value)
    assert "10 error(s)" in text
    assert (
        "roads feature a field 'road_class': got 'highway' (unknown value); expected one of "
        "expressway, arterial, secondary, branch, access" in text
    )
    assert "sites feature S1 field 'geometry': got invalid polygon (Self-intersection" in text
    assert "by 100.0% (> 1%)" in text  # the bow-tie's drawn (signed) area is 0


def test_small_invalidity_is_repaired_and_reported_as_a_warning():
    # a 100 m square whose west edge ties a 1 m bow-tie knot: make_valid keeps both lobes
    # (10,000 m² + 2 × 0.5 m²); the drawn signed area is 10,000 m², so the change is 0.01 %
    ring = [(0, 0), (100, 0), (100, 100), (0, 100), (0, 51), (-1, 49), (-1, 51), (0, 49)]
    sites = corner_site()
    sites.loc[0, "geometry"] = at(Polygon(ring))
    assert not sites.geometry.iloc[0].is_valid
    report = validate_layers({**_good(), "sites": sites}, working_crs=CRS)
    assert report.ok
    (warning,) = [p for p in report.problems if p.severity == "warning"]
    assert (warning.code, warning.layer, warning.feature) == ("repaired_geometry", "sites", "S1")
    fixed = report.layers["sites"].geometry.iloc[0]
    assert fixed.is_valid
    assert fixed.area == pytest.approx(10_001.0)
    assert "area changed 0.01%" in warning.expected


def test_swapped_lon_lat_and_far_away_features_are_outside_the_extent():
    roads = crossroads().to_crs(4326)
    lon, lat = roads.geometry.iloc[1].coords[0]
    roads.loc[1, "geometry"] = LineString([(lat, lon), (lat + 0.001, lon)])  # swapped
    sites = corner_site()
    sites.loc[0, "geometry"] = Polygon([(0, 0), (50, 0), (50, 50), (0, 50)])  # origin of the CRS
    report = validate_layers({**_good(), "roads": roads, "sites": sites}, working_crs=CRS)
    by_code = {(p.code, p.layer, p.feature): p for p in report.errors}
    swapped = by_code[("outside_extent", "roads", "b")]
    assert "swapped lon/lat" in swapped.expected and "30.9" in swapped.value
    far = by_code[("outside_extent", "sites", "S1")]
    assert "within 10 km of the workspace scope" in far.expected
    assert "(25.0, 25.0)" in far.value


def test_multilines_are_merged_or_split_with_suffixed_ids():
    roads = crossroads()
    roads.loc[0, "geometry"] = at(LineString([(-100, 0), (0, 0)])).union(
        at(LineString([(0, 0), (100, 0)]))
    )  # touching parts merge back into one line
    roads.loc[1, "geometry"] = at(LineString([(0, -100), (0, -10)])).union(
        at(LineString([(0, 10), (0, 100)]))
    )  # disjoint parts become b-1 and b-2
    report = validate_layers({**_good(), "roads": roads}, working_crs=CRS)
    assert report.ok
    got = report.layers["roads"]
    assert list(got["road_id"]) == ["a", "b-1", "b-2"]
    assert got.geometry.length.tolist() == pytest.approx([200.0, 90.0, 90.0])
    assert ("exploded", "roads", "b", "geometry") in _codes(report)


def test_values_are_normalised():
    roads = crossroads()
    roads["opened_on"] = ["2024-03-01", "2019-10-01T00:00:00"]
    roads["width_m"] = ["16", 8]
    report = validate_layers({**_good(), "roads": roads}, working_crs=CRS)
    assert report.ok
    got = report.layers["roads"]
    assert list(got["opened_on"]) == ["2024-03-01", "2019-10-01"]
    assert list(got["width_m"]) == [16.0, 8.0]


def test_bad_dates_and_csv_enums():
    intents = gpd.GeoDataFrame(
        {
            "intent_id": ["I1"],
            "name": ["新材料"],
            "expected_start": ["2026-13-01"],
            "registered_by": ["市招商局"],
            "utilities": ["water,sewer"],
        },
        geometry=[at(Point(50, 50).buffer(20))],
        crs=CRS,
    )
    report = validate_layers({**_good(), "intents": intents}, working_crs=CRS)
    msgs = {p.field: p for p in report.errors}
    assert msgs["expected_start"].value == "'2026-13-01' (not a date)"
    assert msgs["utilities"].value == "'water,sewer' (unknown value(s) sewer)"
    assert msgs["utilities"].code == "unknown_enum"


def test_ids_made_by_splitting_a_multiline_cannot_collide_silently():
    roads = crossroads()
    roads.loc[1, "geometry"] = at(LineString([(0, -100), (0, -10)])).union(
        at(LineString([(0, 10), (0, 100)]))
    )
    roads.loc[0, "road_id"] = "b-1"  # the id the first part of b would get
    report = validate_layers({**_good(), "roads": roads}, working_crs=CRS)
    (dup,) = [p for p in report.errors if p.code == "duplicate_id"]
    assert (dup.layer, dup.feature) == ("roads", "b-1")
    assert "after splitting multi-part lines" in dup.value
