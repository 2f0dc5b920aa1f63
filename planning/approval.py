"""The approval path of one external line: notify-and-commit (R3) or joint approval (R4, R5).

Seed 四(二)1: an external line shorter than the threshold (300 m in Jingmen) that only digs
the surfaces the profile lists (``commitment.allowed_surfaces``: sidewalk, temporarily occupied
green space) goes by notify-and-commit (告知承诺制), permitted at
once. Seed 四(二)2: over the threshold, a change of planning use, or crossing a major
pipeline, line or road goes to joint approval (联合审批). Digging a carriageway is not in
四(二)1's list (R5): joint, unless the profile allows trenchless crossing of that road class.
A road under dig-once protection needs special approval (R10, 城市道路管理条例 第三十三条).
Every reason names the rule and the numbers.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from gis import vocabulary
from gis.profile import Profile
from planning.crossings import Crossing

__all__ = [
    "CLASS_ZH",
    "CarriagewayCrossing",
    "DigOnce",
    "Reason",
    "RouteFacts",
    "decide",
]

Path = Literal["commitment", "joint"]

CLASS_ZH = vocabulary.ROAD_CLASSES.labels()
"""Chinese names of the road classes (a view of :data:`gis.vocabulary.ROAD_CLASSES`)."""


@dataclass(frozen=True)
class Reason:
    """Why a path was chosen: the rule (``R3``…), a stable code and the Chinese text."""

    rule: str
    code: str
    text: str


@dataclass(frozen=True)
class CarriagewayCrossing:
    """A route's crossing of one road's carriageway."""

    road_id: str
    name: str
    road_class: str
    width_m: float
    x: float = float("nan")
    y: float = float("nan")


@dataclass(frozen=True)
class DigOnce:
    """A road on the route under dig-once protection until ``until``."""

    road_id: str
    name: str
    until: dt.date
    why: str


@dataclass(frozen=True)
class RouteFacts:
    """What the approval rules need to know about one external line."""

    length_m: float
    """The part along the road corridor (frontage to tap, as drawn)."""
    carriageways: Sequence[CarriagewayCrossing] = ()
    crossings: Sequence[Crossing] = ()
    dig_once: Sequence[DigOnce] = ()
    surfaces: Mapping[str, float] = field(default_factory=dict)
    lead_in_m: float = 0.0
    """The lead-in from the site's red line (建筑区划红线) to the corridor."""

    @property
    def red_line_m(self) -> float:
        """The external line from the red line to the tap (seed 二): lead-in plus corridor."""
        return self.lead_in_m + self.length_m


def _metres(x: float, *, limit: float | None = None) -> str:
    """Format a length to 0.1 m, as every output shows lengths.

    Below ``limit`` it is cut (not rounded) to 0.1 m, so a length under the limit never reads
    as the limit: 299.96 m is 「299.9 m，小于 300 m」, not 「300.0 m，小于 300 m」.

    Examples
    --------
    >>> _metres(120.0), _metres(299.5), _metres(304.507), _metres(299.96, limit=300)
    ('120.0', '299.5', '304.5', '299.9')
    """
    short = f"{x:.1f}"
    if limit is not None and x < limit <= float(short):
        return f"{math.floor(x * 10) / 10:.1f}"
    return short


def _parts(facts: RouteFacts) -> str:
    """Return the two parts of a line's length when it has a lead-in (自红线起算).

    Examples
    --------
    >>> _parts(RouteFacts(280.0, lead_in_m=25.0)), _parts(RouteFacts(280.0))
    ('（自建筑区划红线起算：红线引入段 25.0 m + 沿道路 280.0 m）', '')
    """
    if facts.lead_in_m <= 0:
        return ""
    return (
        f"（自建筑区划红线起算：红线引入段 {_metres(round(facts.lead_in_m, 3))} m + "
        f"沿道路 {_metres(round(facts.length_m, 3))} m）"
    )


_DUG_SURFACES = ("sidewalk", "green")
"""The surfaces whose digging a commitment may allow (the profile says which it does)."""
"""Public surfaces a line may dig outside the carriageway (``lead_in`` is the site's own land)."""


def _rules(
    profile: Profile,
) -> tuple[float, frozenset[str], frozenset[str], Mapping[str, str], frozenset[str]]:
    """Return the profile values :func:`decide` reads (worked out once per profile)."""
    return profile.derived(
        "approval-rules",
        lambda p: (
            p.commitment.max_length_m,
            frozenset(p.commitment.major_crossing_kinds),
            frozenset(p.commitment.trenchless_road_classes),
            p.major_lines.major_road_classes,
            frozenset(p.commitment.allowed_surfaces),
        ),
    )


def _works(surface: str) -> str:
    """Return the works on a surface as the seed words them (挖掘人行道, 临时占用绿地)."""
    return vocabulary.SURFACES.label(surface, form="works")


def _surface_reasons(
    surfaces: Mapping[str, float], allowed: frozenset[str], label: str
) -> list[Reason]:
    """R5 for every public surface dug that the profile's commitment list leaves out."""
    dug = [s for s in _DUG_SURFACES if s not in allowed and surfaces.get(s, 0.0) > 0]
    if not dug:
        return []
    listed = "、".join(_works(s) for s in _DUG_SURFACES if s in allowed) or "无"
    return [
        Reason(
            "R5",
            f"surface_{s}",
            f"{label}需{_works(s)} {surfaces[s]:.1f} m：不属于告知承诺允许的{listed}"
            "（实施方案 四(二)1）",
        )
        for s in dug
    ]


def decide(
    facts: RouteFacts, *, profile: Profile, change_of_use: bool = False, label: str = "外线"
) -> tuple[Path, list[Reason]]:
    """Return the approval path of one external line and every reason for it.

    Examples
    --------
    >>> from gis.profile import load_profile
    >>> p = load_profile("jingmen-2023")
    >>> decide(RouteFacts(120.0), profile=p)[0]
    'commitment'
    >>> path, reasons = decide(RouteFacts(300.0), profile=p)
    >>> path, reasons[0].rule, reasons[0].text
    ('joint', 'R4', '外线长度 300.0 m，不小于 300 m（实施方案 四(二)1 要求小于 300 m；四(二)2 超 300 米实行联合审批）')
    """
    limit, major, trenchless, major_roads, allowed = _rules(profile)
    reasons: list[Reason] = []
    # the line runs from the red line to the public network (seed 二): the lead-in counts;
    # lengths are sums of many edges: compare them to the millimetre, as they are printed
    length = round(facts.red_line_m, 3)
    if length >= limit:
        reasons.append(
            Reason(
                "R4",
                "length",
                f"{label}长度 {_metres(length)} m{_parts(facts)}，不小于 {limit:g} m"
                f"（实施方案 四(二)1 要求小于 {limit:g} m；四(二)2 超 {limit:g} 米实行联合审批）",
            )
        )
    if change_of_use:
        reasons.append(Reason("R4", "change_of_use", "需办理改变规划性质（实施方案 四(二)2）"))
    for c in facts.crossings:
        if c.kind in major:
            reasons.append(
                Reason(
                    "R4",
                    f"crosses_{c.kind}",
                    f"{label}需穿(跨)越{c.kind_zh}「{c.name}」（实施方案 四(二)2 重大管(线、路)）",
                )
            )
    for cw in facts.carriageways:
        kind = major_roads.get(cw.road_class)
        if kind is not None and kind in major:
            reasons.append(
                Reason(
                    "R4",
                    f"crosses_{kind}",
                    f"{label}需穿越{CLASS_ZH.get(cw.road_class, cw.road_class)}「{cw.name}」"
                    "（实施方案 四(二)2 重大管(线、路)）",
                )
            )
        if cw.road_class in trenchless:
            continue
        reasons.append(
            Reason(
                "R5",
                f"carriageway_{cw.road_class}",
                f"{label}需开挖横穿{CLASS_ZH.get(cw.road_class, cw.road_class)}「{cw.name}」车行道 "
                f"{cw.width_m:g} m：不属于告知承诺的挖掘人行道、临时占用绿地，"
                "该等级道路亦不采用顶管/定向钻穿越（实施方案 四(二)1）",
            )
        )
    reasons += _surface_reasons(facts.surfaces, allowed, label)
    for d in facts.dig_once:
        reasons.append(
            Reason(
                "R10",
                "dig_once",
                f"途经「{d.name}」{d.why}，禁挖保护期至 {d.until.isoformat()}，需特别批准"
                "（城市道路管理条例 第三十三条）",
            )
        )
    if reasons:
        return "joint", reasons
    surfaces = (
        "、".join(
            _works(s)
            for s in _DUG_SURFACES
            if s in allowed and facts.surfaces.get(s, 0.0) > 0
        )
        or "不开挖道路"
    )
    return "commitment", [
        Reason(
            "R3",
            "commitment",
            f"{label}长度 {_metres(length, limit=limit)} m{_parts(facts)}，小于 {limit:g} m；{surfaces}；不穿(跨)越重大管(线、路)，"
            "不改变规划性质：实行告知承诺制，即时办结（实施方案 四(二)1）",
        )
    ]
