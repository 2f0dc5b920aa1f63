"""One small real dataset end to end: Futian (Shenzhen) OSM roads → workspace → corridor graph."""

from pathlib import Path

import networkx as nx
import pytest
from typer.testing import CliRunner

from api.cli import app
from gis.convert import edge_geometry
from gis.workspace import open_workspace

FUTIAN = Path(__file__).parent / "data" / "shenzhen_futian_drive.graphml"


@pytest.fixture(scope="module")
def futian_ws(tmp_path_factory):
    ws = tmp_path_factory.mktemp("futian") / "futian.gpkg"
    # Shenzhen lies at 114°E: its CGCS2000 3° zone is CM 114°E, EPSG:4547
    res = CliRunner().invoke(app, ["import", str(ws), str(FUTIAN), "--crs", "EPSG:4547"])
    assert res.exit_code == 0, res.output
    assert "imported roads (2,986)" in res.output
    return open_workspace(ws, strict=False)


def test_import_keeps_chinese_names_and_classes(futian_ws):
    roads = futian_ws.layer("roads")
    assert futian_ws.crs.to_epsg() == 4547
    assert len(roads) == 2986
    assert {"深南大道", "滨海大道"} <= set(roads["name"])
    assert set(roads["road_class"]) <= {"expressway", "arterial", "secondary", "branch", "access"}
    # without scope and sites the workspace is incomplete, and says so
    missing = {p.layer for p in futian_ws.report.errors if p.code == "missing_layer"}
    assert missing == {"scope", "sites"}


def test_corridor_graph_on_real_roads(futian_ws):
    roads = futian_ws.layer("roads")
    G = futian_ws.corridor_graph()
    segs = G.graph["segments"]
    # blocks cover the roads (splitting only cuts lines; cuts are placed to the millimetre)
    assert len(segs) >= len(roads)
    assert segs["length"].sum() == pytest.approx(roads.geometry.length.sum(), abs=0.001 * len(segs))
    # every edge is as long as it is drawn (issue 14: one measure)
    for u, v, d in G.edges(data=True):
        assert d["length"] == pytest.approx(edge_geometry(G, u, v).length, abs=1e-6)
    # undivided blocks keep both sidewalks (a divided road's median has none: test_divided_roads)
    undivided = set(segs.loc[segs["carriageway_pair"] == "", "seg"])
    kept = {d["seg"] for _, d in G.nodes(data=True)} & undivided
    crossings = [d for _, _, d in G.edges(data=True) if d["kind"] == "crossing"]
    plain = [d for d in crossings if d["seg"] in kept]
    assert len(plain) == 2 * len(kept)  # one at each end of each block, no inserts
    assert all(d["length"] > 0 for d in crossings)
    # the OSM drive graph is one connected network; the corridor graph keeps it connected
    largest = max(nx.connected_components(G), key=len)
    assert len(largest) / G.number_of_nodes() > 0.99
