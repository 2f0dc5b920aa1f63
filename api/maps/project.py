"""The project map (项目研判图) for survey teams and 自然资源和规划局.

:func:`project_map` reads as its steps: (1) the project's neighbourhood (its site and routes,
widened by the profile's threshold); (2) the basemap and display coordinates; (3) background
roads, green space, major lines and the five networks, clipped to the neighbourhood; (4) roads
under dig-once protection; (5) the 300 m reference; (6) the joint trench; (7) routes, taps and
crossings with their popups; (8) site red line, legend, title and layer control.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import folium
import numpy as np
import shapely
from shapely import LineString, Point, box
from shapely.geometry.base import BaseGeometry
from shapely.ops import substring

from api.maps.basemap import Display, display_for
from api.maps.layers import (
    OverlayStyle,
    Popup,
    add_geometries,
    add_legend,
    add_road_labels,
    add_title,
    base_map,
    clip_layer,
    feature_group,
    popup_table,
    utility_legend,
)
from api.maps.style import (
    CROSSING_ZH,
    LINE_STYLES,
    PATH_COLOURS,
    ROAD_CLASS_ZH,
    ROUTE_OFFSET_PX,
    UTILITY_COLOURS,
    UTILITY_ZH,
    enum_zh,
    surface_zh,
)
from gis import vocabulary
from gis.convert import edge_geometry
from gis.profile import Profile
from gis.schema import UTILITIES
from gis.workspace import Workspace
from planning.assess import Assessment, Route, protected_roads
from planning.capacity import describe
from planning.routing import routing_index
from planning.shared_trench import segment_geometry

__all__ = ["neighbourhood", "project_map"]

_MAIN_FIELDS = {
    "water": [("diameter_mm", "管径 DN")],
    "gas": [("pressure_class", "压力级制"), ("diameter_mm", "管径 DN")],
    "heat": [("medium", "介质"), ("pressure_mpa", "压力 MPa"), ("temperature_c", "温度 ℃")],
    "power": [("voltage_kv", "电压 kV"), ("spare_capacity_kva", "余量 kVA"), ("feeder_id", "馈线")],
    "telecom": [("operator", "运营商")],
}


def neighbourhood(a: Assessment, ws: Workspace, *, profile: Profile) -> BaseGeometry:
    """Return the box a project map shows: site and routes, widened by the threshold."""
    site = ws.layer("sites")
    geom = site.loc[site["project_id"].astype(str) == a.project_id].geometry
    parts = list(geom)
    for r in _routes(a):
        parts.append(r[2].geometry)
    margin = profile.commitment.max_length_m
    return box(*shapely.union_all(parts).bounds).buffer(margin, join_style="mitre")


def _routes(a: Assessment) -> Iterator[tuple[str, str, Route]]:
    for u, r in a.utilities.items():
        if r.route is not None:
            yield u, "主供" if u == "power" else "", r.route
        if r.backup is not None:
            yield u, "备供", r.backup


def project_map(
    ws: Workspace,
    assessment: Assessment,
    *,
    profile: Profile,
    basemap: str = "none",
    tianditu_key: str | None = None,
) -> folium.Map:
    """Return the map of one assessed project (open it offline; see :mod:`api.maps`).

    Parameters
    ----------
    ws
        The workspace the assessment was made on.
    assessment
        One site's assessment (:func:`planning.assess.assess_sites`).
    profile
        The policy profile of the assessment (threshold of the 300 m reference).
    basemap
        ``none`` (offline), ``tianditu`` (with ``tianditu_key``), ``osm`` or ``gaode``.
    """
    a = assessment
    # (1) the neighbourhood
    area = neighbourhood(a, ws, profile=profile)
    # (2) basemap and display coordinates
    display = display_for(ws.crs, basemap)
    m = base_map(display, area.bounds, tianditu_key=tianditu_key)
    # (3) background and networks
    _background(m, display, ws, area)
    _networks(m, display, ws, area)
    # (4) dig-once protection
    _dig_once(m, display, ws, area, profile=profile, as_of=a.as_of)
    # (5) the 300 m reference
    _reference(m, display, ws, a, profile=profile)
    # (6) joint trench
    _trench(m, display, a)
    # (7) routes, taps, crossings
    _routes_layer(m, display, a, profile=profile)
    _crossings(m, display, a)
    # (8) site, legend, title, controls
    _site(m, display, ws, a, profile=profile)
    add_legend(m, _legend(profile), title="图例")
    lengths = [
        f"{UTILITY_ZH[u]}{role} {_lengths_text(r)}" for u, role, r in _routes(a) if u in UTILITY_ZH
    ]
    add_title(
        m,
        f"{a.project_id} {a.name}：{vocabulary.approval_path_label(a.approval_path, profile)}",
        [
            "外线长度（自红线起算）：" + ("；".join(lengths) if lengths else "无"),
            a.demand_note(),
            f"研判日期 {a.as_of.isoformat()}；依据《{profile.description or '联动接入实施方案'}》",
        ],
    )
    folium.LayerControl(collapsed=False, position="topright").add_to(m)
    return m


def _legend(profile: Profile) -> list[Any]:
    """Return the legend rows: every kind of line from the style table, drawn as on the map."""
    threshold = f"{profile.commitment.max_length_m:g}"
    lines = [
        dataclasses.replace(style, label=style.label.format(threshold=threshold))
        for key, style in LINE_STYLES.items()
        if key != "planned_main"
    ]
    return [
        ("#e00000", "box", "项目用地红线"),
        *utility_legend(),
        *lines,
        ("#d32f2f", "dot", "穿越重要管线/道路/铁路/河道"),
        ("#fb8c00", "dot", "横穿车行道（破路）"),
        ("#212121", "dot", "接驳点"),
    ]


def _main_style(colour: str) -> Callable[[Mapping[str, Any]], dict[str, Any]]:
    def style(p: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "color": colour,
            "weight": 2,
            "opacity": 0.75,
            "dashArray": LINE_STYLES["planned_main"].dash if p["planned"] else None,
        }

    return style


def _route_style(utility: str, *, backup: bool) -> Callable[[Mapping[str, Any]], dict[str, Any]]:
    line = LINE_STYLES["backup_route" if backup else "route"]
    options = line.leaflet(color=UTILITY_COLOURS[utility], linkplanOffset=ROUTE_OFFSET_PX[utility])

    def style(_: Mapping[str, Any]) -> dict[str, Any]:
        return dict(options)

    return style


def _lead_in_style(utility: str) -> Callable[[Mapping[str, Any]], dict[str, Any]]:
    options = LINE_STYLES["lead_in"].leaflet(
        color=UTILITY_COLOURS[utility], linkplanOffset=ROUTE_OFFSET_PX[utility]
    )

    def style(_: Mapping[str, Any]) -> dict[str, Any]:
        return dict(options)

    return style


def _tap_style(colour: str) -> Callable[[Mapping[str, Any]], dict[str, Any]]:
    def style(_: Mapping[str, Any]) -> dict[str, Any]:
        return {"color": "#212121", "weight": 2, "fillColor": colour, "fillOpacity": 1}

    return style


def _background(m: folium.Map, display: Display, ws: Workspace, area: BaseGeometry) -> None:
    green = clip_layer(ws.layers.get("green_space"), area)
    if green is not None:
        add_geometries(
            m,
            display,
            ((g, {"tooltip": "绿地"}) for g in green.geometry),
            name="绿地",
            style=OverlayStyle(
                lambda p: {
                    "color": "#7cb342",
                    "weight": 0,
                    "fillColor": "#aed581",
                    "fillOpacity": 0.4,
                },
                popup=None,
            ),
        )
    roads = clip_layer(ws.layers.get("roads"), area)
    if roads is not None:
        width = {"expressway": 6, "arterial": 5, "secondary": 4, "branch": 3, "access": 2}
        add_geometries(
            m,
            display,
            (
                (
                    g,
                    {
                        "tooltip": f"{name}（{ROAD_CLASS_ZH.get(cls, cls)}）",
                        "w": width.get(cls, 2),
                    },
                )
                for g, name, cls in zip(roads.geometry, roads["name"], roads["road_class"])
            ),
            name="道路",
            style=OverlayStyle(
                lambda p: LINE_STYLES["road"].leaflet(weight=p["w"] * 2), popup=None
            ),
        )
        add_road_labels(m, display, roads)
    major = clip_layer(ws.layers.get("major_lines"), area)
    if major is not None:
        add_geometries(
            m,
            display,
            (
                (g, {"tooltip": f"{CROSSING_ZH.get(k, k)}：{n}"})
                for g, k, n in zip(major.geometry, major["kind"], major["name"])
            ),
            name="重要管线/道路/铁路/河道",
            style=OverlayStyle(lambda p: LINE_STYLES["major_line"].leaflet(), popup=None),
        )


def _networks(m: folium.Map, display: Display, ws: Workspace, area: BaseGeometry) -> None:
    for u in UTILITIES:
        mains = clip_layer(ws.layers.get(u), area)
        if mains is None:
            continue
        group = feature_group(m, f"{UTILITY_ZH[u]}管网")
        items = []
        for row in mains.itertuples():
            status = str(getattr(row, "status", "existing"))
            rows = [("编号", row.asset_id), ("状态", "规划" if status == "planned" else "现状")]
            rows += [
                (label, enum_zh(f, getattr(row, f)))
                for f, label in _MAIN_FIELDS[u]
                if hasattr(row, f)
            ]
            if getattr(row, "role", None) == "connection":  # modelled, never tapped
                rows.append(("用途", f"{enum_zh('role', row.role)}（路口下连通，不在其上接入）"))
            items.append(
                (
                    row.geometry,
                    {
                        "tooltip": f"{UTILITY_ZH[u]} {row.asset_id}",
                        "popup": popup_table(rows, title=f"{UTILITY_ZH[u]}管线"),
                        "planned": status == "planned",
                    },
                )
            )
        colour = UTILITY_COLOURS[u]
        add_geometries(
            group,
            display,
            items,
            name=f"{UTILITY_ZH[u]}管网",
            style=OverlayStyle(_main_style(colour)),
        )


def _dig_once(
    m: folium.Map,
    display: Display,
    ws: Workspace,
    area: BaseGeometry,
    *,
    profile: Profile,
    as_of: dt.date,
) -> None:
    roads = clip_layer(ws.layers.get("roads"), area)
    if roads is None:
        return
    protected = protected_roads(ws.layer("roads"), profile=profile, as_of=as_of)
    items = []
    for g, rid, name in zip(roads.geometry, roads["road_id"].astype(str), roads["name"]):
        if rid in protected:
            until, why = protected[rid]
            items.append(
                (
                    g,
                    {
                        "tooltip": f"{name}：保护期至 {until.isoformat()}",
                        "popup": popup_table(
                            [("道路", name), ("保护期至", until.isoformat()), ("原因", why)],
                            title="受保护道路（禁挖保护期内不得开挖，城市道路管理条例 第三十三条）",
                        ),
                    },
                )
            )
    add_geometries(
        m,
        display,
        items,
        name="受保护道路（不得开挖）",
        style=OverlayStyle(lambda p: LINE_STYLES["protected_road"].leaflet()),
    )


def _reference(
    m: folium.Map, display: Display, ws: Workspace, a: Assessment, *, profile: Profile
) -> None:
    threshold = profile.commitment.max_length_m
    G = ws.corridor_graph()
    index = routing_index(G)
    outlet = index.outlet(a.project_id)
    if outlet is None:
        return
    pieces = []
    # from the red line (seed 二): the search from the site's outlet counts each lead-in
    for u, v, t0, t1 in index.reach(np.array([outlet]), limit=threshold):
        line = edge_geometry(G, u, v)
        if t1 - t0 <= 1e-6 or line.length <= 0:
            continue
        # the drawn sidewalk is a little shorter or longer than the edge's centreline length
        length = float(G.edges[u, v]["length"])
        scale = line.length / max(length, 1e-9)
        whole = t0 <= 0.0 and t1 >= length - 1e-9
        pieces.append(line if whole else substring(line, t0 * scale, t1 * scale))
    merged = shapely.line_merge(shapely.union_all([p for p in pieces if isinstance(p, LineString)]))
    add_geometries(
        m,
        display,
        [(merged, {"tooltip": f"沿道路 {threshold:g} m 可达范围（自建筑区划红线起算，含红线引入段）"})],
        name=f"沿道路 {threshold:g} m 范围",
        style=OverlayStyle(lambda p: LINE_STYLES["reach"].leaflet(), popup=None),
    )
    site = ws.layer("sites")
    centre = site.loc[site["project_id"].astype(str) == a.project_id].geometry.iloc[0].centroid
    folium.Circle(
        location=display.point(centre.x, centre.y),
        radius=threshold,
        color=LINE_STYLES["reference_circle"].colour,
        weight=LINE_STYLES["reference_circle"].weight,
        dash_array=LINE_STYLES["reference_circle"].dash,
        fill=False,
        tooltip=f"直线 {threshold:g} m 参考圈（政策按沿道路长度判断）",
    ).add_to(feature_group(m, f"直线 {threshold:g} m 参考圈"))


def _trench(m: folium.Map, display: Display, a: Assessment) -> None:
    plan = a.shared_trench
    if plan is None or plan.graph is None:
        return
    items = []
    for s in plan.segments:
        if not s.shared:
            continue
        rows: list[tuple[str, Any]] = [
            ("道路", f"{s.name}（{'横穿' if s.kind == 'crossing' else '人行道'}）"),
            ("长度", f"{s.length_m:,.1f} m"),
            ("同沟专业", "、".join(UTILITY_ZH[u] for u in s.utilities)),
            ("沟槽", "；".join("+".join(UTILITY_ZH.get(x, x) for x in g) for g in s.trenches)),
        ]
        if s.section is not None:
            rows.append(("断面校核", getattr(s.section, "message", "")))
        items.append(
            (
                segment_geometry(plan.graph, s),
                {
                    "tooltip": f"同沟 {s.name} {s.length_m:,.1f} m",
                    "popup": popup_table(rows, title="同沟敷设段"),
                    "fits": len(s.trenches) <= 1,
                },
            )
        )
    add_geometries(
        m,
        display,
        items,
        name=f"同沟敷设（少挖 {plan.saved_m:,.1f} m）",
        style=OverlayStyle(
            lambda p: LINE_STYLES["trench" if p["fits"] else "trench_conflict"].leaflet()
        ),
    )


def _lengths_text(r: Route) -> str:
    """Return a line's length from the red line (seed 二) with its lead-in and road parts.

    >>> from types import SimpleNamespace as R
    >>> _lengths_text(R(lead_in_m=4.0, length_m=120.0, red_line_m=124.0))
    '124.0 m（红线引入段 4.0 m + 沿道路 120.0 m）'
    """
    return (
        f"{r.red_line_m:,.1f} m（红线引入段 {r.lead_in_m:,.1f} m + 沿道路 {r.length_m:,.1f} m）"
    )


def _route_popup(a: Assessment, u: str, role: str, r: Route, *, profile: Profile) -> Popup:
    result = a.utilities[u]
    surfaces = "；".join(
        f"{surface_zh(k)} {v:,.1f} m" for k, v in sorted(r.surfaces.items()) if v > 0
    )
    crossings = "；".join(f"{CROSSING_ZH.get(c.kind, c.kind)} {c.name}" for c in r.crossings)
    roads = "；".join(
        f"{c.name}（{ROAD_CLASS_ZH.get(c.road_class, c.road_class)}）" for c in r.carriageways
    )
    rows: list[tuple[str, Any]] = [
        # from the red line (seed 二): the lead-in and the drawn part along the road, and the sum
        ("红线引入段", f"{r.lead_in_m:,.1f} m"),
        ("沿道路", f"{r.length_m:,.1f} m"),
        ("外线长度合计", f"{r.red_line_m:,.1f} m"),
        ("直线距离", f"{r.straight_line_m:,.1f} m"),
        ("路面构成", surfaces or "-"),
        ("横穿车行道", roads or "无"),
        ("穿越重要线路", crossings or "无"),
        ("接驳管线", r.tap_asset + (f"（馈线 {r.feeder_id}）" if r.feeder_id else "")),
        ("审批路径", vocabulary.approval_path_label(result.approval_path, profile)),
        ("理由", "；".join(x.text for x in result.reasons) or "-"),
    ]
    if result.capacity is not None and role != "备供":  # the capacity check of the tap taken
        rows.append(("承载能力", describe(result.capacity).removeprefix("承载能力：")))
    if r.operator:
        rows.insert(0, ("运营商", enum_zh("operator", r.operator)))
    if r.dig_once:
        rows.append(
            ("受保护道路", "；".join(f"{d.name}（至 {d.until.isoformat()}）" for d in r.dig_once))
        )
    if r.detour:
        rows.append(
            (
                "绕行",
                f"避开 {'、'.join(r.detour['avoided_roads'])}，多 {r.detour['extra_m']:,.1f} m",
            )
        )
    return popup_table(rows, title=f"{UTILITY_ZH[u]}{role}外线")


def _routes_layer(m: folium.Map, display: Display, a: Assessment, *, profile: Profile) -> None:
    for u, role, r in _routes(a):
        group = feature_group(m, f"{UTILITY_ZH[u]}{role}外线 {r.red_line_m:,.1f} m")
        colour = UTILITY_COLOURS[u]
        add_geometries(
            group,
            display,
            [
                (
                    r.geometry,
                    {
                        "tooltip": f"{UTILITY_ZH[u]}{role}外线 {_lengths_text(r)}",
                        "popup": _route_popup(a, u, role, r, profile=profile),
                    },
                )
            ],
            name=f"{UTILITY_ZH[u]}{role}外线",
            style=OverlayStyle(_route_style(u, backup=role == "备供")),
        )
        _lead_in(group, display, u, role, r)
        add_geometries(
            group,
            display,
            [
                (
                    r.tap_point,
                    {
                        "tooltip": f"接驳点：{UTILITY_ZH[u]} {r.tap_asset}",
                        "popup": popup_table(
                            [("管线编号", r.tap_asset), ("专业", UTILITY_ZH[u])]
                            + ([("馈线", r.feeder_id)] if r.feeder_id else [])
                            + ([("运营商", enum_zh("operator", r.operator))] if r.operator else []),
                            title="接驳点",
                        ),
                    },
                )
            ],
            name=f"{UTILITY_ZH[u]}{role}接驳点",
            style=OverlayStyle(_tap_style(colour), marker=folium.CircleMarker(radius=6, fill=True)),
        )


def _lead_in(group: folium.FeatureGroup, display: Display, u: str, role: str, r: Route) -> None:
    """Draw a route's lead-in: from the site's red line to the route's start (seed 二)."""
    line = r.lead_in_line
    if line is None or line.is_empty or line.length <= 0:
        return
    title = f"{UTILITY_ZH[u]}{role}外线 红线引入段"
    rows: list[tuple[str, Any]] = [
        ("红线引入段", f"{r.lead_in_m:,.1f} m"),
        ("起止", "建筑区划红线 → 人行道中心线（外线沿道路段起点）"),
        ("外线长度合计", _lengths_text(r)),
    ]
    add_geometries(
        group,
        display,
        [
            (
                line,
                {
                    "tooltip": f"{title} {r.lead_in_m:,.1f} m",
                    "popup": popup_table(rows, title=title),
                    "lead_in_m": round(r.lead_in_m, 3),
                },
            )
        ],
        name=title,
        style=OverlayStyle(_lead_in_style(u)),
    )


def _crossings(m: folium.Map, display: Display, a: Assessment) -> None:
    group = feature_group(m, "穿越与破路点")
    seen: set[tuple[str, int, int]] = set()
    items: list[tuple[BaseGeometry, dict[str, Any]]] = []
    for u, _, r in _routes(a):
        for c in r.crossings:
            key = (c.kind, round(c.x), round(c.y))
            if key in seen:
                continue
            seen.add(key)
            text = f"穿越{CROSSING_ZH.get(c.kind, c.kind)}：{c.name}"
            rows = [
                ("穿越对象", text),
                ("专业", UTILITY_ZH[u]),
                ("依据", "实施方案 四(二)2：联合审批"),
            ]
            items.append(
                (Point(c.x, c.y), {"tooltip": text, "popup": popup_table(rows), "major": True})
            )
        for cw in r.carriageways:
            key = ("carriageway", round(cw.x), round(cw.y))
            if key in seen:
                continue
            seen.add(key)
            text = (
                f"横穿{cw.name}（{ROAD_CLASS_ZH.get(cw.road_class, cw.road_class)}，"
                f"车行道宽 {cw.width_m:g} m）"
            )
            rows = [("破路", text), ("专业", UTILITY_ZH[u])]
            items.append(
                (Point(cw.x, cw.y), {"tooltip": text, "popup": popup_table(rows), "major": False})
            )
    add_geometries(
        group,
        display,
        items,
        name="穿越与破路点",
        style=OverlayStyle(_crossing_style, marker=folium.CircleMarker(radius=7, fill=True)),
    )


def _crossing_style(p: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "color": "#ffffff",
        "weight": 2,
        "fillColor": "#d32f2f" if p["major"] else "#fb8c00",
        "fillOpacity": 1,
        "radius": 8 if p["major"] else 5,
    }


def _site(
    m: folium.Map, display: Display, ws: Workspace, a: Assessment, *, profile: Profile
) -> None:
    sites = ws.layer("sites")
    geom = sites.loc[sites["project_id"].astype(str) == a.project_id].geometry.iloc[0]
    reasons = "；".join(x.text for x in a.reasons) or "-"
    add_geometries(
        m,
        display,
        [
            (
                geom,
                {
                    "tooltip": f"{a.project_id} {a.name}",
                    "popup": popup_table(
                        [
                            ("项目代码", a.project_id),
                            ("项目名称", a.name),
                            ("审批路径", vocabulary.approval_path_label(a.approval_path, profile)),
                            (
                                "需提前布局",
                                "、".join(UTILITY_ZH[u] for u in a.needs_prelay) or "无",
                            ),
                            ("理由", reasons),
                        ],
                        title="项目用地红线",
                    ),
                    "path": a.approval_path,
                },
            )
        ],
        name="项目红线",
        style=OverlayStyle(
            lambda p: {
                "color": "#e00000",
                "weight": 3,
                "fillColor": PATH_COLOURS.get(p["path"], "#999"),
                "fillOpacity": 0.15,
            }
        ),
    )
