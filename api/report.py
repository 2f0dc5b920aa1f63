"""Assessment output: JSON objects (English keys) and a readable table (Chinese labels)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import shapely
from pyproj import CRS, Transformer
from shapely import LineString, Point
from shapely.geometry import mapping

from planning.assess import Assessment, Route, UtilityResult
from planning.crossings import Crossing

__all__ = ["PATH_ZH", "assessment_table", "assessment_to_dict"]

PATH_ZH = {
    "commitment": "告知承诺（即时办结）",
    "joint": "联合审批（2+3 个工作日）",
    "not_applicable": "不适用",
    None: "需提前布局管网",
}
UTILITY_ZH = {"water": "供水", "gas": "燃气", "heat": "供热", "power": "供电", "telecom": "通信"}
SURFACE_ZH = {"sidewalk": "人行道", "green": "绿地"}


class _ToWgs84:
    def __init__(self, crs: CRS) -> None:
        self.t = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)

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


def _route(r: Route, to: _ToWgs84) -> dict[str, Any]:
    tap: Point = r.tap_point
    lon, lat = to.xy(tap.x, tap.y)
    out: dict[str, Any] = {
        "length_m": round(r.length_m, 3),
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
        "tap": {"asset_id": r.tap_asset, "lon": lon, "lat": lat},
    }
    if r.feeder_id is not None:
        out["tap"]["feeder_id"] = r.feeder_id
    if r.operator is not None:
        out["tap"]["operator"] = r.operator
    return out


def _utility(u: UtilityResult, to: _ToWgs84, deadlines: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "covered": u.covered,
        "status": "covered" if u.covered else "needs_prelay",
        "requirement": u.requirement,
        "length_m": None,
        "straight_line_m": None,
        "surfaces": {},
        "crossings": [],
        "dig_once": [],
        "route": None,
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
    return out


def _iso(v: Any) -> Any:
    return v.isoformat(timespec="minutes") if isinstance(v, dt.datetime) else v


def assessment_to_dict(
    a: Assessment, *, crs: CRS, deadlines: Mapping[str, Mapping[str, dt.datetime]] | None = None
) -> dict[str, Any]:
    """Return one site's assessment as a JSON-ready dict (routes as WGS84 GeoJSON).

    ``deadlines`` maps an approval path to its named deadlines (from the calendar).
    """
    to = _ToWgs84(crs)
    dl = {k: {n: _iso(t) for n, t in v.items()} for k, v in (deadlines or {}).items()}
    return {
        "project_id": a.project_id,
        "name": a.name,
        "as_of": a.as_of.isoformat(),
        "applicable": a.applicable,
        "approval_path": a.approval_path,
        "needs_prelay": a.needs_prelay,
        "reasons": [{"rule": r.rule, "code": r.code, "text": r.text} for r in a.reasons],
        "utilities": {u: _utility(r, to, dl) for u, r in a.utilities.items()},
        "deadlines": dl.get(a.approval_path or "", {}),
    }


def assessment_table(assessments: Sequence[Assessment]) -> str:
    """Return a readable table, one line per site and utility, with Chinese labels."""
    lines = [f"{'项目':<12}{'专业':<5}{'覆盖':<5}{'外线长度(m)':>11}  {'审批路径':<16}理由"]
    for a in assessments:
        if not a.utilities:
            lines.append(
                f"{a.project_id:<12}{'-':<5}{'-':<5}{'-':>11}  {PATH_ZH[a.approval_path]:<16}"
            )
        for u, r in a.utilities.items():
            length = f"{r.route.length_m:,.1f}" if r.route is not None else "-"
            path = (
                PATH_ZH["not_applicable"] if not a.applicable else PATH_ZH.get(r.approval_path, "-")
            )
            why = "；".join(x.text for x in (a.reasons if not a.applicable else r.reasons))
            lines.append(
                f"{a.project_id:<12}{UTILITY_ZH[u]:<5}{'是' if r.covered else '否':<5}"
                f"{length:>11}  {path:<16}{why}"
            )
        lines.append(f"{'':<12}{'合计':<5}{'':<5}{'':>11}  {PATH_ZH.get(a.approval_path, '-')}")
    return "\n".join(lines)
