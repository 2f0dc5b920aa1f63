import geopandas as gpd
import numpy as np
import prcoords
import pytest
from pyproj import Transformer
from shapely import LineString, Point

from gis import chinacoords as cc
from gis.crs import require_projected, resolve_crs, to_working_crs
from gis.errors import CRSError, GeographicCRSError
from gis.validate import validate_layers

from .geometries import crossroads


def test_default_crs_is_cgcs2000_gk_111():
    crs = require_projected("EPSG:4546")
    assert crs.to_epsg() == 4546
    # on the central meridian x is the false easting exactly
    x, y = Transformer.from_crs(4490, 4546, always_xy=True).transform(111.0, 31.0)
    assert x == pytest.approx(500_000.0, abs=1e-6)
    assert 3_430_000 < y < 3_432_000  # meridian arc to 31°N on CGCS2000: about 3,431 km


@pytest.mark.parametrize("crs", ["EPSG:4326", "EPSG:4490", "wgs84", "cgcs2000"])
def test_metric_functions_refuse_degrees(crs):
    with pytest.raises(GeographicCRSError, match="degrees"):
        require_projected(crs, what="external line length")


def test_missing_and_unknown_crs_are_errors():
    with pytest.raises(CRSError, match="no CRS"):
        require_projected(None)
    with pytest.raises(CRSError, match="unknown CRS 'EPSG:999999'"):
        resolve_crs("EPSG:999999")
    with pytest.raises(CRSError, match="not a CRS PROJ knows"):
        resolve_crs("gcj02")
    with pytest.raises(CRSError, match="units"):
        require_projected("EPSG:2227")  # California zone 3 in US survey feet


def test_layer_without_crs_needs_a_source_crs():
    gdf = gpd.GeoDataFrame(geometry=[Point(112.2, 31.0)])
    with pytest.raises(CRSError, match="layer 'sites' has no CRS"):
        to_working_crs(gdf, "EPSG:4546", layer="sites")
    out = to_working_crs(gdf, "EPSG:4546", layer="sites", source_crs="wgs84")
    assert out.crs.to_epsg() == 4546


def test_every_layer_is_reprojected_on_load():
    roads = crossroads().to_crs(4326)
    report = validate_layers({"roads": roads}, working_crs="EPSG:4546")
    assert report.layers["roads"].crs.to_epsg() == 4546
    assert report.layers["roads"].geometry.length.tolist() == pytest.approx(
        [200.0, 200.0], abs=1e-3
    )


# --------------------------------------------------------------------- GCJ-02 and BD-09

RNG = np.random.default_rng(7)
CHINA = np.column_stack([RNG.uniform(75, 134, 400), RNG.uniform(18, 53, 400)])
JINGMEN = np.column_stack([RNG.uniform(111.9, 112.6, 200), RNG.uniform(30.6, 31.4, 200)])


def _metres(lon1, lat1, lon2, lat2):
    """Haversine distance in metres (independent of the code under test)."""
    r = 6_371_008.8
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi, dl = p2 - p1, np.radians(lon2 - lon1)
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * r * np.arcsin(np.sqrt(a))


@pytest.mark.parametrize("pts", [CHINA, JINGMEN], ids=["china", "jingmen"])
def test_gcj02_matches_prcoords(pts):
    gx, gy = cc.wgs84_to_gcj02(pts[:, 0], pts[:, 1])
    ref = np.array([prcoords.wgs_gcj((lat, lon)) for lon, lat in pts])  # (lat, lon)
    assert _metres(gx, gy, ref[:, 1], ref[:, 0]).max() < 0.001
    bx, by = cc.gcj02_to_bd09(gx, gy)
    ref_bd = np.array([prcoords.gcj_bd((lat, lon)) for lon, lat in zip(gx, gy)])
    assert _metres(bx, by, ref_bd[:, 1], ref_bd[:, 0]).max() < 0.001
    # the inverses against prcoords' own iterative inverses
    wx, wy = cc.gcj02_to_wgs84(gx, gy)
    ref_w = np.array([prcoords.gcj_wgs_bored((lat, lon)) for lon, lat in zip(gx, gy)])
    assert _metres(wx, wy, ref_w[:, 1], ref_w[:, 0]).max() < 0.5
    cx, cy = cc.bd09_to_gcj02(bx, by)
    ref_g = np.array([prcoords.bd_gcj_bored((lat, lon)) for lon, lat in zip(bx, by)])
    assert _metres(cx, cy, ref_g[:, 1], ref_g[:, 0]).max() < 0.5


@pytest.mark.parametrize("pts", [CHINA, JINGMEN], ids=["china", "jingmen"])
def test_round_trips_under_half_a_metre(pts):
    lon, lat = pts[:, 0], pts[:, 1]
    back = cc.gcj02_to_wgs84(*cc.wgs84_to_gcj02(lon, lat))
    assert _metres(lon, lat, *back).max() < 0.5
    back_bd = cc.bd09_to_wgs84(*cc.wgs84_to_bd09(lon, lat))
    assert _metres(lon, lat, *back_bd).max() < 0.5
    # and the offset itself is real: hundreds of metres, larger than the 300 m rule in places
    off = _metres(lon, lat, *cc.wgs84_to_gcj02(lon, lat))
    assert off.min() > 10 and off.max() > 300


def test_points_outside_china_pass_through_unchanged():
    lon = np.array([2.3522, -74.006, 139.69, 151.2])  # Paris, New York, Tokyo, Sydney
    lat = np.array([48.8566, 40.7128, 35.69, -33.87])
    for fn in (cc.wgs84_to_gcj02, cc.gcj02_to_wgs84, cc.gcj02_to_bd09, cc.bd09_to_gcj02):
        x, y = fn(lon, lat)
        assert np.array_equal(x, lon) and np.array_equal(y, lat)
    for lo, la in zip(lon, lat):
        with pytest.warns(UserWarning, match="Non-Chinese"):
            ref = prcoords.wgs_gcj((la, lo), check_china=True)
        assert (ref.lon, ref.lat) == (lo, la)


def test_gcj02_layer_is_converted_at_the_edge():
    # a 高德-picked road: converting GCJ-02 → WGS84 → EPSG:4546 keeps its length (the offset
    # is nearly a translation over 1 km) but moves it by hundreds of metres
    wgs = [(112.20, 30.95), (112.21, 30.95)]
    gcj = [tuple(map(float, cc.wgs84_to_gcj02(x, y))) for x, y in wgs]
    layer = gpd.GeoDataFrame(geometry=[LineString(gcj)], crs=4326)
    right = to_working_crs(layer, "EPSG:4546", source_crs="gcj02")
    wrong = to_working_crs(layer, "EPSG:4546")  # taking GCJ-02 for WGS84
    truth = gpd.GeoDataFrame(geometry=[LineString(wgs)], crs=4326).to_crs(4546)
    assert right.geometry.iloc[0].hausdorff_distance(truth.geometry.iloc[0]) < 0.01
    shift = wrong.geometry.iloc[0].hausdorff_distance(truth.geometry.iloc[0])
    assert 300 < shift < 1000
