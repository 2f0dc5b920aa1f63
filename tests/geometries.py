"""Shared hand-built geometries for the rule tests, each with an explicit CRS (EPSG:4546).

Every coordinate is in metres around a local origin so expected lengths can be worked out by
hand. ``ORIGIN`` moves them to a real spot in 掇刀区 so the extent checks see Jingmen.
"""

from __future__ import annotations

import geopandas as gpd
from shapely import LineString, Polygon
from shapely.affinity import translate

CRS = "EPSG:4546"
ORIGIN = (614_000.0, 3_424_000.0)  # EPSG:4546 metres, inside 掇刀区 (about 112.2°E, 30.95°N)


def at(geom):
    return translate(geom, *ORIGIN)


def crossroads() -> gpd.GeoDataFrame:
    """An arterial east–west (16 m carriageway) and a branch north–south (8 m), 200 m each."""
    return gpd.GeoDataFrame(
        {
            "road_id": ["a", "b"],
            "name": ["东西大道", "南北路"],
            "road_class": ["arterial", "branch"],
            "width_m": [16.0, 8.0],
        },
        geometry=[at(LineString([(-100, 0), (100, 0)])), at(LineString([(0, -100), (0, 100)]))],
        crs=CRS,
    )


def corner_site() -> gpd.GeoDataFrame:
    """A site in the north-east quadrant: 15 m north of road a, 20 m east of road b."""
    return gpd.GeoDataFrame(
        {"project_id": ["S1"], "name": ["东北角厂房"], "enterprise_type": ["industrial"]},
        geometry=[at(Polygon([(20, 15), (60, 15), (60, 60), (20, 60)]))],
        crs=CRS,
    )


def water_sw() -> gpd.GeoDataFrame:
    """A DN200 water main 12 m south of road a, from x = -90 to x = -30."""
    return gpd.GeoDataFrame(
        {"asset_id": ["W1"], "status": ["existing"], "diameter_mm": [200.0]},
        geometry=[at(LineString([(-90, -12), (-30, -12)]))],
        crs=CRS,
    )


def scope() -> gpd.GeoDataFrame:
    """A 1 km square scope around the origin."""
    return gpd.GeoDataFrame(
        geometry=[at(Polygon([(-500, -500), (500, -500), (500, 500), (-500, 500)]))], crs=CRS
    )


def straight_block(road_class: str = "arterial") -> gpd.GeoDataFrame:
    """One 800 m block of 长宁大道 from x = 0 to x = 800 (no junction on it)."""
    return gpd.GeoDataFrame(
        {"road_id": ["r"], "name": ["长宁大道"], "road_class": [road_class]},
        geometry=[at(LineString([(0, 0), (800, 0)]))],
        crs=CRS,
    )


def block_site() -> gpd.GeoDataFrame:
    """A site north of :func:`straight_block`, fronting it over x 100..180."""
    return gpd.GeoDataFrame(
        {"project_id": ["S"], "name": ["甲"], "enterprise_type": ["industrial"]},
        geometry=[at(Polygon([(100, 20), (180, 20), (180, 90), (100, 90)]))],
        crs=CRS,
    )


def water_main(x0: float, x1: float, y: float, diameter_mm: float = 300.0) -> gpd.GeoDataFrame:
    """A water main ``W`` from x0 to x1 at distance y from the block's centreline."""
    return gpd.GeoDataFrame(
        {"asset_id": ["W"], "status": ["existing"], "diameter_mm": [diameter_mm]},
        geometry=[at(LineString([(x0, y), (x1, y)]))],
        crs=CRS,
    )
