"""Assessment output: JSON objects (English keys) and a readable table (Chinese labels)."""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS
from shapely import LineString, Point
from shapely.geometry import mapping
from wcwidth import wcswidth

from gis import vocabulary
from gis.convert import path_geometry
from gis.crs import transformer
from gis.errors import CalendarError
from gis.profile import Profile
from gis.simulation.result import CapacityRun
from planning.assess import Assessment, Route, UtilityResult
from planning.assessment import CapacityCheck
from planning.calendar import WorkCalendar, calendar_for, path_deadlines, provisional_note
from planning.capacity import describe, summary
from planning.crossings import Crossing

__all__ = [
    "assessment_table",
    "assessment_to_dict",
    "demand_warning",
    "display_width",
    "feature_collection",
    "pad",
    "path_deadlines_json",
    "path_labels",
]

UTILITY_ZH: dict[str, str] = vocabulary.UTILITIES.labels()
SURFACE_ZH: dict[str, str] = vocabulary.SURFACES.labels()


def feature_collection(gdf: gpd.GeoDataFrame) -> dict[str, Any]:
    """Return a layer as a GeoJSON FeatureCollection in CRS84 (lon, lat), missing values null."""
    out: dict[str, Any] = json.loads(gdf.to_crs("OGC:CRS84").to_json(na="null", drop_id=True))
    return out


def path_labels(profile: Profile) -> dict[str | None, str]:
    """Return each approval path's label with the profile's time limits (联合审批（2+3 个工作日）)."""
    return {p: vocabulary.approval_path_label(p, profile) for p in vocabulary.APPROVAL_PATHS}


class _ToWgs84:
    def __init__(self, crs: CRS) -> None:
        self.t = transformer(crs)

    def xy(self, x: float, y: float) -> tuple[float, float]:
        lon, lat = self.t.transform(x, y)
        return round(float(lon), 7), round(float(lat), 7)

    def line(self, line: LineString) -> dict[str, Any]:
        def to_lonlat(coords: np.ndarray) -> np.ndarray:
            lon, lat = self.t.transform(coords[:, 0], coords[:, 1])
            return np.column_stack([lon, lat])

        geo = dict(mapping(shapely.transform(line, to_lonlat)))
        geo["coordinates"] = [[round(c[0], 7), round(c[1], 7)] for c in geo["coordinates"]]
        return geo


def _crossing(c: Crossing, to: _ToWgs84) -> dict[str, Any]:
    lon, lat = to.xy(c.x, c.y)
    return {"kind": c.kind, "name": c.name, "lon": lon, "lat": lat, "source": c.source}


def _drawn(line: LineString | None) -> bool:
    """Return whether a line has a length to draw."""
    return line is not None and not line.is_empty and line.length > 0


def _route(r: Route, to: _ToWgs84) -> dict[str, Any]:
    tap: Point = r.tap_point
    lon, lat = to.xy(tap.x, tap.y)
    out: dict[str, Any] = {
        "length_m": round(r.length_m, 3),
        "lead_in_m": round(r.lead_in_m, 3),
        "red_line_m": round(r.red_line_m, 3),
        "straight_line_m": round(r.straight_line_m, 3),
        "surfaces": {k: round(v, 3) for k, v in sorted(r.surfaces.items())},
        "crossings": [_crossing(c, to) for c in r.crossings]
        + [
            {
                "kind": f"carriageway:{c.road_class}",
                "name": c.name,
                "lon": to.xy(c.x, c.y)[0],
                "lat": to.xy(c.x, c.y)[1],
                "road_id": c.road_id,
                "width_m": c.width_m,
            }
            for c in r.carriageways
        ],
        "dig_once": [
            {"road_id": d.road_id, "name": d.name, "protected_until": d.until.isoformat()}
            for d in r.dig_once
        ],
        "route": to.line(r.geometry),
        # from the red line to the route's start (seed 二): ``lead_in_m`` long
        "lead_in": to.line(r.lead_in_line) if _drawn(r.lead_in_line) else None,
        "tap": {"asset_id": r.tap_asset, "lon": lon, "lat": lat},
    }
    if r.detour is not None:
        out["dig_once_detour"] = {
            k: (round(v, 3) if isinstance(v, float) else v) for k, v in r.detour.items()
        }
    if r.feeder_id is not None:
        out["tap"]["feeder_id"] = r.feeder_id
    if r.operator is not None:
        out["tap"]["operator"] = r.operator
    if r.shortest is not None:
        # the shortest route, not taken: a longer one goes by notify-and-commit (三5, 四(一)2)
        out["shortest"] = _route(r.shortest, to) | {
            "why_not_chosen": [
                {"rule": x.rule, "code": x.code, "text": x.text} for x in r.shortest_reasons
            ]
        }
    return out


def _utility(u: UtilityResult, to: _ToWgs84, deadlines: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "covered": u.covered,
        "status": "covered" if u.covered else "needs_prelay",
        "requirement": u.requirement,
        "length_m": None,
        "lead_in_m": None,
        "red_line_m": None,
        "straight_line_m": None,
        "surfaces": {},
        "crossings": [],
        "dig_once": [],
        "route": None,
        "lead_in": None,
        "tap": None,
    }
    if u.route is not None:
        out.update(_route(u.route, to))
    if u.backup is not None:
        out["backup"] = _route(u.backup, to)
    if u.operators:
        out["operators"] = {k: round(v, 3) for k, v in u.operators.items()}
    out["approval"] = {
        "path": u.approval_path,
        "reasons": [{"rule": r.rule, "code": r.code, "text": r.text} for r in u.reasons],
    }
    out["deadlines"] = dict(deadlines.get(u.approval_path or "", {}))
    if u.capacity is not None:
        out["capacity"] = _capacity(u.capacity)
    if u.backup_capacity is not None:  # the backup with the main feeder out (N-1)
        out["backup_capacity"] = _capacity(u.backup_capacity)
    return out


def _run(run: CapacityRun) -> dict[str, Any]:
    return {
        "tap": run.tap_asset,
        "demand": round(run.demand, 4),
        "demand_unit": run.demand_unit,
        "before": {k: round(v, 4) for k, v in run.before.items()},
        "after": {k: round(v, 4) for k, v in run.after.items()},
        "converged": run.converged,
        "outage": run.outage,
        "summary": summary(run),
    }


def _capacity(c: CapacityCheck) -> dict[str, Any]:
    """Return the capacity check of a tap: the check used, the run taken, the taps refused."""
    return {
        "check": c.method,
        "engine": c.engine or None,
        "note": c.note or None,
        "run": _run(c.run) if c.run is not None else None,
        "failed": [
            _run(f.run)
            | {"reasons": [{"rule": r.rule, "code": r.code, "text": r.text} for r in f.reasons]}
            for f in c.failed
        ],
        "text": describe(c),
    }


def path_deadlines_json(
    start: dt.datetime, *, profile: Profile, calendar: WorkCalendar | None = None
) -> dict[str, dict[str, Any]]:
    """Return each approval path's named deadlines from ``start``, marked when provisional.

    Each path maps to its deadlines (datetimes) plus ``provisional`` (bool: a year they depend
    on has no State Council notice loaded), ``provisional_years`` and, when provisional,
    ``note`` (暂定：…). A year that cannot be computed at all gives ``{"error": text}`` (the
    text names the year, never a server path); the assessment itself still stands.
    """
    cal = calendar if calendar is not None else calendar_for(profile)
    out: dict[str, dict[str, Any]] = {}
    for path in ("commitment", "joint"):
        try:
            nodes, years = path_deadlines(start, path, profile=profile, calendar=cal)
        except CalendarError as exc:
            out[path] = {"error": str(exc)}
            continue
        out[path] = {**nodes, "provisional": bool(years), "provisional_years": list(years)}
        if years:
            out[path]["note"] = provisional_note(years)
    return out


def _iso(v: Any) -> Any:
    return v.isoformat(timespec="minutes") if isinstance(v, dt.datetime) else v


def assessment_to_dict(
    a: Assessment, *, crs: CRS, deadlines: Mapping[str, Mapping[str, Any]] | None = None
) -> dict[str, Any]:
    """Return one site's assessment as a JSON-ready dict (routes as WGS84 GeoJSON).

    ``deadlines`` maps an approval path to its named deadlines (from the calendar), as
    :func:`path_deadlines_json` gives them (with ``provisional``).
    """
    to = _ToWgs84(crs)
    dl = {k: {n: _iso(t) for n, t in v.items()} for k, v in (deadlines or {}).items()}
    return {
        "project_id": a.project_id,
        "name": a.name,
        "as_of": a.as_of.isoformat(),
        "applicable": a.applicable,
        "approval_path": a.approval_path,
        "demand_source": a.demand_source,
        "demand_utilities": list(a.utilities),
        "needs_prelay": a.needs_prelay,
        "reasons": [{"rule": r.rule, "code": r.code, "text": r.text} for r in a.reasons],
        "utilities": {u: _utility(r, to, dl) for u, r in a.utilities.items()},
        "deadlines": dl.get(a.approval_path or "", {}),
        "shared_trench": _shared(a, to),
        "cost": _cost(a),
    }


def _shared(a: Assessment, to: _ToWgs84) -> dict[str, Any] | None:
    t = a.shared_trench
    if t is None:
        return None
    segments = []
    for s in t.segments:
        seg: dict[str, Any] = {
            "kind": s.kind,
            "road_id": s.road_id,
            "name": s.name,
            "side": s.side,
            "surface": s.surface,
            "length_m": round(s.length_m, 3),
            "utilities": list(s.utilities),
            "trenches": [list(g) for g in s.trenches],
            "geometry": to.line(path_geometry(t.graph, s.nodes)) if t.graph is not None else None,
        }
        if s.section is not None:
            seg["section"] = {
                "fits": bool(getattr(s.section, "fits", True)),
                "width_m": getattr(s.section, "width_m", None),
                "available_m": getattr(s.section, "available_m", None),
                "message": getattr(s.section, "message", ""),
            }
        segments.append(seg)
    return {
        "segments": segments,
        "total_trench_m": round(t.total_trench_m, 3),
        "separate_trench_m": round(t.separate_trench_m, 3),
        "saved_m": round(t.saved_m, 3),
        "saved_share": round(t.saved_share, 4),
        "rerouted": [
            {
                "utility": r.utility,
                "from_m": round(r.from_m, 3),
                "to_m": round(r.to_m, 3),
                "extra_m": round(r.extra_m, 3),
                "tap_from": r.tap_from,
                "tap_to": r.tap_to,
            }
            for r in t.rerouted
        ],
    }


def _cost(a: Assessment) -> dict[str, Any] | None:
    if a.cost_separate is None or a.cost_joint is None:
        return None
    return {
        "currency": "CNY",
        "separate_yuan": round(a.cost_separate.total, 2),
        "joint_yuan": round(a.cost_joint.total, 2),
        "saved_yuan": round(a.cost_separate.total - a.cost_joint.total, 2),
        "joint_parts_yuan": {
            "trench": round(a.cost_joint.trench, 2),
            "pipe": round(a.cost_joint.pipe, 2),
            "crossings": round(a.cost_joint.crossings, 2),
        },
    }


def demand_warning(assessments: Iterable[Assessment]) -> str | None:
    """Return the warning that sites were assessed without a form (default demand), or None."""
    assumed = [a.project_id for a in assessments if a.demand_source != "form"]
    if not assumed:
        return None
    shown = "、".join(assumed[:10]) + (f" 等 {len(assumed)} 个" if len(assumed) > 10 else "")
    return (
        f"注意：{len(assumed)} 个地块未提交需求信息采集单（附件2），按默认需求"
        f"（小型工业企业，五类专业）研判：{shown}；请以 --demand 提供采集单 "
        f"(no intake form for {len(assumed)} site(s): the profile's default demand was assumed)"
    )


def display_width(text: str) -> int:
    """Return the columns ``text`` takes in a terminal: two for each Chinese character.

    Examples
    --------
    >>> display_width("中压B"), display_width("JM-2026-001")
    (5, 11)
    """
    width = wcswidth(text)
    if width >= 0:
        return width
    # a control character: count East Asian wide and fullwidth characters as two
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text: str, width: int, *, right: bool = False) -> str:
    """Return ``text`` padded with spaces to ``width`` display columns (``right``: align right).

    Examples
    --------
    >>> pad("燃气", 6) + "|", pad("1.0", 5, right=True) + "|"
    ('燃气  |', '  1.0|')
    """
    fill = " " * max(0, width - display_width(text))
    return fill + text if right else text + fill


def _lengths(route: Route | None) -> tuple[str, str, str]:
    """Return a route's lead-in, length along the road and red-line length as table cells."""
    if route is None:
        return ("-", "-", "-")
    return (f"{route.lead_in_m:,.1f}", f"{route.length_m:,.1f}", f"{route.red_line_m:,.1f}")


_BLANK = ("", "", "")


def _shortest_rows(row: Callable[..., str], route: Route | None) -> list[str]:
    """Return the table row of the shortest route not taken for ``route``, if there is one."""
    if route is None or route.shortest is None:
        return []
    return [
        row("", "最短", "", _lengths(route.shortest), "未采用（需联合审批：")
        + "；".join(x.text for x in route.shortest_reasons)
        + "），改走上行可告知承诺的路线"
    ]


def assessment_table(assessments: Sequence[Assessment], *, profile: Profile) -> str:
    """Return a readable table, one line per site and utility, with Chinese labels.

    Each line's length is shown from the site's red line (seed 二) with its two parts: the
    lead-in from the red line to the road (引入段), the part along the road (沿道路, the drawn
    route) and their sum (外线长度, the length compared with the threshold).
    ``profile`` gives the time limits in the approval paths' labels.
    """
    path_zh = path_labels(profile)
    path_w = max(display_width(p) for p in path_zh.values()) + 2

    def row(
        site: str, what: str, covered: str, lengths: Sequence[str], path: str, why: str = ""
    ) -> str:
        lead, along, total = lengths
        return (
            f"{pad(site, 13)}{pad(what, 6)}{pad(covered, 6)}{pad(lead, 10, right=True)}"
            f"{pad(along, 11, right=True)}{pad(total, 13, right=True)}  "
            f"{pad(path, path_w) if why else path}{why}"
        )

    head = ("引入段(m)", "沿道路(m)", "外线长度(m)")
    lines = [row("项目", "专业", "覆盖", head, "审批路径", "理由")]
    for a in assessments:
        if not a.utilities:
            lines.append(row(a.project_id, "-", "-", _lengths(None), path_zh[a.approval_path]))
        for u, r in a.utilities.items():
            path = (
                path_zh["not_applicable"] if not a.applicable else path_zh.get(r.approval_path, "-")
            )
            why = "；".join(x.text for x in (a.reasons if not a.applicable else r.reasons))
            covered = "是" if r.covered else "否"
            lines.append(row(a.project_id, UTILITY_ZH[u], covered, _lengths(r.route), path, why))
            lines += _shortest_rows(row, r.route)
            if r.capacity is not None:  # which capacity check was used, with its numbers
                lines.append(row("", "承载", "", _BLANK, describe(r.capacity)))
            if r.backup is not None:  # the backup supply, from another feeder
                lines.append(row("", "备供", "", _lengths(r.backup), ""))
                lines += _shortest_rows(row, r.backup)
            if r.backup_capacity is not None:  # the backup with the main feeder out (N-1)
                lines.append(row("", "备供承载", "", _BLANK, describe(r.backup_capacity)))
        lines.append(row("", "合计", "", _BLANK, path_zh.get(a.approval_path, "-")))
        lines.append(" " * 12 + a.demand_note())
        t = a.shared_trench
        if t is not None and t.saved_m > 0:
            lines.append(
                row("", "同沟", "", ("", f"{t.total_trench_m:,.1f}", ""), "联合开挖（分别开挖 ")
                + f"{t.separate_trench_m:,.1f} m，少挖 {t.saved_m:,.1f} m）"
            )
        if a.cost_joint is not None and a.cost_separate is not None:
            lines.append(
                row("", "估算", "", _BLANK, f"外线工程费用约 {a.cost_joint.total / 1e4:,.1f} 万元")
                + f"（分别施工 {a.cost_separate.total / 1e4:,.1f} 万元）"
            )
    return "\n".join(lines)
