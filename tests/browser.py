"""Headless Chromium for the map tests, with every outside request blocked.

Debian's ``chromium`` (installed by ``make test``) is driven by Playwright; Playwright's own
browser download is not used. A missing browser is a failure, not a skip: the maps are
only known to work when a real browser has drawn them.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, Route, sync_playwright

ARTIFACTS = Path(__file__).resolve().parent.parent / "build" / "test-artifacts"

FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    """Return the system Chromium, or fail with what to install."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    msg = "no Chromium on PATH: `make test` installs Debian's chromium (apt-get install chromium)"
    raise RuntimeError(msg)


@contextmanager
def browser() -> Iterator[Browser]:
    """Start headless Chromium; close it afterwards."""
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), args=FLAGS, headless=True)
        try:
            yield b
        finally:
            b.close()


@dataclass
class Visit:
    """One page opened offline: what it tried to fetch and what went wrong."""

    page: Page
    blocked: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def eval(self, script: str, arg: Any = None) -> Any:
        """Evaluate JavaScript in the page."""
        return self.page.evaluate(script, arg)

    def screenshot(self, name: str) -> Path:
        """Save a screenshot under build/test-artifacts and return its path."""
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / name
        self.page.screenshot(path=str(path))
        return path


def open_offline(
    b: Browser, path: Path | str, *, wait_ms: int = 500, local: str | None = None
) -> Visit:
    """Open a local HTML file (or a URL on ``local``) with every other request aborted."""
    page = b.new_page(viewport={"width": 1280, "height": 860})
    visit = Visit(page)

    def handle(route: Route) -> None:
        url = route.request.url
        if url.startswith(("file:", "data:", "about:")) or (local and url.startswith(local)):
            route.continue_()
        else:
            visit.blocked.append(url)
            route.abort()

    page.route("**/*", handle)
    page.on("pageerror", lambda e: visit.errors.append(str(e)))
    page.on(
        "console", lambda m: visit.errors.append(m.text) if m.type == "error" else None
    )
    page.goto(path if isinstance(path, str) else path.resolve().as_uri())
    if local is None:
        page.wait_for_function("() => window.L !== undefined && document.readyState === 'complete'")
    page.wait_for_timeout(wait_ms)
    return visit


# JavaScript: the Leaflet map of the page and what is drawn on it
MAP_STATE = """
() => {
  const map = Object.values(window).find(v => v instanceof L.Map);
  if (!map) { return null; }
  const tooltips = [];
  const layers = [];
  map.eachLayer(l => {
    layers.push(l.constructor && l.feature ? 'feature' : (l instanceof L.TileLayer ? 'tiles' : 'layer'));
    if (l.feature && l.feature.properties && l.feature.properties.tooltip) {
      tooltips.push(l.feature.properties.tooltip);
    } else if (l.getTooltip && l.getTooltip() && typeof l.getTooltip().getContent() === 'string') {
      const div = document.createElement('div');
      div.innerHTML = l.getTooltip().getContent();
      tooltips.push(div.textContent.trim());
    }
  });
  const tiles = [];
  map.eachLayer(l => { if (l instanceof L.TileLayer) { tiles.push(l._url); } });
  return {
    zoom: map.getZoom(),
    layers: layers.length,
    tooltips: tooltips,
    tiles: tiles,
    paths: document.querySelectorAll('.leaflet-overlay-pane path').length,
    control: Array.from(document.querySelectorAll('.leaflet-control-layers-overlays label'))
      .map(e => e.textContent.trim()),
    legend: (document.getElementById('linkplan-legend') || {}).textContent || '',
    title: (document.getElementById('linkplan-title') || {}).textContent || '',
    measure: !!map.linkplanMeasure,
  };
}
"""
