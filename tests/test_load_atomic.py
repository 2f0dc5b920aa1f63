"""``linkplan load`` is all or nothing, on both backends: a refused or killed load stores nothing.

The database holds version 1 of the twelve demo layers; each test loads a changed workspace
(version 2 of every layer) with intake forms and checks what is stored afterwards.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from shapely import Polygon
from sqlalchemy import func, select
from typer.testing import CliRunner

from api.cli import app
from api.settings import get_settings
from data.demo_district import build_district
from data.demo_intakes import demo_intakes
from gis.errors import ValidationError
from gis.storage.migrate import upgrade
from gis.storage.models import NetworkVersion, ProjectRecord
from gis.storage.store import Store, make_engine
from gis.workspace import write_workspace
from tests.service import BACKENDS, new_database

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path, monkeypatch):
    """A store holding version 1 of every demo layer and no projects; the CLI points at it."""
    url = new_database(request, tmp_path)
    engine = make_engine(url)
    upgrade(engine)
    store = Store(engine)
    store.import_layers(build_district("demo"), user="test")
    monkeypatch.setenv("LINKPLAN_DATABASE_URL", url)
    monkeypatch.setenv("LINKPLAN_ENV", "production")
    get_settings.cache_clear()
    yield store
    get_settings.cache_clear()
    engine.dispose()


def _workspace(tmp_path: Path, *, bad_site: bool = False) -> Path:
    """The demo with one water main fewer (every layer a new version), optionally a bad site."""
    layers = build_district("demo")
    layers["water"] = layers["water"].iloc[:-1]
    if bad_site:
        sites = layers["sites"].copy()
        bowtie = [(616_000, 3_419_000), (616_100, 3_419_100), (616_100, 3_419_000), (616_000, 3_419_100)]
        sites.loc[sites.index[3], "geometry"] = Polygon(bowtie)
        layers["sites"] = sites
    return write_workspace(layers, tmp_path / "ws.gpkg")


def _forms(tmp_path: Path, forms: list[dict]) -> Path:
    path = tmp_path / "forms.yaml"
    path.write_text(yaml.safe_dump(forms, allow_unicode=True), encoding="utf-8")
    return path


def _stored(store: Store) -> tuple[dict[str, int], int, int]:
    """Latest versions, number of version rows (any status), number of projects."""
    with store.session() as s:
        rows = s.scalar(select(func.count()).select_from(NetworkVersion))
        projects = s.scalar(select(func.count()).select_from(ProjectRecord))
    return store.latest(), int(rows or 0), int(projects or 0)


def _load(*args: str):
    return CliRunner().invoke(app, ["load", *args])


def test_a_good_load_stores_every_layer_and_the_projects(store, tmp_path):
    res = _load(str(_workspace(tmp_path)), "--demand", str(_forms(tmp_path, demo_intakes()[:3])))
    assert res.exit_code == 0, res.output
    latest, rows, projects = _stored(store)
    assert latest == dict.fromkeys(build_district("demo"), 2)
    assert rows == 26 and projects == 3
    assert len(store.layer("water")) == 242
    assert "water: version 2, 242 features (+0 −1 ~0)" in res.output
    assert "3 projects stored" in res.output


def test_one_invalid_site_stores_no_layer_and_every_problem_is_reported(store, tmp_path):
    before = _stored(store)
    unknown = {**demo_intakes()[0], "site_id": "JM-2099-999"}
    forms = _forms(tmp_path, [*demo_intakes()[:2], unknown])
    res = _load(str(_workspace(tmp_path, bad_site=True)), "--demand", str(forms))
    assert isinstance(res.exception, ValidationError), res.output
    found = {(p.layer, p.code, p.feature) for p in res.exception.problems if p.severity == "error"}
    assert found == {
        ("sites", "invalid_geometry", "JM-2026-004"),
        ("intake", "unknown_site", "JM-2099-999"),
    }
    assert _stored(store) == before == (dict.fromkeys(build_district("demo"), 1), 13, 0)


def test_a_bad_demand_file_stores_no_layer(store, tmp_path):
    before = _stored(store)
    bad = {**demo_intakes()[1], "phone": "12"}
    res = _load(str(_workspace(tmp_path)), "--demand", str(_forms(tmp_path, [demo_intakes()[0], bad])))
    assert isinstance(res.exception, ValidationError), res.output
    errors = [p for p in res.exception.problems if p.severity == "error"]
    assert [p.field for p in errors] == ["phone"]
    assert _stored(store) == before
    assert len(store.layer("water")) == 243


_KILLED_LOAD = """
import sys, time
from api.cli import app
from gis.storage.store import Store

calls = []
diff = Store._diff

def stall(self, *args, **kwargs):
    calls.append(1)
    if len(calls) == 6:  # five layers written, the sixth's features too
        print("six layers written", flush=True)
        time.sleep(120)
    return diff(self, *args, **kwargs)

Store._diff = stall
app(["load", sys.argv[1], "--demand", sys.argv[2]])
"""


def test_a_load_killed_midway_leaves_the_old_state(store, tmp_path):
    before = _stored(store)
    script = tmp_path / "killed_load.py"
    script.write_text(_KILLED_LOAD)
    gpkg, forms = _workspace(tmp_path), _forms(tmp_path, demo_intakes()[:3])
    proc = subprocess.Popen(
        [sys.executable, str(script), str(gpkg), str(forms)], stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    assert proc.stdout is not None
    seen = []
    for line in proc.stdout:  # wait until the sixth layer is being written
        seen.append(line)
        if line.strip() == "six layers written":
            break
    assert seen and seen[-1].strip() == "six layers written", seen
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    proc.stdout.close()
    store.engine.dispose()  # new connections, as after a restart
    assert _stored(store) == before
    assert len(store.layer("water")) == 243
    res = _load(str(gpkg), "--demand", str(forms))  # and the next load goes through
    assert res.exit_code == 0, res.output
    assert _stored(store)[0] == dict.fromkeys(build_district("demo"), 2)
