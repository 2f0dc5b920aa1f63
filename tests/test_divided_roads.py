"""Divided roads (two one-way carriageways and a median): one road to cross, no median walk."""

from pathlib import Path

import geopandas as gpd
import networkx as nx
import pytest
from shapely import LineString

from gis.corridor import build_corridor_graph
from gis.io.osm import mark_divided_pairs, roads_from_graphml
from gis.profile import load_profile
from planning.approval import CarriagewayCrossing
from planning.route_facts import _add_crossing

FUTIAN = Path(__file__).parent / "data" / "shenzhen_futian_drive.graphml"
CRS = "EPSG:4547"


def _roads(rows):
    names, lines, classes = zip(*rows)
    return gpd.GeoDataFrame(
        {
            "road_id": [f"r{i}" for i in range(len(rows))],
            "name": list(names),
            "road_class": list(classes),
            "highway": ["primary"] * len(rows),
        },
        geometry=list(lines),
        crs=CRS,
    )


def test_pairs_are_opposite_parallel_one_way_roads_of_one_name():
    roads = _roads(
        [
            ("深南大道", LineString([(0, 0), (300, 0)]), "arterial"),  # eastbound
            ("深南大道", LineString([(300, 24), (0, 24)]), "arterial"),  # westbound, 24 m north
            ("深南大道", LineString([(0, -24), (300, -24)]), "arterial"),  # eastbound again
            ("红荔路", LineString([(300, 48), (0, 48)]), "arterial"),  # other name
            ("深南大道", LineString([(300, 200), (0, 200)]), "arterial"),  # too far
        ]
    )
    assert mark_divided_pairs(roads, [1, 1, 1, 1, 1]) == ["pair:1", "pair:1", "", "", ""]
    # oneway=-1 reverses travel: the two then run the same way; a two-way road has no pair
    assert mark_divided_pairs(roads, [1, -1, 1, 1, 1]) == [""] * 5
    assert mark_divided_pairs(roads, [0, 1, 1, 1, 1]) == [""] * 5


def _divided_cross():
    """深南大道 as two carriageways 24 m apart (x -200..200) crossed by 新洲路 at x = 0."""
    roads = _roads(
        [
            ("深南大道", LineString([(200, 12), (0, 12)]), "arterial"),
            ("深南大道", LineString([(0, 12), (-200, 12)]), "arterial"),
            ("深南大道", LineString([(-200, -12), (0, -12)]), "arterial"),
            ("深南大道", LineString([(0, -12), (200, -12)]), "arterial"),
            ("新洲路", LineString([(0, -100), (0, 100)]), "branch"),
        ]
    )
    roads["carriageway_pair"] = ["pair:1"] * 4 + [""]
    return roads


def _node_near(G, x, y):
    return min(G.nodes, key=lambda n: (G.nodes[n]["x"] - x) ** 2 + (G.nodes[n]["y"] - y) ** 2)


def test_divided_road_is_crossed_once_and_has_no_median_sidewalk():
    G = build_corridor_graph(_divided_cross())
    segs = G.graph["segments"]
    divided = set(segs.loc[segs["name"] == "深南大道", "seg"])
    sidewalk = [
        d for _, _, d in G.edges(data=True) if d["kind"] == "sidewalk" and d["seg"] in divided
    ]
    # each 200 m carriageway keeps only its outer sidewalk, drawn (and so measured) up to the
    # cross road's sidewalk: one side of each of the 4 blocks, not both sides
    drawn = segs.loc[segs["seg"].isin(divided)]
    one_side = float((drawn["draw_t1"] - drawn["draw_t0"]).sum())
    assert sum(d["length"] for d in sidewalk) == pytest.approx(one_side)
    assert 700.0 < one_side < 800.0
    # every node left on the road lies outside the carriageways (|y| > 12 + 4), none in the median
    assert all(abs(G.nodes[n]["y"]) > 16 for n in G if G.nodes[n]["seg"] in divided)
    # from the north-west corner to the south-west corner: one crossing of the whole road
    a, b = _node_near(G, -200, 30), _node_near(G, -200, -30)
    path = nx.shortest_path(G, a, b, weight="length")
    crossings = [
        G.edges[u, v] for u, v in zip(path, path[1:]) if G.edges[u, v]["kind"] == "crossing"
    ]
    assert [c["name"] for c in crossings] == ["深南大道"]
    # both half carriageways (16 m / 2 each) and the 24 - 8 = 16 m median
    assert crossings[0]["width_m"] == pytest.approx(4 + 24 + 4)
    assert crossings[0]["median_m"] == pytest.approx(16.0)
    assert crossings[0]["carriageway_pair"] == "pair:1"
    # 新洲路's stretch inside the median is no corridor; its outer stretches are
    xinzhou = segs.loc[segs["name"] == "新洲路"]
    inside = set(xinzhou.loc[xinzhou["length"] < 30, "seg"])
    assert len(inside) == 1
    assert not any(G.nodes[n]["seg"] in inside for n in G)
    assert nx.is_connected(G)


def test_median_is_green_only_where_the_profile_says_so():
    profile = load_profile().with_value("roads.median_is_green", True, source="test city")
    assert not load_profile().roads.median_is_green
    G = build_corridor_graph(_divided_cross(), profile=profile)
    median = [d for _, _, d in G.edges(data=True) if d.get("median")]
    # the inner side of each of the 4 blocks, drawn up to the cross road's sidewalk
    segs = G.graph["segments"]
    drawn = segs.loc[segs["name"] == "深南大道"]
    one_side = float((drawn["draw_t1"] - drawn["draw_t0"]).sum())
    assert sum(d["length"] for d in median) == pytest.approx(one_side)
    assert 700.0 < one_side < 800.0
    assert {d["kind"] for d in median} == {"sidewalk"}
    # the median is entered over one carriageway: that crossing belongs to the divided road
    own = [d for _, _, d in G.edges(data=True) if d["kind"] == "crossing" and d["width_m"] == 8.0]
    assert own and {d["carriageway_pair"] for d in own} == {"pair:1"}


def test_two_carriageway_crossings_of_one_road_are_reported_once():
    out: list[CarriagewayCrossing] = []
    pairs: list[str] = []
    _add_crossing(out, pairs, CarriagewayCrossing("r0", "深南大道", "arterial", 8.0, 0, 12), "p")
    _add_crossing(out, pairs, CarriagewayCrossing("r2", "深南大道", "arterial", 8.0, 0, -12), "p")
    _add_crossing(out, pairs, CarriagewayCrossing("r4", "新洲路", "branch", 7.5, 5, 0), "")
    assert [(c.name, c.width_m, c.road_id) for c in out] == [
        ("深南大道", 16.0, "r0"),
        ("新洲路", 7.5, "r4"),
    ]


@pytest.fixture(scope="module")
def futian_graph():
    roads = roads_from_graphml(FUTIAN).to_crs(CRS)
    return roads, build_corridor_graph(roads)


def test_futian_arterials_are_paired(futian_graph):
    roads, _ = futian_graph
    shennan = roads[roads["name"] == "深南大道"]
    assert (shennan["carriageway_pair"] != "").sum() >= 6
    # ramps and slip roads (*_link) are never a carriageway of a divided road
    assert set(roads.loc[roads["highway"].str.contains("_link"), "carriageway_pair"]) == {""}


def test_futian_route_across_shennan_crosses_it_once(futian_graph):
    _, G = futian_graph
    segs = G.graph["segments"]
    paired = set(segs.loc[segs["carriageway_pair"] != "", "seg"])
    # no median sidewalks: a paired block keeps at most one side along its length
    sides: dict[int, set[str]] = {}
    for _, _, d in G.edges(data=True):
        if d["kind"] == "sidewalk" and d["seg"] in paired:
            sides.setdefault(d["seg"], set()).add(d["side"])
    assert sides and all(len(s) == 1 for s in sides.values())
    # a 深南大道 crossing, and a route from 100+ m along one side to the other side
    a, b = next(
        (u, v)
        for u, v, d in G.edges(data=True)
        if d["kind"] == "crossing" and d["name"] == "深南大道" and d.get("carriageway_pair")
    )
    along = nx.single_source_dijkstra_path_length(G, a, cutoff=400, weight="length")
    start = next(
        n
        for n, dist in sorted(along.items(), key=lambda x: -x[1])
        if G.nodes[n]["seg"] == G.nodes[a]["seg"]
        and G.nodes[n]["side"] == G.nodes[a]["side"]
        and n != a
    )
    path = nx.shortest_path(G, start, b, weight="length")
    crossed = [
        G.edges[u, v]["name"]
        for u, v in zip(path, path[1:])
        if G.edges[u, v]["kind"] == "crossing" and "深南大道" in G.edges[u, v]["name"]
    ]
    assert crossed == ["深南大道"]
