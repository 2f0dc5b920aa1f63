"""Applicability (seed 二) and network coverage (seed 三1): who may use the linked connection.

Seed 二 (适用范围) opens the linked connection to industrial and commercial enterprises (工商企业)
in the central city: the main city and the five clusters 子陵、牌楼、团林、麻城、漳河 (the
workspace's ``scope`` layer); real-estate developers (房地产开发企业) are excluded. The enterprise
types that count as either are profile data (``applicability``). Seed 三1 covers a site when a
suitable public main lies within the connection distance along the roads; when none does, the
network must be laid ahead (提前布局, seed 四). This module words those verdicts (rule R1); the
search for the main itself is :mod:`planning.tap_search`.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from gis import vocabulary
from gis.profile import Profile
from planning.approval import Reason

__all__ = ["applicability", "no_network", "not_covered"]


def applicability(
    sites: gpd.GeoDataFrame, scope: gpd.GeoDataFrame, profile: Profile
) -> dict[str, list[Reason]]:
    """Return, per site, the reasons it is *not* applicable (empty list: applicable)."""
    area = shapely.union_all(np.asarray(scope.geometry.values)) if len(scope) else None
    excluded = set(profile.applicability.excluded_enterprise_types)
    eligible = set(profile.applicability.eligible_enterprise_types)
    out: dict[str, list[Reason]] = {}
    for row in sites.itertuples():
        reasons = []
        etype = str(row.enterprise_type)
        if etype in excluded:
            reasons.append(
                Reason(
                    "R1", "real_estate", "房地产开发企业不适用联动接入方案（实施方案 二 适用范围）"
                )
            )
        elif etype not in eligible:
            reasons.append(
                Reason("R1", "not_enterprise", f"企业类型 {etype} 不属于工商企业（实施方案 二）")
            )
        point = row.geometry.representative_point()
        if area is None or not area.contains(point):
            reasons.append(
                Reason(
                    "R1",
                    "outside_scope",
                    "地块不在中心城区适用范围内（实施方案 二：主城区及子陵、牌楼、团林、麻城、漳河五组团）",
                )
            )
        out[str(row.project_id)] = reasons
    return out


def no_network(utility: str) -> Reason:
    """Return why a utility is not covered when the workspace has no layer of its mains."""
    return Reason(
        "R1",
        "no_network",
        f"工作空间没有{vocabulary.UTILITIES.label(utility)}管网图层：需提前布局管网",
    )


def not_covered(utility: str, req: str, profile: Profile) -> Reason:
    """Return why a utility is not covered: no suitable main within reach (seed 三1, 四)."""
    limit = profile.coverage.max_connection_m
    return Reason(
        "R1",
        "needs_prelay",
        f"自用地红线沿道路 {limit:g} m 内无满足需求的{vocabulary.UTILITIES.label(utility)}管线（需 {req}）："
        "不在公共管网覆盖范围，"
        "需提前布局周边管网（实施方案 三1、四）",
    )
