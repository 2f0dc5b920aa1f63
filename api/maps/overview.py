"""Overview maps: the district's projects by approval path, and a pre-lay plan.

:func:`district_map`: every assessed site coloured by its approval path (告知承诺 / 联合审批 /
不适用 / 需提前布局), over the roads and the applicable scope. :func:`prelay_map`: existing and
planned mains per utility, and each registered intent with its connections before → after the
plan.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import folium
import shapely
from shapely import box

from api.maps.basemap import display_for
from api.maps.layers import (
    OverlayStyle,
    add_geometries,
    add_legend,
    add_title,
    base_map,
    popup_table,
    utility_legend,
)
from api.maps.style import LINE_STYLES, PATH_COLOURS, UTILITY_COLOURS, UTILITY_ZH, path_labels
from gis.profile import Profile
from gis.schema import UTILITIES
from gis.workspace import Workspace
from planning.assess import Assessment
from planning.prelay import PrelayPlan

__all__ = ["district_map", "prelay_map"]


def _fixed(style: dict[str, Any]) -> Callable[[Mapping[str, Any]], dict[str, Any]]:
    """Return a style function giving every feature the same style."""

    def inner(_: Mapping[str, Any]) -> dict[str, Any]:
        return style

    return inner


def _roads(m: folium.Map, display: Any, ws: Workspace) -> None:
    roads = ws.layers.get("roads")
    if roads is None or not len(roads):
        return
    add_geometries(
        m,
        display,
        (
            (shapely.simplify(g, 2.0), {"tooltip": str(n)})
            for g, n in zip(roads.geometry, roads["name"])
        ),
        name="道路",
        style=OverlayStyle(lambda p: {"color": "#b0b0b0", "weight": 3, "opacity": 0.8}, popup=None),
    )


def _scope(m: folium.Map, display: Any, ws: Workspace) -> None:
    scope = ws.layers.get("scope")
    if scope is None or not len(scope):
        return
    add_geometries(
        m,
        display,
        ((g, {"tooltip": "联动接入适用范围（中心城区）"}) for g in scope.geometry),
        name="适用范围",
        style=OverlayStyle(
            lambda p: LINE_STYLES["scope"].leaflet(fill=False),
            popup=None,
        ),
    )


def _bounds(ws: Workspace, layer: str) -> tuple[float, float, float, float]:
    gdf = ws.layers.get(layer)
    if gdf is None or not len(gdf):
        gdf = ws.layer("roads")
    x0, y0, x1, y1 = gdf.total_bounds
    b = box(x0, y0, x1, y1).buffer(200, join_style="mitre").bounds
    return (float(b[0]), float(b[1]), float(b[2]), float(b[3]))


def _demand_line(results: Sequence[Assessment]) -> str:
    """Return the title line saying how many projects were assessed on which demand."""
    assumed = sum(a.demand_source != "form" for a in results)
    return (
        f"需求来源：采集单（附件2）{len(results) - assumed} 个；"
        f"未提交采集单、按默认需求（五类专业）研判 {assumed} 个"
    )


def district_map(
    ws: Workspace,
    assessments: Iterable[Assessment],
    *,
    profile: Profile,
    basemap: str = "none",
    tianditu_key: str | None = None,
) -> folium.Map:
    """Return a map of all assessed projects coloured by approval path."""
    results = list(assessments)
    path_zh = path_labels(profile)
    display = display_for(ws.crs, basemap)
    m = base_map(display, _bounds(ws, "sites"), tianditu_key=tianditu_key)
    _scope(m, display, ws)
    _roads(m, display, ws)
    sites = ws.layer("sites")
    geoms = dict(zip(sites["project_id"].astype(str), sites.geometry))
    counts: dict[Any, int] = {}
    by_path: dict[Any, list[tuple[Any, dict[str, Any]]]] = {}
    for a in results:
        counts[a.approval_path] = counts.get(a.approval_path, 0) + 1
        lengths = "；".join(  # from the red line (seed 二): lead-in + along the road
            f"{UTILITY_ZH[u]} {r.route.red_line_m:,.1f} m（红线引入段 {r.route.lead_in_m:,.1f} m"
            f" + 沿道路 {r.route.length_m:,.1f} m）"
            if r.route is not None
            else f"{UTILITY_ZH[u]} 无"
            for u, r in a.utilities.items()
        )
        popup = popup_table(
            [
                ("项目代码", a.project_id),
                ("项目名称", a.name),
                ("审批路径", path_zh.get(a.approval_path, "-")),
                ("外线长度", lengths or "-"),
                ("需提前布局", "、".join(UTILITY_ZH[u] for u in a.needs_prelay) or "无"),
                ("理由", "；".join(x.text for x in a.reasons[:6]) or "-"),
            ],
            title=f"{a.project_id} {a.name}",
        )
        by_path.setdefault(a.approval_path, []).append(
            (
                geoms[a.project_id],
                {
                    "tooltip": f"{a.project_id} {a.name}：{path_zh.get(a.approval_path, '-')}",
                    "popup": popup,
                    "path": a.approval_path,
                },
            )
        )
    for path, items in by_path.items():
        add_geometries(
            m,
            display,
            items,
            name=f"{path_zh.get(path, '-')}（{len(items)}）",
            style=OverlayStyle(
                lambda p: {
                    "color": PATH_COLOURS.get(p["path"], "#999"),
                    "weight": 2,
                    "fillColor": PATH_COLOURS.get(p["path"], "#999"),
                    "fillOpacity": 0.6,
                }
            ),
        )
    add_legend(
        m,
        [
            *((PATH_COLOURS[p], "box", f"{path_zh[p]}（{counts.get(p, 0)} 个）") for p in PATH_COLOURS),
            LINE_STYLES["scope"],
        ],
        title="审批路径",
    )
    add_title(
        m,
        f"项目研判总图：{len(results)} 个项目",
        [
            "；".join(f"{path_zh.get(k, '-')} {v} 个" for k, v in counts.items()),
            _demand_line(results),
        ],
    )
    folium.LayerControl(collapsed=False).add_to(m)
    return m


def _status(a: Assessment | None, u: str) -> str:
    if a is None or u not in a.utilities:
        return "-"
    r = a.utilities[u]
    if not r.covered:
        return "需布局"
    return "告知承诺" if r.approval_path == "commitment" else "联合审批"


def prelay_map(
    ws: Workspace,
    plan: PrelayPlan,
    *,
    profile: Profile,
    basemap: str = "none",
    tianditu_key: str | None = None,
) -> folium.Map:
    """Return the map of a pre-lay plan: existing vs planned mains, intents before → after."""
    display = display_for(ws.crs, basemap)
    layer = "intents" if "intents" in ws.layers else "sites"
    m = base_map(display, _bounds(ws, layer), tianditu_key=tianditu_key)
    _roads(m, display, ws)
    for u in UTILITIES:
        mains = ws.layers.get(u)
        if mains is None or not len(mains):
            continue
        colour = UTILITY_COLOURS[u]
        add_geometries(
            m,
            display,
            (
                (g, {"tooltip": f"{UTILITY_ZH[u]}现状 {a}"})
                for g, a, s in zip(mains.geometry, mains["asset_id"], mains["status"])
                if s != "planned"
            ),
            name=f"{UTILITY_ZH[u]}现状管网",
            style=OverlayStyle(
                _fixed({"color": colour, "weight": 2, "opacity": 0.6}), popup=None, show=True
            ),
        )
    for u in UTILITIES:
        ext = [e for e in plan.extensions if e.utility == u]
        colour = UTILITY_COLOURS[u]
        add_geometries(
            m,
            display,
            (
                (
                    e.geometry,
                    {
                        "tooltip": f"规划{UTILITY_ZH[u]} {e.asset_id} {e.length_m:,.1f} m",
                        "popup": popup_table(
                            [
                                ("编号", e.asset_id),
                                ("道路", e.road_name),
                                ("长度", f"{e.length_m:,.1f} m"),
                                ("服务意向项目", "、".join(e.serves)),
                                ("最早用能", e.earliest_need.isoformat()),
                                ("最迟开工", e.latest_start.isoformat()),
                            ],
                            title=f"规划{UTILITY_ZH[u]}管线",
                        ),
                    },
                )
                for e in ext
            ),
            name=f"规划{UTILITY_ZH[u]}管线（{sum(e.length_m for e in ext):,.0f} m）",
            style=OverlayStyle(_fixed(LINE_STYLES["prelay_main"].leaflet(color=colour))),
        )
    intents = ws.layers.get("intents")
    if intents is not None and len(intents):
        items = []
        for g, iid, name in zip(
            intents.geometry, intents["intent_id"].astype(str), intents["name"]
        ):
            before, after = plan.before.get(iid), plan.after.get(iid)
            either = after or before
            utilities = list(either.utilities) if either is not None else []
            rows = [
                (UTILITY_ZH[u], f"{_status(before, u)} → {_status(after, u)}") for u in utilities
            ]
            improved = any(_status(before, u) != _status(after, u) for u in utilities)
            items.append(
                (
                    g,
                    {
                        "tooltip": f"{iid} {name}",
                        "popup": popup_table(rows, title=f"意向项目 {iid} {name}（布局前 → 后）"),
                        "improved": improved,
                    },
                )
            )
        add_geometries(
            m,
            display,
            items,
            name="招商意向项目",
            style=OverlayStyle(
                lambda p: {
                    "color": "#2e9e44" if p["improved"] else "#455a64",
                    "weight": 2,
                    "fillOpacity": 0.5,
                }
            ),
        )
    total = sum(e.length_m for e in plan.extensions)
    add_legend(
        m,
        [
            *utility_legend(),
            LINE_STYLES["prelay_main"],
            ("#2e9e44", "box", "意向项目：布局后接入条件改善"),
            ("#455a64", "box", "意向项目：无变化"),
        ],
        title="图例（实线现状，虚线规划）",
    )
    add_title(m, f"提前布局规划图：新建管线 {total:,.0f} m，{len(plan.extensions)} 段")
    folium.LayerControl(collapsed=False).add_to(m)
    return m
