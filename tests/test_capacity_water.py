"""Capacity by simulation, water (issue 16): the sources layer, the WNTR model, the judgement."""

from __future__ import annotations

import geopandas as gpd
from shapely import LineString, Point

from gis.validate import validate_layers
from gis.workspace import write_workspace
from tests.test_storage import store  # noqa: F401 (the fixture, on SQLite and PostGIS)

CRS = "EPSG:4546"
X0, Y0 = 616_000.0, 3_419_000.0


def _sources(*rows: tuple[str, str, str, float | None, tuple[float, float]]) -> gpd.GeoDataFrame:
    """A sources layer of (source_id, utility, kind, head_m, (x, y)) rows."""
    return gpd.GeoDataFrame(
        {
            "source_id": [r[0] for r in rows],
            "utility": [r[1] for r in rows],
            "kind": [r[2] for r in rows],
            "head_m": [r[3] for r in rows],
        },
        geometry=[Point(r[4]) for r in rows],
        crs=CRS,
    )


def _water(*rows: tuple[str, float, list[tuple[float, float]]]) -> gpd.GeoDataFrame:
    """Water mains as (asset_id, diameter_mm, coordinates)."""
    return gpd.GeoDataFrame(
        {
            "asset_id": [r[0] for r in rows],
            "status": "existing",
            "diameter_mm": [r[1] for r in rows],
        },
        geometry=[LineString(r[2]) for r in rows],
        crs=CRS,
    )


# --- the sources layer -------------------------------------------------------------------------


def test_sources_layer_validates_points_and_names_bad_values():
    good = _sources(("R1", "water", "水厂", 50.0, (X0, Y0)))
    report = validate_layers({"sources": good}, working_crs=CRS)
    assert not [p for p in report.errors if p.layer == "sources"]
    assert report.layers["sources"]["kind"].tolist() == ["reservoir"]  # the Chinese alias parsed
    bad = _sources(
        ("R1", "water", "well", 50.0, (X0, Y0)),
        ("R2", "water", "tank", -3.0, (X0, Y0)),
        ("R3", "water", "tank", 10.0, (X0, Y0)),
    )
    bad.geometry = [*bad.geometry[:2], LineString([(X0, Y0), (X0 + 1, Y0)])]
    report = validate_layers({"sources": bad}, working_crs=CRS)
    found = {(p.feature, p.field, p.code) for p in report.errors if p.layer == "sources"}
    assert found == {
        ("R1", "kind", "unknown_enum"),
        ("R2", "head_m", "bad_value"),
        ("R3", "geometry", "wrong_geometry_type"),
    }


def test_sources_layer_round_trips_through_geopackage_and_the_store(tmp_path, store):  # noqa: F811
    src = _sources(("R1", "water", "reservoir", 50.0, (X0, Y0)))
    report = validate_layers({"sources": src}, working_crs=CRS)
    assert not [p for p in report.errors if p.layer == "sources"]
    path = write_workspace({"sources": report.layers["sources"]}, tmp_path / "ws.gpkg")
    import pyogrio

    assert pyogrio.read_info(path, layer="sources")["geometry_type"] == "Point"
    store.import_layer("sources", src, user="test")
    back = store.layer("sources")
    assert back["source_id"].tolist() == ["R1"]
    assert back.geometry.iloc[0].equals(Point(X0, Y0))
    assert float(back["head_m"].iloc[0]) == 50.0
