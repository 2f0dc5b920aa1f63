"""Road-section addresses (详细路段地址) of corridor-graph nodes: road, cross streets, side."""

import datetime as dt

import geopandas as gpd
import pytest
from shapely import LineString

import planning  # noqa: F401  (registers the policy profiles)
from gis.address import (
    compass_word,
    cross_streets,
    road_section,
    road_section_address,
    side_word,
    site_access_address,
)
from gis.corridor import build_corridor_graph
from gis.errors import NotFoundError
from gis.profile import load_profile
from planning.assess import assess_sites

from .geometries import CRS, ORIGIN, at, crossroads


def _roads(rows):
    """Roads from (road_id, name, road_class, [(x, y), ...]) in local metres at ORIGIN."""
    return gpd.GeoDataFrame(
        {
            "road_id": [r[0] for r in rows],
            "name": [r[1] for r in rows],
            "road_class": [r[2] for r in rows],
        },
        geometry=[at(LineString(r[3])) for r in rows],
        crs=CRS,
    )


def _node(G, *, road_name, side, x=None, y=None):
    """A node of the block of ``road_name`` containing local (x, y), on ``side``."""
    segs = G.graph["segments"]
    px, py = ORIGIN[0] + (x or 0.0), ORIGIN[1] + (y or 0.0)
    for row in segs[segs["name"] == road_name].itertuples():
        x0, y0, x1, y1 = row.geometry.bounds
        if (x is None or x0 <= px <= x1) and (y is None or y0 <= py <= y1):
            return next(
                n for n, d in G.nodes(data=True) if d["seg"] == row.seg and d["side"] == side
            )
    raise AssertionError(f"no block of {road_name} at ({x}, {y})")


@pytest.mark.parametrize(
    ("bearing", "points", "word"),
    [
        (0.0, 4, "北"),
        (90.0, 4, "东"),
        (180.0, 4, "南"),
        (270.0, 4, "西"),
        (-90.0, 4, "西"),
        (359.0, 4, "北"),
        (44.99, 4, "北"),
        (45.0, 4, "东"),
        (135.0, 8, "东南"),
        (300.0, 8, "西北"),
        (720.0 + 90.0, 4, "东"),
    ],
)
def test_compass_word(bearing, points, word):
    assert compass_word(bearing, points=points) == word


def test_compass_word_refuses_nonsense():
    with pytest.raises(ValueError, match="finite"):
        compass_word(float("nan"))
    with pytest.raises(ValueError, match="4 or 8"):
        compass_word(0.0, points=6)
    with pytest.raises(ValueError, match="'L' or 'R'"):
        side_word(0.0, "X")


def test_sides_of_an_east_west_and_a_north_south_road():
    # 东西大道 is digitised west → east: its left is north; 南北路 south → north: left is west
    G = build_corridor_graph(crossroads())
    assert G.graph["crs"].to_epsg() == 4546
    assert road_section_address(G, _node(G, road_name="东西大道", side="L", x=50)) == (
        "东西大道（南北路以东路段）北侧人行道"
    )
    assert road_section_address(G, _node(G, road_name="东西大道", side="R", x=50)) == (
        "东西大道（南北路以东路段）南侧人行道"
    )
    assert road_section_address(G, _node(G, road_name="东西大道", side="L", x=-50)) == (
        "东西大道（南北路以西路段）北侧人行道"
    )
    assert road_section_address(G, _node(G, road_name="南北路", side="L", y=50)) == (
        "南北路（东西大道以北路段）西侧人行道"
    )
    assert road_section_address(G, _node(G, road_name="南北路", side="R", y=50)) == (
        "南北路（东西大道以北路段）东侧人行道"
    )
    assert road_section_address(G, _node(G, road_name="南北路", side="R", y=-50)) == (
        "南北路（东西大道以南路段）东侧人行道"
    )


@pytest.mark.parametrize("reverse", [False, True])
def test_block_between_two_cross_streets_reads_west_to_east_whatever_the_digitising(reverse):
    main = [(-200, 0), (200, 0)]
    roads = _roads(
        [
            ("m", "中山路", "arterial", main[::-1] if reverse else main),
            ("w", "西一路", "branch", [(-100, -100), (-100, 100)]),
            ("e", "东一路", "branch", [(100, -100), (100, 100)]),
        ]
    )
    G = build_corridor_graph(roads)
    north = "R" if reverse else "L"  # digitised east → west, the right-hand side is north
    south = "L" if reverse else "R"
    assert road_section_address(G, _node(G, road_name="中山路", side=north, x=0)) == (
        "中山路（西一路至东一路段）北侧人行道"
    )
    assert road_section_address(G, _node(G, road_name="中山路", side=south, x=0)) == (
        "中山路（西一路至东一路段）南侧人行道"
    )
    assert road_section_address(G, _node(G, road_name="中山路", side=north, x=150)) == (
        "中山路（东一路以东路段）北侧人行道"
    )


def test_a_road_continuing_under_another_name_is_not_the_cross_street():
    # 甲路 becomes 乙路 at x = 0, where 丙路 crosses: the end of 甲路 is named by 丙路 only;
    # where 乙路 bends into 丁路 with no other road, the continuation names the end
    roads = _roads(
        [
            ("a", "甲路", "secondary", [(-100, 0), (0, 0)]),
            ("b", "乙路", "secondary", [(0, 0), (100, 0)]),
            ("c", "丙路", "branch", [(0, -100), (0, 100)]),
            ("d", "丁路", "branch", [(100, 0), (180, 60)]),
        ]
    )
    G = build_corridor_graph(roads)
    seg_a = int(G.graph["segments"].query("road_id == 'a'")["seg"].iloc[0])
    seg_b = int(G.graph["segments"].query("road_id == 'b'")["seg"].iloc[0])
    assert cross_streets(G, seg_a) == ((), ("丙路",))
    assert road_section(G, seg_a) == "甲路（丙路以西路段）"
    assert road_section(G, seg_b) == "乙路（丙路至丁路段）"


def test_unnamed_road_and_missing_nodes():
    roads = _roads([("x", None, "access", [(0, 0), (0, 100)])])
    G = build_corridor_graph(roads)
    node = next(iter(G.nodes))
    assert road_section_address(G, node) in {"无名道路西侧人行道", "无名道路东侧人行道"}
    with pytest.raises(NotFoundError, match="not in the corridor graph"):
        road_section_address(G, -1)
    with pytest.raises(NotFoundError, match="no nodes"):
        site_access_address(G, [])


def test_demo_frontage_address_checked_by_hand(demo_ws):
    # JM-2026-001 stands east of 掇刀路 (x = 1600, digitised south → north), fronting it over
    # y 300..380: the block from 荆南快速路 (y = 0) to 石化大道 (y = 800); its water line
    # leaves the site at the north end of the frontage and its power tap is at the door
    (a,) = assess_sites(
        demo_ws,
        profile=load_profile("jingmen-2023"),
        site_ids=["JM-2026-001"],
        as_of=dt.date(2026, 11, 29),
    )
    G = demo_ws.corridor_graph()
    expected = "掇刀路（荆南快速路至石化大道段）东侧人行道"
    for utility in ("water", "power"):
        route = a.utilities[utility].route
        assert site_access_address(G, route.nodes) == expected
    # the corner site JM-2026-013 lies north of 团林路 between 天鹅路 and 掇刀路
    (corner,) = assess_sites(
        demo_ws,
        profile=load_profile("jingmen-2023"),
        site_ids=["JM-2026-013"],
        as_of=dt.date(2026, 11, 29),
    )
    assert site_access_address(G, corner.utilities["water"].route.nodes) == (
        "团林路（天鹅路至掇刀路段）北侧人行道"
    )
