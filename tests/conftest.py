"""Test configuration: property tests run the same examples on every machine.

Hypothesis draws its examples from a fixed seed (``derandomize``), so a CI run cannot fail on
an example no developer ever saw; set ``HYPOTHESIS_PROFILE=explore`` to search randomly.
"""

import os

import pytest
from hypothesis import settings

from data.demo_district import DEMO_CASES, build_district
from gis.workspace import Workspace
from planning.assess import assess_sites
from tests.demo import AS_OF, JINGMEN, demo_demand

settings.register_profile("repeatable", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("explore", deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))
pytest_plugins = ["tests.postgis"]


@pytest.fixture(scope="module")
def demo_ws():
    """The 掇刀区 demo district as a workspace in EPSG:4546 (one per test module)."""
    return Workspace.from_layers(build_district("demo"), crs="EPSG:4546")


@pytest.fixture(scope="module")
def city_scope_ws():
    """The demo with a scope of the central city alone, without the 团林组团 (seed 二 has both).

    The 团林 site JM-2026-007 is outside this scope: what a site outside the scope gets.
    """
    layers = build_district("demo")
    scope = layers["scope"]
    layers["scope"] = scope[~scope["name"].str.contains("组团")].reset_index(drop=True)
    return Workspace.from_layers(layers, crs="EPSG:4546")


@pytest.fixture(scope="module")
def results(demo_ws):
    """Every demo site assessed with the demand of its intake form, by project id."""
    demands = {pid: demo_demand(c) for pid, c in DEMO_CASES.items()}
    out = assess_sites(demo_ws, profile=JINGMEN, demands=demands, as_of=AS_OF)
    return {a.project_id: a for a in out}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that drives Chromium (fixture ``chromium``) ``browser``: not in test-fast."""
    for item in items:
        if "chromium" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)
