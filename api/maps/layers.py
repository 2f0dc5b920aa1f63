"""Building blocks of Linkplan's maps: GeoJSON overlays, markers, legend, title and controls.

Every overlay goes through a :class:`~api.maps.basemap.Display`, so coordinates are WGS84 or,
on the 高德 basemap, GCJ-02 — never a mix.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import shapely
from branca.element import Figure, MacroElement, Template
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

from api.maps.assets import external_references, make_offline
from api.maps.basemap import BASEMAP_ZH, Display, tiles_for
from api.maps.style import UTILITY_COLOURS, UTILITY_ZH

__all__ = [
    "MAX_MAP_BYTES",
    "OverlayStyle",
    "Popup",
    "add_geometries",
    "add_legend",
    "add_title",
    "base_map",
    "clip_layer",
    "feature_group",
    "layer_name",
    "popup_table",
    "render_html",
    "save_html",
]

MAX_MAP_BYTES = 2_000_000
"""A project map must stay under 2 MB (issue 7): it is sent to phones in the field."""


def figure_of(m: folium.Map) -> Figure:
    """Return the page (branca Figure) a map is drawn on."""
    figure = m.get_root()
    assert isinstance(figure, Figure)
    return figure


def base_map(
    display: Display,
    bounds: Sequence[float],
    *,
    tianditu_key: str | None = None,
) -> folium.Map:
    """Return an offline folium map fitted to ``bounds`` (working CRS), with the basemap's tiles.

    Leaflet comes from Linkplan itself (:func:`~api.maps.assets.make_offline`); a scale bar,
    the layer control (added last by the caller) and the measuring tool (测距) are on the map.
    """
    x0, y0, x1, y1 = bounds
    south_west = display.point(x0, y0)
    north_east = display.point(x1, y1)
    centre = ((south_west[0] + north_east[0]) / 2, (south_west[1] + north_east[1]) / 2)
    m = folium.Map(
        location=centre,
        zoom_start=16,
        tiles=None,
        control_scale=True,
        max_zoom=21,
        attribution_control=True,
    )
    make_offline(m)
    for spec in tiles_for(display.basemap, tianditu_key=tianditu_key):
        folium.TileLayer(
            tiles=spec.url,
            attr=spec.attribution,
            name=spec.name,
            subdomains=spec.subdomains,
            overlay=spec.overlay,
            control=True,
            max_zoom=21,
            max_native_zoom=18,
        ).add_to(m)
    m.fit_bounds([list(south_west), list(north_east)])
    _Measure().add_to(m)
    figure_of(m).html.add_child(
        folium.Element(
            f'<div id="linkplan-basemap" data-basemap="{display.basemap}" '
            f'data-gcj02="{str(display.gcj02).lower()}" style="display:none">'
            f"{BASEMAP_ZH[display.basemap]}</div>"
        )
    )
    return m


class _Measure(MacroElement):
    """Linkplan's own measuring control (static/measure.js), added to the map."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.control.linkplanMeasure().addTo({{ this._parent.get_name() }});
        {{ this._parent.get_name() }}.linkplanMeasure = {{ this.get_name() }};
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "LinkplanMeasure"


def clip_layer(gdf: gpd.GeoDataFrame | None, box: BaseGeometry) -> gpd.GeoDataFrame | None:
    """Return the features of ``gdf`` within ``box``, cut to it (``None`` if none)."""
    if gdf is None or not len(gdf):
        return None
    hits = gdf.sindex.query(box, predicate="intersects")
    if not len(hits):
        return None
    part = gdf.iloc[np.sort(hits)].copy()
    x0, y0, x1, y1 = box.bounds
    part["geometry"] = shapely.clip_by_rect(np.asarray(part.geometry.values), x0, y0, x1, y1)
    return part[~part.geometry.is_empty]


Popup = dict[str, Any]
"""A popup's content: ``{"title": str | None, "rows": [[label, value], ...]}``, all plain text."""


def popup_table(rows: Iterable[tuple[str, Any]], *, title: str | None = None) -> Popup:
    """Return a popup's content: a title and ``(label, value)`` rows, as plain text.

    The page draws it as a small table with ``textContent`` (``static/detail.js``), so no value
    is ever read as markup: a name such as ``<b>`` or ``&`` is shown as typed.

    Examples
    --------
    >>> popup_table([("长度", "12.0 m"), ("编号", "<b>&")], title="供水")
    {'title': '供水', 'rows': [['长度', '12.0 m'], ['编号', '<b>&']]}
    """
    return {"title": title, "rows": [[str(k), str(v)] for k, v in rows]}


class _Detail(MacroElement):
    """The tooltip or popup of a GeoJSON overlay, drawn from one feature property as text.

    folium's ``GeoJsonTooltip``/``GeoJsonPopup`` write property values into ``innerHTML``, so
    a site named ``<img src=x onerror=…>`` would run in the browser. Here the page's
    ``linkplanDetail`` (``static/detail.js``) builds the element with ``textContent``.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.{{ this.method }}(function (layer) {
            return linkplanDetail(layer.feature.properties[{{ this.field|tojson }}]);
        }, {{ this.options|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, field: str, *, popup: bool) -> None:
        super().__init__()
        self._name = "LinkplanPopup" if popup else "LinkplanTooltip"
        self.field = field
        self.method = "bindPopup" if popup else "bindTooltip"
        self.options: dict[str, Any] = {"maxWidth": 420} if popup else {"sticky": True}


def layer_name(text: str) -> str:
    """Return a layer's name for the layer control, which Leaflet writes as HTML (escaped once).

    Examples
    --------
    >>> layer_name("供水<管网> & 规划")
    '供水&lt;管网&gt; &amp; 规划'
    """
    return html.escape(text, quote=False)


def feature_group(parent: folium.Map, name: str, *, show: bool = True) -> folium.FeatureGroup:
    """Add a named group of overlays (one entry of the layer control) to a map; return it."""
    group = folium.FeatureGroup(name=layer_name(name), show=show)
    group.add_to(parent)
    return group


@dataclass(frozen=True)
class OverlayStyle:
    """How an overlay of :func:`add_geometries` is drawn and what it shows.

    Attributes
    ----------
    path
        Maps a feature's properties to a Leaflet path style.
    tooltip
        The property holding the tooltip's plain text (``None``: no tooltip).
    popup
        The property holding a :func:`popup_table` (``None``: no popup).
    show
        Whether the overlay is on when the map opens.
    marker
        Points are drawn as this :class:`folium.CircleMarker` template when given.
    """

    path: Callable[[Mapping[str, Any]], Mapping[str, Any]]
    tooltip: str | None = "tooltip"
    popup: str | None = "popup"
    show: bool = True
    marker: folium.CircleMarker | None = None


def add_geometries(
    parent: folium.Map | folium.FeatureGroup,
    display: Display,
    items: Iterable[tuple[BaseGeometry, Mapping[str, Any]]],
    *,
    name: str,
    style: OverlayStyle,
) -> folium.GeoJson | None:
    """Add working-CRS geometries with properties as one GeoJSON overlay; return it.

    The tooltip and popup named by ``style`` are shown as text, never read as markup
    (:class:`OverlayStyle`).
    """
    features = []
    for geom, props in items:
        if geom is None or geom.is_empty:
            continue
        features.append(
            {
                "type": "Feature",
                "geometry": mapping(display.geometry(geom)),
                "properties": dict(props),
            }
        )
    if not features:
        return None
    layer = folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name=layer_name(name),
        style_function=lambda f: dict(style.path(f["properties"])),
        highlight_function=None,
        show=style.show,
        smooth_factor=0.5,
        marker=style.marker,
    )
    if style.tooltip:
        layer.add_child(_Detail(style.tooltip, popup=False))
    if style.popup:
        layer.add_child(_Detail(style.popup, popup=True))
    layer.add_to(parent)
    return layer


def add_legend(m: folium.Map, entries: Sequence[tuple[str, str, str]], *, title: str) -> None:
    """Add a fixed legend (图例): ``(colour, style, label)`` rows; style line|dash|dot|box."""
    rows = []
    for colour, kind, label in entries:
        if kind == "box":
            mark = f'<span style="display:inline-block;width:14px;height:10px;border:2px solid {colour}"></span>'
        elif kind == "dot":
            mark = f'<span style="display:inline-block;width:10px;height:10px;border-radius:5px;background:{colour}"></span>'
        else:
            dash = "dashed" if kind == "dash" else "solid"
            mark = f'<span style="display:inline-block;width:22px;border-top:3px {dash} {colour};vertical-align:middle"></span>'
        rows.append(f"<div>{mark}&nbsp;{html.escape(label)}</div>")
    box = (
        '<div id="linkplan-legend" style="position:fixed;bottom:28px;right:10px;z-index:1000;'
        "background:rgba(255,255,255,.92);padding:6px 8px;border:1px solid #999;"
        'border-radius:4px;font-size:12px;line-height:18px;max-height:60vh;overflow:auto">'
        f"<b>{html.escape(title)}</b>{''.join(rows)}</div>"
        "<style>table.lp{border-collapse:collapse;font-size:12px}"
        "table.lp th{text-align:left;padding:1px 6px 1px 0;white-space:nowrap;color:#555;"
        "vertical-align:top}table.lp td{padding:1px 0}</style>"
    )
    figure_of(m).html.add_child(folium.Element(box))


def add_title(m: folium.Map, title: str, lines: Sequence[str] = ()) -> None:
    """Add a title box at the top of the map."""
    more = "".join(f"<div>{html.escape(x)}</div>" for x in lines)
    box = (
        '<div id="linkplan-title" style="position:fixed;top:10px;left:60px;z-index:1000;'
        "background:rgba(255,255,255,.92);padding:6px 10px;border:1px solid #999;"
        'border-radius:4px;font-size:13px;max-width:60vw">'
        f"<b style='font-size:15px'>{html.escape(title)}</b>{more}</div>"
    )
    figure_of(m).html.add_child(folium.Element(box))


def utility_legend() -> list[tuple[str, str, str]]:
    """Legend rows of the five networks: existing (solid) and planned (dashed)."""
    out = []
    for u, colour in UTILITY_COLOURS.items():
        out.append((colour, "line", f"{UTILITY_ZH[u]}管线（现状）"))
    out.append(("#666", "dash", "规划管线（虚线）"))
    return out


def render_html(m: folium.Map, *, offline: bool = True) -> str:
    """Return the page of a map; an offline map must load nothing from outside."""
    page = figure_of(m).render()
    if offline:
        outside = external_references(page)
        if outside:
            msg = f"map would load outside resources: {', '.join(outside[:5])}"
            raise RuntimeError(msg)
    return str(page)


def save_html(page: str, path: Path) -> Path:
    """Write a rendered map page (UTF-8) and return its path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(path)
    return path
