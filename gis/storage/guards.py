"""Checks before an import that need the stored state: changes that would wipe or break data.

Validation (:mod:`gis.validate`) judges a layer by itself and against the scope. These guards
judge the *change* a new version makes to what is stored, and refuse it until the uploader
confirms (:class:`~gis.errors.ConfirmationRequiredError`, HTTP 409), saying what it would do:

1. a replacement that removes most of a layer (``guards.max_removed_share`` of its features,
   at least ``guards.min_removed`` of them) — e.g. a one-feature water upload over 86 mains;
2. a sites version that removes a site a project in the projects table uses;
3. a network whose assets mostly lie off the roads (``guards.max_off_road_share`` of them,
   judged from ``guards.off_road_min_assets`` assets on): an asset is off the roads when most
   of its samples, taken every ``attach.sample_step_m``, lie farther than
   ``attach.asset_max_offset_m`` from every road centreline — the distance within which
   :func:`gis.corridor.attach_assets` attaches an asset to a road. The typical cause is
   高德/腾讯 GCJ-02 coordinates declared as WGS84, several hundred metres off.

Every function returns :class:`~gis.errors.Problem` findings; :func:`import_problems` runs
them all, so one refusal lists everything to confirm at once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import geopandas as gpd
import numpy as np
import shapely

from gis.errors import ConfirmationRequiredError, Problem
from gis.profile import Profile
from gis.schema import LAYERS, NETWORK_LAYERS

__all__ = [
    "GCJ02_HINT",
    "import_problems",
    "off_road_problems",
    "removal_problems",
    "require_confirmation",
    "site_use_problems",
]

GCJ02_HINT = "坐标可能为高德/腾讯 GCJ-02 偏移坐标，请用 source_crs=gcj02 上传"
"""Told with an off-road network: the usual cause is a web-map offset declared as WGS84."""

_CONFIRM = "确认后可执行：上传时加 confirm=true (repeat the request with confirm=true to carry it out)"
_SHOWN_IDS = 20


def _some(ids: Sequence[str]) -> str:
    """List up to 20 ids, then how many more."""
    shown = ", ".join(ids[:_SHOWN_IDS])
    return shown + (f" 等另 {len(ids) - _SHOWN_IDS} 个 (and {len(ids) - _SHOWN_IDS} more)" if len(ids) > _SHOWN_IDS else "")


def removal_problems(
    layer: str, previous_ids: Sequence[str], new_ids: Sequence[str], *, profile: Profile
) -> list[Problem]:
    """Report a new version that removes most of the stored layer's features.

    Parameters
    ----------
    layer
        Layer name.
    previous_ids, new_ids
        Feature ids of the stored (latest) version and of the new one.
    profile
        Gives ``guards.max_removed_share`` and ``guards.min_removed``.
    """
    removed = sorted(set(previous_ids) - set(new_ids))
    share = len(removed) / len(previous_ids) if previous_ids else 0.0
    if len(removed) < profile.guards.min_removed or share <= profile.guards.max_removed_share:
        return []
    n, k = len(previous_ids), len(removed)
    return [
        Problem(
            layer,
            None,
            None,
            f"新版本将删除现有 {n} 个要素中的 {k} 个（{share:.0%}）：{_some(removed)} "
            f"(the new version removes {k} of the {n} stored features)",
            f"删除不超过 {profile.guards.max_removed_share:.0%} 的要素；{_CONFIRM}",
            code="confirm_removal",
        )
    ]


def site_use_problems(removed_ids: Sequence[str], projects: Mapping[str, str]) -> list[Problem]:
    """Report each removed site that a project uses.

    Parameters
    ----------
    removed_ids
        Site ids (``project_id``) the new sites version no longer has.
    projects
        Project id → project name of the stored projects (a project uses the site of its id).
    """
    return [
        Problem(
            "sites",
            pid,
            "project_id",
            f"地块 {pid} 被项目「{projects[pid]}」使用，新版本将删除该地块 "
            f"(site {pid} is used by project {pid} {projects[pid]!r} and would be removed)",
            f"保留在用项目的地块；{_CONFIRM}",
            code="confirm_site_in_use",
        )
        for pid in sorted(set(removed_ids) & set(projects))
    ]


def _off_road(
    assets: gpd.GeoDataFrame, roads: gpd.GeoDataFrame, *, step: float, reach: float
) -> tuple[np.ndarray, float]:
    """Return per asset whether it lies mostly off the roads, and a typical distance.

    The typical distance is the median distance to the nearest road of the samples of the
    assets off the roads (at most the shift of a shifted layer: another road may be nearer).
    """
    geoms = np.asarray(assets.geometry.values, dtype=object)
    n = np.maximum(2, np.ceil(shapely.length(geoms) / step).astype(int))
    owner = np.repeat(np.arange(len(geoms)), n)
    k = np.arange(len(owner)) - np.repeat(np.cumsum(n) - n, n)
    pts = shapely.line_interpolate_point(geoms[owner], (k + 0.5) / n[owner], normalized=True)
    tree = shapely.STRtree(np.asarray(roads.geometry.values, dtype=object))
    near, dist = tree.query_nearest(pts, return_distance=True, all_matches=False)
    d = np.full(len(pts), np.inf)
    d[near[0]] = dist
    off = np.bincount(owner, weights=d > reach, minlength=len(geoms)) / n > 0.5
    typical = float(np.median(d[off[owner]])) if off.any() else 0.0
    return off, typical


def off_road_problems(
    layer: str, assets: gpd.GeoDataFrame, roads: gpd.GeoDataFrame | None, *, profile: Profile
) -> list[Problem]:
    """Report a network whose assets mostly lie off the roads (a shifted layer).

    Parameters
    ----------
    layer
        The network's layer name (one of the five utilities); other layers are not judged.
    assets
        The network as it would be stored (working CRS, ``asset_id``).
    roads
        The stored roads (same CRS), or ``None`` when there are none yet.
    profile
        Gives the ``guards.*`` and ``attach.*`` distances and shares.
    """
    if layer not in NETWORK_LAYERS or roads is None or roads.empty:
        return []
    if len(assets) < profile.guards.off_road_min_assets:
        return []
    reach = profile.attach.asset_max_offset_m
    off, typical = _off_road(assets, roads, step=profile.attach.sample_step_m, reach=reach)
    share = float(off.mean())
    limit = profile.guards.max_off_road_share
    if share <= limit:
        return []
    ids = assets["asset_id"].astype(str).to_numpy()[off].tolist()
    return [
        Problem(
            layer,
            None,
            "geometry",
            f"{len(ids)}/{len(assets)} 条管线（{share:.0%}）大部分距所有道路中线超过 {reach:g} m，"
            f"典型距离 {typical:.0f} m：{_some(ids)} "
            f"({share:.0%} of the assets lie mostly off the roads, typically {typical:.0f} m away)",
            f"{GCJ02_HINT} (coordinates may be GCJ-02 (高德/腾讯) declared as WGS84: upload with "
            f"source_crs=gcj02); 不超过 {limit:.0%} 的管线偏离道路；{_CONFIRM}",
            code="confirm_off_road",
        )
    ]


def import_problems(
    layer: str,
    new: gpd.GeoDataFrame,
    *,
    new_ids: Sequence[str],
    previous_ids: Sequence[str],
    roads: gpd.GeoDataFrame | None,
    projects: Mapping[str, str],
    profile: Profile,
) -> list[Problem]:
    """Run every guard on a validated new version of ``layer``; empty when nothing to confirm.

    Parameters
    ----------
    layer
        Layer name.
    new
        The validated layer (working CRS).
    new_ids, previous_ids
        Feature ids of the new version and of the stored latest one (empty if none).
    roads
        The stored roads, or ``None``.
    projects
        Project id → name of the stored projects (only used for ``sites``).
    profile
        Thresholds (``guards.*``, ``attach.*``).
    """
    # (1) most of the layer removed
    problems = removal_problems(layer, previous_ids, new_ids, profile=profile)
    # (2) sites that projects use removed
    if layer == "sites":
        removed = sorted(set(previous_ids) - set(new_ids))
        problems += site_use_problems(removed, projects)
    # (3) a network mostly off the roads
    problems += off_road_problems(layer, new, roads, profile=profile)
    return problems


def require_confirmation(layer: str, problems: Sequence[Problem]) -> None:
    """Raise :class:`~gis.errors.ConfirmationRequiredError` when there is anything to confirm."""
    if not problems:
        return
    title = LAYERS[layer].title_zh if layer in LAYERS else layer
    summary = (
        f"图层 {layer}（{title}）的新版本需要确认后才能导入，未作任何更改 "
        f"(import of layer {layer!r} needs confirmation; nothing was changed)"
    )
    raise ConfirmationRequiredError(problems=list(problems), summary=summary)
