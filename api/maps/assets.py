"""Leaflet served by Linkplan itself: maps open with no outside network.

Leaflet comes from the ``xstatic-leaflet`` package (an installed dependency, not a copy in this
repository); its images are inlined into the stylesheet as data URIs, and script, stylesheet,
Linkplan's own measuring control (``static/measure.js``) and its tooltip/popup builder
(``static/detail.js``: text only, no name is ever read as markup) and its road labels and
side-by-side routes (``static/labels.js``) are written into the page, so
one HTML file works from a USB stick, a closed government network or a survey package.
"""

from __future__ import annotations

import base64
import re
from functools import lru_cache
from importlib import resources
from pathlib import Path

import folium
import xstatic.pkg.leaflet as xleaflet
from branca.element import Figure

__all__ = [
    "LEAFLET_VERSION",
    "detail_js",
    "external_references",
    "labels_js",
    "leaflet_css",
    "leaflet_js",
    "make_offline",
    "measure_js",
]

LEAFLET_VERSION: str = str(xleaflet.VERSION)

_DATA = Path(xleaflet.BASE_DIR)


@lru_cache(maxsize=1)
def leaflet_js() -> str:
    """Return Leaflet's minified script from the installed package."""
    return (_DATA / "leaflet.js").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def leaflet_css() -> str:
    """Return Leaflet's stylesheet with its images inlined as data URIs."""
    css = (_DATA / "leaflet.css").read_text(encoding="utf-8")

    def inline(match: re.Match[str]) -> str:
        name = match.group(1)
        data = base64.b64encode((_DATA / "images" / name).read_bytes()).decode("ascii")
        return f"url(data:image/png;base64,{data})"

    return re.sub(r"url\(images/([\w.-]+\.png)\)", inline, css)


@lru_cache(maxsize=1)
def measure_js() -> str:
    """Return Linkplan's own distance-measuring control (测距)."""
    return resources.files("api.maps").joinpath("static/measure.js").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def detail_js() -> str:
    """Return Linkplan's tooltip and popup builder (``linkplanDetail``: text, never markup)."""
    return resources.files("api.maps").joinpath("static/detail.js").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def labels_js() -> str:
    """Return Linkplan's road labels and route offsets (``linkplanRoadLabels``, ``linkplanOffset``)."""
    return resources.files("api.maps").joinpath("static/labels.js").read_text(encoding="utf-8")


def _script(code: str) -> str:
    # a literal "</script>" inside the code would end the element early
    return "<script>" + code.replace("</script", "<\\/script") + "</script>"


def make_offline(m: folium.Map) -> folium.Map:
    """Make a folium map load Leaflet from Linkplan instead of CDNs; return it.

    folium's default links (Leaflet, jQuery, Bootstrap, Font Awesome, awesome-markers, all on
    CDNs) are dropped; Linkplan's maps use only Leaflet and its own controls.
    """
    m.default_js = []
    m.default_css = []
    header = (
        f"<style>{leaflet_css()}</style>\n{_script(leaflet_js())}\n{_script(measure_js())}\n"
        f"{_script(detail_js())}\n{_script(labels_js())}\n"
        "<style>.leaflet-container{background:#f4f3ef;font-family:'Microsoft YaHei',"
        "'PingFang SC','WenQuanYi Micro Hei','Noto Sans CJK SC',sans-serif}</style>"
    )
    figure = m.get_root()
    assert isinstance(figure, Figure)
    figure.header.add_child(folium.Element(header), name="linkplan_offline_assets")
    return m


_ATTR_URL = re.compile(
    r"""(?:\bsrc|\bhref)\s*=\s*["']((?:https?:)?//[^"']+)["']|url\(\s*["']?((?:https?:)?//[^)"']+)""",
    re.IGNORECASE,
)


def external_references(html: str) -> list[str]:
    """Return the outside addresses a page would load as scripts, styles or images.

    Links the user may click (``<a href>``) are not loads and are not returned.

    Examples
    --------
    >>> external_references('<script src="https://cdn.x/l.js"></script><a href="https://a.b">a</a>')
    ['https://cdn.x/l.js']
    >>> external_references("<style>.a{background:url(data:image/png;base64,AA)}</style>")
    []
    """
    out = []
    for match in _ATTR_URL.finditer(html):
        start = html.rfind("<", 0, match.start())
        if html[start : start + 2].lower() == "<a":
            continue
        out.append(match.group(1) or match.group(2))
    return out
