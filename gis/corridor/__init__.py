"""The road corridor graph: where external lines may run, in metres.

Each road block (a road centreline between two junctions) has two **sides**. Running along a
side is sidewalk work (人行道); getting to the other side is a **carriageway crossing** (车行道)
of that road, whose class and width the crossing edge carries. At a junction the sides of
neighbouring roads meet at the corners (length 0), so turning a corner costs nothing while
going straight over a junction crosses the other road.

Graph contract (one for the whole project; :mod:`gis.convert` turns it into GeoDataFrames):

* an undirected :class:`networkx.Graph`; ``G.graph["crs"]`` is the projected CRS (metres);
* every edge has ``length`` in metres and ``kind`` ∈ ``sidewalk`` | ``crossing`` | ``corner``;
  sidewalk edges carry ``seg``, ``side`` (``L``/``R`` of the block's direction), ``t0``, ``t1``
  (positions along the centreline), ``road_id``, ``name``, ``road_class`` and ``assets``
  (``(utility, asset_id)`` pairs of the mains running along the whole edge); crossing edges
  carry ``seg``, ``t``, ``road_id``, ``name``, ``road_class`` and ``width_m``;
* every node has ``x``, ``y`` (on the sidewalk, for display), ``seg``, ``side``, ``t``,
  ``junction`` (id, or -1 mid-block), ``sites`` (project ids whose frontage it is on) and
  ``taps`` (``(utility, asset_id)`` pairs of mains passing it);
* ``G.graph`` also holds ``segments`` (the blocks as a GeoDataFrame), ``frontages`` (site ×
  block intervals), ``attachments`` (asset × block intervals), ``off_road`` (assets or parts
  of assets farther than the profile allows from every road) and ``lead_ins`` (``(project_id,
  node)`` → metres from the site's red line to that frontage node, the shortest line:
  :func:`~gis.corridor.graph.lead_in_lines`; a route from the site starts with it).

Every edge's ``length`` is the length of the line it is drawn as
(:func:`gis.convert.edge_geometry`): the sidewalk's centre line, pulled back from junctions,
corners as turned and crossings from one sidewalk's centre line to the other's. A route's
length is therefore the length of its drawing. On a straight block a frontage and a main on
the same side, clear of the junctions, are exactly ``|t_main - t_site|`` apart.

The package builds it in three steps, one module each: :mod:`~gis.corridor.blocks` (roads split
into blocks at junctions), :mod:`~gis.corridor.attach` (sites and assets attached to block
sides) and :mod:`~gis.corridor.graph` (nodes and edges).

Examples
--------
A crossroads of two 100 m arms each way (see ``tests/test_corridor.py`` for more):

>>> import geopandas as gpd
>>> from shapely import LineString
>>> roads = gpd.GeoDataFrame(
...     {"road_id": ["a", "b"], "name": ["东西路", "南北路"],
...      "road_class": ["arterial", "branch"], "width_m": [16.0, 8.0]},
...     geometry=[LineString([(-100, 0), (100, 0)]), LineString([(0, -100), (0, 100)])],
...     crs="EPSG:4546")
>>> G = build_corridor_graph(roads)
>>> sorted({d["kind"] for _, _, d in G.edges(data=True)})
['corner', 'crossing', 'sidewalk']
>>> len(G.graph["segments"]), G.number_of_nodes(), G.number_of_edges()
(4, 16, 20)
"""

from gis.corridor.attach import attach_assets, attach_sites
from gis.corridor.blocks import road_segments
from gis.corridor.graph import SIDES, build_corridor_graph, lead_in_lines, lead_ins

__all__ = [
    "SIDES",
    "attach_assets",
    "attach_sites",
    "build_corridor_graph",
    "lead_in_lines",
    "lead_ins",
    "road_segments",
]
