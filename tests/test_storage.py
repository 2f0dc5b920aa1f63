"""Versioned layers in the database: one suite, run on the embedded SQLite and on real PostGIS."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from shapely import LineString
from sqlalchemy import Engine, func, select, text

import planning  # noqa: F401
from data.demo_district import DEMO_CASES, build_district
from gis.errors import LayerNotFoundError, NotFoundError, ValidationError
from gis.profile import load_profile
from gis.storage.migrate import upgrade
from gis.storage.models import Base, NetworkVersion
from gis.storage.store import Store, make_engine
from planning.assess import assess_sites
from tests.demo import demo_demand

CRS = "EPSG:4546"


def _fresh(engine: Engine) -> None:
    """Drop everything of a previous test, then migrate to the current schema."""
    with engine.begin() as c:
        if engine.dialect.name == "postgresql":
            c.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        else:
            for t in reversed(Base.metadata.sorted_tables):
                c.execute(text(f"DROP TABLE IF EXISTS {t.name}"))
            c.execute(text("DROP TABLE IF EXISTS alembic_version"))
    upgrade(engine)


@pytest.fixture(params=["sqlite", pytest.param("postgis", marks=pytest.mark.postgis)])
def store(request, tmp_path):
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'linkplan.db'}")
    else:
        engine = make_engine(request.getfixturevalue("postgis_url"))
    _fresh(engine)
    yield Store(engine)
    engine.dispose()


def _water(*rows):
    """Water mains as (asset_id, diameter_mm, coordinates) in EPSG:4546."""
    return gpd.GeoDataFrame(
        {
            "asset_id": [r[0] for r in rows],
            "status": "existing",
            "diameter_mm": [r[1] for r in rows],
        },
        geometry=[LineString(r[2]) for r in rows],
        crs=CRS,
    )


def _base(store: Store) -> None:
    layers = build_district("demo")
    for name in ("scope", "roads", "sites"):
        store.import_layer(name, layers[name], user="test")


X0, Y0 = 616_000.0, 3_419_000.0


def test_migrations_build_the_models_schema(store):
    with store.engine.connect() as c:
        diff = compare_metadata(MigrationContext.configure(c), Base.metadata)
    # PostGIS's own spatial_ref_sys is not ours
    assert [d for d in diff if not (d[0] == "remove_table" and d[1].name == "spatial_ref_sys")] == []


def test_versions_diff_and_history(store):
    _base(store)
    v1 = store.import_layer(
        "water",
        _water(
            ("W1", 200, [(X0, Y0), (X0 + 100, Y0)]),
            ("W2", 300, [(X0, Y0 + 50), (X0 + 100, Y0 + 50)]),
            ("W3", 400, [(X0, Y0 + 90), (X0 + 100, Y0 + 90)]),
        ),
        user="水务",
    )
    assert (v1.version, v1.added, v1.removed, v1.changed) == (1, ["W1", "W2", "W3"], [], [])
    v2 = store.import_layer(
        "water",
        _water(
            ("W1", 200, [(X0, Y0), (X0 + 100, Y0)]),  # unchanged
            ("W2", 315, [(X0, Y0 + 50), (X0 + 100, Y0 + 50)]),  # attribute changed
            ("W3", 400, [(X0, Y0 + 90), (X0 + 120, Y0 + 90)]),  # geometry changed
            ("W4", 100, [(X0, Y0 + 10), (X0 + 10, Y0 + 10)]),  # new
        ),
        user="水务",
    )
    assert (v2.version, v2.added, v2.removed, v2.changed) == (2, ["W4"], [], ["W2", "W3"])
    v3 = store.import_layer("water", _water(("W4", 100, [(X0, Y0 + 10), (X0 + 10, Y0 + 10)])))
    assert (v3.added, v3.removed, v3.changed) == ([], ["W1", "W2", "W3"], [])
    # every version stays readable, the latest is the default
    assert sorted(store.layer("water", version=1)["asset_id"]) == ["W1", "W2", "W3"]
    old = store.layer("water", version=2).set_index("asset_id")
    assert old.loc["W2", "diameter_mm"] == 315
    assert old.geometry["W3"].length == pytest.approx(120.0)
    assert old.crs.to_epsg() == 4546
    assert list(store.layer("water")["asset_id"]) == ["W4"]
    assert store.latest()["water"] == 3
    with pytest.raises(NotFoundError, match="version 9 of layer 'water'"):
        store.layer("water", version=9)
    with pytest.raises(LayerNotFoundError, match="no layer 'gas'"):
        store.layer("gas")


def test_bbox_filter_in_the_database(store):
    _base(store)
    store.import_layer(
        "water",
        _water(
            ("inside", 200, [(X0 + 10, Y0 + 10), (X0 + 20, Y0 + 10)]),
            ("across", 200, [(X0 - 50, Y0 + 50), (X0 + 150, Y0 + 50)]),
            # its bounding box overlaps the query box, the line itself passes outside it
            ("diagonal", 200, [(X0 + 90, Y0 + 130), (X0 + 130, Y0 + 90)]),
            ("far", 200, [(X0 + 5000, Y0), (X0 + 5100, Y0)]),
        ),
    )
    got = store.layer("water", bbox=(X0, Y0, X0 + 100, Y0 + 100))
    assert sorted(got["asset_id"]) == ["across", "inside"]
    page1 = store.layer("water", limit=2)
    page2 = store.layer("water", limit=2, offset=2)
    assert list(page1["asset_id"]) + list(page2["asset_id"]) == ["inside", "across", "diagonal", "far"]


@pytest.mark.postgis
def test_postgis_uses_the_gist_index(postgis_url):
    engine = make_engine(postgis_url)
    _fresh(engine)
    store = Store(engine)
    _base(store)
    with engine.connect() as c:
        kinds = dict(
            c.execute(
                text("SELECT indexname, indexdef FROM pg_indexes WHERE tablename='network_features'")
            ).all()
        )
        srid = c.execute(
            text("SELECT srid FROM geometry_columns WHERE f_table_name='network_features'")
        ).scalar()
        c.execute(text("SET enable_seqscan = off"))
        plan = "\n".join(
            r[0]
            for r in c.execute(
                text(
                    "EXPLAIN SELECT id FROM network_features WHERE "
                    "ST_Intersects(geom, ST_MakeEnvelope(0, 0, 1, 1, 4546))"
                )
            )
        )
    assert "USING gist (geom)" in kinds["ix_network_features_geom"]
    assert srid == 4546
    assert "ix_network_features_geom" in plan
    engine.dispose()


def test_refused_import_changes_nothing(store):
    _base(store)
    store.import_layer("water", _water(("W1", 200, [(X0, Y0), (X0 + 100, Y0)])))
    bad = _water(("W1", -5, [(X0, Y0), (X0 + 100, Y0)]), ("W1", 200, [(X0, Y0), (X0, Y0 + 1)]))
    with pytest.raises(ValidationError) as err:
        store.import_layer("water", bad)
    codes = {p.code for p in err.value.problems if p.severity == "error"}
    assert {"duplicate_id"} <= codes and len(err.value.problems) >= 2  # all problems at once
    with store.session() as s:
        rows = s.execute(select(NetworkVersion.layer, NetworkVersion.version, NetworkVersion.status)).all()
    assert sorted((r[0], r[1], r[2]) for r in rows if r[0] == "water") == [("water", 1, "committed")]
    assert list(store.layer("water")["diameter_mm"]) == [200]


def test_failure_mid_import_leaves_no_half_version(store, monkeypatch):
    _base(store)
    store.import_layer("water", _water(("W1", 200, [(X0, Y0), (X0 + 100, Y0)])))

    def crash(*_args, **_kwargs):
        msg = "power cut while writing"
        raise RuntimeError(msg)

    monkeypatch.setattr(Store, "_diff", crash)  # after the features were written
    with pytest.raises(RuntimeError, match="power cut"):
        store.import_layer("water", _water(("W2", 300, [(X0, Y0), (X0 + 50, Y0)])))
    monkeypatch.undo()
    with store.session() as s:
        n = s.scalar(select(func.count()).select_from(NetworkVersion).where(NetworkVersion.layer == "water"))
        features = s.scalar(text("SELECT count(*) FROM network_features"))
    assert n == 1
    assert features == 92 + 2 + 16 + 1  # roads, scope (central city, 团林组团), sites and W1 only
    again = store.import_layer("water", _water(("W2", 300, [(X0, Y0), (X0 + 50, Y0)])))
    assert again.version == 2


def test_assessment_on_stored_workspace_matches_memory(store):
    layers = build_district("demo")
    names = ("scope", "roads", "sites", "water", "sources", "power", "major_lines", "green_space")
    for name in names:
        store.import_layer(name, layers[name])
    ws, versions = store.workspace()
    assert versions == dict.fromkeys(names, 1)
    profile = load_profile("jingmen-2023")
    pid = next(p for p, c in DEMO_CASES.items() if c["case"] == "short_route")
    demand = demo_demand(DEMO_CASES[pid])
    a = assess_sites(ws, profile=profile, site_ids=[pid], demands={pid: demand}, as_of=dt.date(2026, 11, 29))[0]
    # the hand-designed case: water main 120 m north along 掇刀路 (issue 3 tests), the DN100
    # main in front refused by the capacity check on the stored sources (issue 16)
    assert a.utilities["water"].route is not None
    assert a.utilities["water"].route.tap_asset == "W-0068"
    assert a.utilities["water"].route.length_m == pytest.approx(120.0, abs=0.5)
    assert a.approval_path == "commitment"
    # geometry came back exactly
    stored = store.layer("roads").set_index("road_id").geometry
    assert all(
        shapely.equals_exact(stored[r], g, tolerance=1e-9)
        for r, g in zip(layers["roads"]["road_id"], layers["roads"].geometry)
    )


_KILLED_IMPORT = """
import sys, time
import geopandas as gpd
from shapely import LineString
from gis.storage.store import Store, make_engine

def stall(self, *args, **kwargs):
    print("features written", flush=True)
    time.sleep(120)

Store._diff = stall
store = Store(make_engine(sys.argv[1]))
x0, y0 = 616000.0, 3419000.0
water = gpd.GeoDataFrame(
    {"asset_id": [f"N{i}" for i in range(2000)], "status": "existing", "diameter_mm": 200.0},
    geometry=[LineString([(x0, y0 + i * 0.1), (x0 + 50, y0 + i * 0.1)]) for i in range(2000)],
    crs="EPSG:4546",
)
store.import_layer("water", water)
"""


def test_killed_import_loses_nothing_committed(store, tmp_path):
    """A process killed (SIGKILL) mid-import: no half-written version, the old one intact."""
    _base(store)
    store.import_layer("water", _water(("W1", 200, [(X0, Y0), (X0 + 100, Y0)])))
    with store.session() as s:
        before = s.scalar(text("SELECT count(*) FROM network_features"))
    script = tmp_path / "killed_import.py"
    script.write_text(_KILLED_IMPORT)
    url = store.engine.url.render_as_string(hide_password=False)
    proc = subprocess.Popen(
        [sys.executable, str(script), url],
        stdout=subprocess.PIPE,
        text=True,
        cwd=str(Path(__file__).resolve().parent.parent),
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.strip() == "features written", line
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    proc.stdout.close()
    store.engine.dispose()  # new connections, as after a restart
    with store.session() as s:
        rows = s.execute(
            select(NetworkVersion.version, NetworkVersion.status).where(NetworkVersion.layer == "water")
        ).all()
        after = s.scalar(text("SELECT count(*) FROM network_features"))
    assert [tuple(r) for r in rows] == [(1, "committed")]
    assert after == before
    assert list(store.layer("water")["asset_id"]) == ["W1"]
    assert store.import_layer("water", _water(("W2", 300, [(X0, Y0), (X0 + 50, Y0)]))).version == 2


@pytest.mark.postgis
def test_workers_starting_together_migrate_once(tmp_path, postgis_url):
    """Four workers open one new database at the same moment: one schema, no error."""
    for url in (f"sqlite:///{tmp_path / 'shared.db'}", postgis_url):
        if url.startswith("postgresql"):
            engine = make_engine(url)
            with engine.begin() as c:
                c.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            engine.dispose()

        def start(_: int, url: str = url) -> str:
            engine = make_engine(url)
            try:
                upgrade(engine)
                with engine.connect() as c:
                    return str(c.execute(text("SELECT version_num FROM alembic_version")).scalar())
            finally:
                engine.dispose()

        with ThreadPoolExecutor(max_workers=4) as pool:
            versions = list(pool.map(start, range(4)))
        assert versions == ["0004"] * 4, url
