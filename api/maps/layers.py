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
from api.maps.style import LINE_STYLES, UTILITY_COLOURS, UTILITY_ZH, LineStyle

__all__ = [
    "MAX_MAP_BYTES",
    "OverlayStyle",
    "Popup",
    "add_geometries",
    "add_legend",
    "add_road_labels",
    "add_title",
    "base_map",
    "clip_layer",
    "feature_group",
    "layer_name",
    "popup_table",
    "render_html",
    "road_label_points",
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
        control_scale=False,
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
    _ScaleAndPrint().add_to(m)
    figure_of(m).html.add_child(
        folium.Element(
            f'<div id="linkplan-basemap" data-basemap="{display.basemap}" '
            f'data-gcj02="{str(display.gcj02).lower()}" style="display:none">'
            f"{BASEMAP_ZH[display.basemap]}</div>{_NORTH_ARROW}"
            '<div id="linkplan-print-date"></div>'
        )
    )
    figure_of(m).header.add_child(folium.Element(_PRINT_CSS), name="linkplan_print_css")
    figure_of(m).html.add_child(folium.Element(_NARROW_SCRIPT), name="linkplan_narrow")
    return m


_NARROW_SCRIPT = """<script>
/* A phone (at most 600 px wide): the layer list starts folded to its button (Leaflet's own
   collapsed control: tap to open, tap the map to fold), so it does not cover the map. In the
   page body: after Leaflet is loaded, before the map script builds the control. */
if (window.L && window.matchMedia("(max-width: 600px)").matches) {
  L.Control.Layers.addInitHook(function () { this.options.collapsed = true; });
}
</script>"""


_NORTH_ARROW = (
    '<div id="linkplan-north" title="指北针">'
    '<svg width="26" height="40" viewBox="0 0 26 40" aria-label="北">'
    '<text x="13" y="10" text-anchor="middle" font-size="11" font-weight="bold">北</text>'
    '<polygon points="13,12 21,38 13,31 5,38" fill="#222" stroke="#222"/>'
    '<polygon points="13,12 13,31 5,38" fill="#fff" stroke="#222"/></svg></div>'
)

_PRINT_CSS = """<style>
#linkplan-north{position:fixed;left:12px;bottom:44px;z-index:1000;background:rgba(255,255,255,.85);
  border:1px solid #999;border-radius:4px;padding:2px 3px;line-height:0}
#linkplan-print-date{display:none}
.linkplan-road-label{background:none;border:none;box-shadow:none;padding:0;font-size:12px;
  color:#37474f;font-weight:bold;white-space:nowrap;
  text-shadow:0 0 2px #fff,0 0 2px #fff,0 0 3px #fff,0 0 3px #fff}
.linkplan-road-label:before{display:none}
.linkplan-road-name{display:inline-block}
.linkplan-measuring .leaflet-interactive{pointer-events:none!important}
@page{size:landscape;margin:8mm}
@media print{
  html,body{width:100%;height:100%;margin:0;overflow:hidden}
  .folium-map{position:absolute!important;left:0;top:0;width:100%!important;height:100%!important}
  .leaflet-control-layers,.linkplan-measure,.leaflet-control-zoom{display:none!important}
  #linkplan-title{left:10px!important;top:10px!important;max-width:70%!important}
  #linkplan-legend{max-height:none!important;overflow:visible!important;font-size:10px;
    line-height:14px!important;bottom:10px!important}
  #linkplan-north{left:auto;right:12px;top:12px;bottom:auto}
  #linkplan-print-date{display:block;position:fixed;left:10px;bottom:34px;z-index:1000;
    font-size:11px;background:rgba(255,255,255,.85);padding:1px 4px}
  *{-webkit-print-color-adjust:exact;print-color-adjust:exact}
}
@media screen and (max-width:600px){
  #linkplan-title{left:50px!important;top:10px!important;max-width:calc(100vw - 125px)!important;box-sizing:border-box;
    font-size:11px!important;padding:3px 6px!important;max-height:22vh;overflow:auto}
  #linkplan-title b{font-size:12px!important}
  #linkplan-legend{max-width:46vw;max-height:24vh!important;font-size:10px!important;
    line-height:14px!important}
}
</style>
"""


class _ScaleAndPrint(MacroElement):
    """A metric-only scale bar, and the map refitted to the paper when the page is printed."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        L.control.scale({imperial: false, metric: true, maxWidth: 160, position: "bottomleft"})
            .addTo({{ this._parent.get_name() }});
        (function (map) {
            var stamp = document.getElementById("linkplan-print-date");
            function today() {
                var d = new Date(), p = function (n) { return (n < 10 ? "0" : "") + n; };
                stamp.textContent = "打印日期 " + d.getFullYear() + "-" + p(d.getMonth() + 1)
                    + "-" + p(d.getDate());
            }
            function fit() {
                var c = map.getCenter(), z = map.getZoom();
                today();
                map.invalidateSize({pan: false});
                map.setView(c, z, {animate: false});
            }
            today();
            window.addEventListener("beforeprint", fit);
            window.addEventListener("afterprint", fit);
            if (window.matchMedia) {
                window.matchMedia("print").addEventListener("change", fit);
            }
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "LinkplanScale"


class _Measure(MacroElement):
    """Linkplan's own measuring control (static/measure.js), added to the map."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.control.linkplanMeasure({{ this.options|tojson }})
            .addTo({{ this._parent.get_name() }});
        {{ this._parent.get_name() }}.linkplanMeasure = {{ this.get_name() }};
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "LinkplanMeasure"
        self.options = {"line": LINE_STYLES["measure"].leaflet()}


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


LegendEntry = tuple[str, str, str] | LineStyle
"""A legend row: ``(colour, kind, label)`` with kind line|dash|dot|box, or a :class:`LineStyle`."""


def _sample(entry: LegendEntry) -> tuple[str, str]:
    """Return a legend row's mark (drawn as the map draws it) and its label."""
    if isinstance(entry, LineStyle):
        dash = f' stroke-dasharray="{html.escape(entry.dash)}"' if entry.dash else ""
        halo = (
            f'<line x1="2" y1="6" x2="30" y2="6" stroke="#fff" stroke-width="{entry.weight + 3:g}"/>'
            if entry.halo
            else ""
        )
        width = min(entry.weight, 10)
        mark = (
            '<svg width="32" height="12" style="vertical-align:middle">'
            f'{halo}<line x1="2" y1="6" x2="30" y2="6" stroke="{entry.colour}" '
            f'stroke-width="{width:g}" stroke-opacity="{entry.opacity:g}"{dash}/></svg>'
        )
        return mark, entry.label
    colour, kind, label = entry
    if kind == "box":
        mark = f'<span style="display:inline-block;width:14px;height:10px;border:2px solid {colour}"></span>'
    elif kind == "dot":
        mark = f'<span style="display:inline-block;width:10px;height:10px;border-radius:5px;background:{colour}"></span>'
    else:
        return _sample(
            LineStyle(colour, 3, label, opacity=1.0, dash="6 4" if kind == "dash" else None)
        )
    return mark, label


def add_legend(m: folium.Map, entries: Sequence[LegendEntry], *, title: str) -> None:
    """Add a fixed legend (图例): one row per entry, its mark drawn as on the map."""
    rows = []
    for entry in entries:
        mark, label = _sample(entry)
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


def road_label_points(
    roads: gpd.GeoDataFrame, *, min_length_m: float = 120.0, spacing_m: float = 500.0
) -> list[tuple[float, float, str, float]]:
    """Return where road names are written: ``(x, y, name, angle°)`` in the working CRS.

    Each named road's pieces are merged; a piece at least ``min_length_m`` long gets its name
    at its middle, or every ``spacing_m`` on a long piece. The angle turns the text along the
    road on screen (clockwise degrees, kept between -90 and 90 so it never reads upside down).

    Examples
    --------
    >>> from shapely import LineString
    >>> g = gpd.GeoDataFrame({"name": ["象山大道"]}, geometry=[LineString([(0, 0), (200, 200)])])
    >>> [(x, y, n, round(a)) for x, y, n, a in road_label_points(g)]
    [(100.0, 100.0, '象山大道', -45)]
    """
    out = []
    named = roads[roads["name"].notna() & (roads["name"].astype(str).str.strip() != "")]
    for name, group in named.groupby(named["name"].astype(str), sort=True):
        merged = shapely.line_merge(shapely.union_all(np.asarray(group.geometry.values)))
        parts = list(getattr(merged, "geoms", [merged]))
        for part in parts:
            if part.geom_type != "LineString" or part.length < min_length_m:
                continue
            count = max(1, int(part.length // spacing_m))
            for k in range(1, count + 1):
                at = part.length * k / (count + 1)
                a = part.interpolate(max(at - 10.0, 0.0))
                b = part.interpolate(min(at + 10.0, part.length))
                angle = -np.degrees(np.arctan2(b.y - a.y, b.x - a.x))
                angle = (angle + 90.0) % 180.0 - 90.0
                p = part.interpolate(at)
                out.append((float(p.x), float(p.y), str(name), float(angle)))
    return out


class _RoadLabels(MacroElement):
    """Road names written along the roads (``static/labels.js``: text, never markup)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        linkplanRoadLabels({{ this.map.get_name() }}, {{ this._parent.get_name() }},
            {{ this.labels|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, m: folium.Map, labels: list[list[Any]]) -> None:
        super().__init__()
        self._name = "LinkplanRoadLabels"
        self.map = m
        self.labels = labels


def add_road_labels(
    m: folium.Map, display: Display, roads: gpd.GeoDataFrame | None, *, name: str = "道路名称"
) -> int:
    """Write the road names along the roads as their own overlay; return how many labels."""
    if roads is None or not len(roads):
        return 0
    labels = []
    for x, y, text, angle in road_label_points(roads):
        lat, lon = display.point(x, y)
        labels.append([round(lat, 7), round(lon, 7), text, round(angle, 1)])
    if not labels:
        return 0
    group = feature_group(m, name)
    group.add_child(_RoadLabels(m, labels))
    return len(labels)


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


def utility_legend() -> list[LegendEntry]:
    """Legend rows of the five networks: existing (solid) and planned (dashed)."""
    out: list[LegendEntry] = []
    for u, colour in UTILITY_COLOURS.items():
        out.append(LineStyle(colour, 2, f"{UTILITY_ZH[u]}管线（现状）", opacity=0.75))
    out.append(LINE_STYLES["planned_main"])
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
