"""The road corridor graph on hand-built roads: sides, crossings, corners and lengths."""

import geopandas as gpd
import networkx as nx
import pytest
from shapely import LineString

from gis.convert import graph_from_gdfs, graph_to_gdfs
from gis.corridor import build_corridor_graph, road_segments
from gis.errors import GeographicCRSError, ValidationError

from .geometries import (
    CRS,
    at,
    block_site,
    corner_site,
    crossroads,
    straight_block,
    water_main,
    water_sw,
)


def _route(G, utility="water", site=None):
    """Shortest route from any tap of ``utility`` to the site's frontage: (length, kinds)."""
    taps = [n for n, d in G.nodes(data=True) if any(u == utility for u, _ in d["taps"])]
    fronts = [n for n, d in G.nodes(data=True) if (site in d["sites"] if site else d["sites"])]
    dist, paths = nx.multi_source_dijkstra(G, taps, weight="length")
    best = min((n for n in fronts if n in dist), key=dist.get)
    path = paths[best]
    steps = [G.edges[a, b] for a, b in zip(path[:-1], path[1:])]
    return dist[best], [(e["kind"], e.get("road_id"), round(e["length"], 3)) for e in steps]


def test_crossroads_blocks_junctions_and_edge_kinds():
    G = build_corridor_graph(crossroads())
    segs = G.graph["segments"]
    assert len(segs) == 4  # both roads split at the junction
    assert segs["length"].tolist() == pytest.approx([100.0] * 4)
    assert segs.groupby("road_id")["width_m"].first().to_dict() == {"a": 16.0, "b": 8.0}
    kinds = [d["kind"] for _, _, d in G.edges(data=True)]
    # 4 blocks × 2 sides, one crossing at each of the 8 block ends, 4 corners at the junction
    assert (kinds.count("sidewalk"), kinds.count("crossing"), kinds.count("corner")) == (8, 8, 4)
    assert G.number_of_nodes() == 16
    # edges are as long as drawn (issue 14): half-corridors a (16 + 5) / 2 = 10.5 m and
    # b (8 + 3) / 2 = 5.5 m; every block is drawn from 10.5 m off the junction to its own
    # half-corridor short of its dead end; a crossing spans the carriageway and one sidewalk;
    # a corner joins a's sidewalk centre (10.5, 10.5) to b's (5.5, 10.5)
    for _, _, d in G.edges(data=True):
        if d["kind"] == "sidewalk":
            assert d["length"] == pytest.approx({"a": 79.0, "b": 84.0}[d["road_id"]])
        elif d["kind"] == "crossing":
            assert d["length"] == pytest.approx({"a": 21.0, "b": 11.0}[d["road_id"]])
            assert d["road_class"] == {"a": "arterial", "b": "branch"}[d["road_id"]]
        else:
            assert d["length"] == pytest.approx(5.0)
    assert G.graph["crs"].to_epsg() == 4546


def test_corners_join_neighbouring_sides_only():
    G = build_corridor_graph(crossroads())
    # every corner joins two different roads' sidewalks on one corner of the junction: the
    # display points of the two sides it joins are in the same quadrant
    ox, oy = at(LineString([(0, 0), (1, 1)])).coords[0]
    for a, b, d in G.edges(data=True):
        if d["kind"] != "corner":
            continue
        qa = (G.nodes[a]["x"] - ox >= -1e-6, G.nodes[a]["y"] - oy >= -1e-6)
        qb = (G.nodes[b]["x"] - ox >= -1e-6, G.nodes[b]["y"] - oy >= -1e-6)
        assert G.nodes[a]["seg"] != G.nodes[b]["seg"]
        assert qa == qb or (abs(G.nodes[a]["x"] - ox) < 1e-6 or abs(G.nodes[a]["y"] - oy) < 1e-6)


def test_route_from_corner_site_to_main_across_the_junction():
    # site S1 fronts road a (north side, x 20..60) and road b (east side, y 15..60); main W1
    # runs on the south side of road a's west block (x -90..-30). Cheapest by hand, on the
    # drawn line (sidewalk centres 10.5 m off a's centreline, 5.5 m off b's, pulled back 10.5 m
    # from the junction): from the east side of b at y = 15 down to y = 10.5 (4.5), cross b
    # (8 + 3 = 11), round the corner to a's north side (5), cross a (16 + 5 = 21), west along
    # a's south side from x = -10.5 to -30 (19.5): 61 m. From a's frontage it would be 71 m.
    G = build_corridor_graph(crossroads(), sites=corner_site(), networks={"water": water_sw()})
    fr = G.graph["frontages"].set_index("seg")
    assert len(fr) == 2
    segs = G.graph["segments"]
    seg_a_east = int(segs[(segs.road_id == "a") & (segs.length > 0)].iloc[1]["seg"])
    assert fr.loc[seg_a_east, ["t0", "t1"]].tolist() == pytest.approx([20.0, 60.0])
    assert fr.loc[seg_a_east, "side"] == 0  # north = left of a west-to-east road
    length, steps = _route(G, site="S1")
    assert length == pytest.approx(61.0)
    assert steps == [
        ("sidewalk", "a", 19.5),
        ("crossing", "a", 21.0),
        ("corner", None, 5.0),
        ("sidewalk", "b", 4.5),
        ("crossing", "b", 11.0),
    ]
    att = G.graph["attachments"].iloc[0]
    assert (att.asset_id, att.side, att.t0, att.t1, att.offset_m) == ("W1", 1, 10.0, 70.0, 12.0)


def test_same_side_route_has_no_crossing_and_exact_length():
    # one 800 m block; a site fronting x 100..180 on the north; a main on the north from
    # x = 480: the external line is exactly 300 m along the sidewalk, with no crossing
    roads, site, main = straight_block(), block_site(), water_main(480, 760, 11)
    G = build_corridor_graph(roads, sites=site, networks={"water": main})
    length, steps = _route(G)
    assert length == 300.0
    assert {k for k, _, _ in steps} == {"sidewalk"}
    # the same main on the far side: one crossing of the default arterial carriageway (16 m)
    # from sidewalk centre to sidewalk centre (+ 5 m of sidewalk)
    far = main.copy()
    far.geometry = [at(LineString([(480, -11), (760, -11)]))]
    G = build_corridor_graph(roads, sites=site, networks={"water": far})
    length, steps = _route(G)
    assert length == pytest.approx(321.0)
    assert [k for k, _, _ in steps].count("crossing") == 1


def test_t_junction_splits_the_through_road_and_expressway_overpass_does_not():
    roads = gpd.GeoDataFrame(
        {
            "road_id": ["main", "side", "xway"],
            "name": ["主路", "支路", "高速"],
            "road_class": ["arterial", "branch", "expressway"],
        },
        geometry=[
            at(LineString([(0, 0), (300, 0)])),
            at(LineString([(120, 0), (120, 200)])),  # ends on main's interior: T junction
            at(LineString([(200, -100), (200, 300)])),  # crosses main without a vertex
        ],
        crs=CRS,
    )
    segs = road_segments(roads)
    assert sorted(segs.groupby("road_id").size().items()) == [("main", 2), ("side", 1), ("xway", 1)]
    main = segs[segs.road_id == "main"].sort_values("length")
    assert main["length"].tolist() == pytest.approx([120.0, 180.0])
    # the T junction has three block ends, so three corners
    G = build_corridor_graph(roads)
    corners = [d for _, _, d in G.edges(data=True) if d["kind"] == "corner"]
    assert len(corners) == 3


def test_main_ending_at_a_junction_is_not_given_to_the_crossing_road():
    # the main runs along road a's north side right up to road b's centreline
    main = gpd.GeoDataFrame(
        {"asset_id": ["W2"], "status": ["existing"], "diameter_mm": [150.0]},
        geometry=[at(LineString([(-100, 12), (0, 12)]))],
        crs=CRS,
    )
    G = build_corridor_graph(crossroads(), networks={"water": main})
    att = G.graph["attachments"]
    segs = G.graph["segments"].set_index("seg")
    assert set(segs.loc[att["seg"], "road_id"]) == {"a"}
    assert att[["t0", "t1"]].iloc[0].tolist() == pytest.approx([0.0, 100.0])


def test_off_road_assets_are_reported():
    main = gpd.GeoDataFrame(
        {
            "asset_id": ["far", "half"],
            "status": ["existing", "existing"],
            "diameter_mm": [100.0, 100.0],
        },
        geometry=[
            at(LineString([(40, 60), (90, 60)])),  # 60 m from a, 40 m from b
            # 40 m along road a's north side, then 78 m away from it, northwards
            at(LineString([(-90, 12), (-50, 12), (-50, 90)])),
        ],
        crs=CRS,
    )
    G = build_corridor_graph(crossroads(), networks={"water": main})
    off = G.graph["off_road"].set_index("asset_id")["off_road_share"]
    assert off["far"] == 1.0
    assert off["half"] == pytest.approx(8 / 12)  # 12 samples; the 8 on the northward leg
    att = G.graph["attachments"].set_index("asset_id")
    assert "far" not in att.index
    # attached from its true end (x = -90, t = 10) to its last sample along the road: exact
    # at the asset's end points, within one sample step (10 m) of the turn elsewhere
    assert att.loc["half", "t0"] == pytest.approx(10.0)
    assert 40.0 <= att.loc["half", "t1"] <= 50.0


def test_geographic_or_mixed_crs_is_refused():
    with pytest.raises(GeographicCRSError, match="road corridor graph needs a projected CRS"):
        build_corridor_graph(crossroads().to_crs(4326))
    with pytest.raises(ValidationError, match="differ in CRS"):
        build_corridor_graph(crossroads(), networks={"water": water_sw().to_crs(32649)})


def test_graph_round_trips_through_geodataframes():
    G = build_corridor_graph(crossroads(), sites=corner_site(), networks={"water": water_sw()})
    nodes, edges = graph_to_gdfs(G)
    assert nodes.crs.to_epsg() == 4546 and edges.crs.to_epsg() == 4546
    side = edges[edges.kind == "sidewalk"]
    # drawn beside the road, at half carriageway + half sidewalk (8 + 2.5 for the arterial),
    # and pulled back from the junction by the widest half-corridor there (10.5 m): a run
    # from the block end to x = 20 is drawn 20 - 10.5 m long, a mid-block run at full length
    by_t = side.set_index(["road_id", "t0", "t1"]).geometry.length
    segs = G.graph["segments"]
    assert set(segs["draw_t0"]) == {5.5, 10.5}  # road b pulls back its own 5.5 m at dead ends
    drawn = {k: round(v, 6) for k, v in by_t.items() if k[0] == "a"}
    assert drawn[("a", 0.0, 20.0)] == 20.0 - 10.5
    assert drawn[("a", 20.0, 60.0)] == 40.0
    assert drawn[("a", 10.0, 70.0)] == 70.0 - 10.5  # the west dead end pulls back 10.5 m too
    a_side = side[side.road_id == "a"].iloc[0]
    y0 = at(LineString([(0, 0), (1, 0)])).coords[0][1]
    assert abs(a_side.geometry.coords[0][1] - y0) == pytest.approx(10.5)
    assert edges.loc[edges.kind == "sidewalk", "assets"].str.contains("water:W1").sum() == 1
    H = graph_from_gdfs(nodes, edges)
    assert nx.utils.edges_equal(G.edges(data=True), H.edges(data=True))
    assert dict(G.nodes(data=True)) == dict(H.nodes(data=True))
    broken = edges.copy()
    broken.loc[0, "length"] = float("nan")
    with pytest.raises(ValidationError, match="length"):
        graph_from_gdfs(nodes, broken)
    with pytest.raises(GeographicCRSError):
        graph_from_gdfs(nodes.to_crs(4326), edges)


def test_a_road_stopping_just_short_of_another_is_joined():
    # 南北路 ends 0.3 m short of 东西大道 (digitising gap < the 0.5 m junction snap)
    roads = gpd.GeoDataFrame(
        {
            "road_id": ["a", "b"],
            "name": ["东西大道", "南北路"],
            "road_class": ["arterial", "branch"],
        },
        geometry=[at(LineString([(-100, 0), (100, 0)])), at(LineString([(0, 0.3), (0, 100)]))],
        crs=CRS,
    )
    G = build_corridor_graph(roads)
    assert nx.number_connected_components(G) == 1
    segs = G.graph["segments"]
    assert sorted(segs.groupby("road_id").size().items()) == [("a", 2), ("b", 1)]
    assert segs.loc[segs.road_id == "b", "length"].iloc[0] == pytest.approx(100.0)
    # 0.8 m short is beyond the snap: left apart (and visible as two components)
    far = roads.copy()
    far.loc[1, "geometry"] = at(LineString([(0, 0.8), (0, 100)]))
    assert nx.number_connected_components(build_corridor_graph(far)) == 2
