"""Dig-once protection (rule R10; 城市道路管理条例 第三十三条): roads that may not be dug, detours.

城市道路管理条例 第三十三条: a city road may not be dug within 5 years of being opened (new,
extended or rebuilt) nor within 3 years of a major repair (the years are profile data,
``dig_once.new_road_years`` and ``dig_once.repaired_road_years``). :func:`protected_roads`
lists the roads under that protection on the assessment date; :func:`keep_off_protected_roads`
gives a route that would dig one up for the shortest route that keeps off them all, when that
is at most ``dig_once.detour_allowance`` longer. A route that still digs a protected road goes
to joint approval with the reason (:func:`planning.approval.decide`).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import geopandas as gpd

from gis.profile import Profile

if TYPE_CHECKING:
    from planning.assessment import Route
    from planning.route_facts import RouteContext
    from planning.tap_search import TapSearch

__all__ = ["keep_off_protected_roads", "protected_roads"]


def protected_roads(
    roads: gpd.GeoDataFrame, *, profile: Profile, as_of: dt.date
) -> dict[str, tuple[dt.date, str]]:
    """Return the roads under dig-once protection on ``as_of`` (R10): id → (until, why).

    A road opened (new or rebuilt) or repaired less than the profile's number of years
    (``dig_once.new_road_years``, ``dig_once.repaired_road_years``) before ``as_of`` may not
    be dug; the later of its two protection ends counts.
    """
    new_y = profile.dig_once.new_road_years
    rep_y = profile.dig_once.repaired_road_years
    out: dict[str, tuple[dt.date, str]] = {}
    for row in roads.itertuples():
        ends = []
        for col, years, why in (
            ("opened_on", new_y, "新建/改建交付"),
            ("repaired_on", rep_y, "大修竣工"),
        ):
            value = getattr(row, col, None)
            if isinstance(value, str) and value:
                d = dt.date.fromisoformat(value[:10])
                until = _add_years(d, years)
                ends.append((until, f"{d.isoformat()} {why}未满 {years} 年"))
        if ends:
            until, why = max(ends)
            if until > as_of:
                out[str(row.road_id)] = (until, why)
    return out


def _add_years(d: dt.date, years: int) -> dt.date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def keep_off_protected_roads(
    ctx: RouteContext,
    searcher: TapSearch,
    pid: str,
    utility: str,
    key: tuple[Any, ...],
    route: Route,
    assets: set[str],
) -> Route:
    """Take a detour within the profile's allowance rather than dig a protected road (R10).

    Returns ``route`` itself when it digs no protected road, when no route keeps off them or
    when the shortest that does is longer than the allowance; otherwise that detour, with
    :attr:`planning.assessment.Route.detour` saying which roads it avoided and at what cost.
    """
    if not route.dig_once:
        return route
    allowance = ctx.profile.dig_once.detour_allowance
    path = searcher.avoiding_protected(pid, key)
    if path is None:
        return route
    other = ctx.route(pid, path, utility, assets)
    if other.length_m > route.length_m * (1.0 + allowance) + 1e-9:
        return route
    other.detour = {
        "avoided_roads": [d.name for d in route.dig_once],
        "shortest_m": route.length_m,
        "extra_m": other.length_m - route.length_m,
        "allowance": allowance,
    }
    return other
