"""What a site assessment reports: its routes, each utility's result and the site's verdict.

The data the steps of :func:`planning.assess.assess_sites` fill in and every writer reads
(tables, maps, documents, survey packages): a :class:`Route` per connection (its length along
the road corridor, surfaces, carriageway and major crossings, dig-once roads: the facts the
approval rules of seed 四(二) read), a :class:`UtilityResult` per utility and an
:class:`Assessment` per site.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import networkx as nx
from shapely import LineString, Point

from gis import vocabulary
from gis.convert import path_geometry
from gis.simulation.result import CapacityRun
from planning.approval import CarriagewayCrossing, DigOnce, Reason, RouteFacts
from planning.cost import Cost
from planning.crossings import Crossing
from planning.shared_trench import SharedTrench

__all__ = ["Assessment", "CapacityCheck", "FailedTap", "Route", "UtilityResult"]


@dataclass
class Route:
    """One external line from a site's frontage to a tap on a suitable main.

    ``length_m`` is measured along the road corridor from the site's frontage to the tap (the
    part under public roads: sidewalk runs and carriageway crossings), on the line drawn
    (:attr:`geometry`: sidewalk centre line, corners as turned, crossings as dug), so it is
    the drawing's length; ``lead_in_m`` is the link from the red line across to the
    sidewalk's centre line (its surface, e.g. a green belt, is in ``surfaces``, which
    therefore sums to ``length_m + lead_in_m``); :attr:`red_line_m` is their sum, the length
    the approval threshold is compared with.
    ``straight_line_m`` is the straight distance between the drawn route's two ends (the
    frontage and the tap on the sidewalk's centre line), so it never exceeds ``length_m``.
    """

    length_m: float
    straight_line_m: float
    nodes: list[Any]
    graph: nx.Graph = field(repr=False)
    tap_asset: str
    tap_main: Any = field(repr=False)
    """The tapped main's geometry."""
    tap_ref: tuple[float, float]
    """The tap node's point on the centreline; the tap is the main's point nearest to it."""
    surfaces: dict[str, float]
    carriageways: list[CarriagewayCrossing]
    crossings: list[Crossing]
    dig_once: list[DigOnce]
    feeder_id: str | None = None
    operator: str | None = None
    lead_in_m: float = 0.0
    lead_in_line: LineString | None = field(default=None, repr=False)
    """The lead-in as drawn (working CRS): the shortest line from the site's red line to the
    frontage node the route starts at, ``lead_in_m`` long (``None``: not known)."""
    detour: dict[str, Any] | None = None
    """Set when the shortest route was given up to avoid roads under dig-once protection."""
    shortest: Route | None = field(default=None, repr=False)
    """The shortest route to a main of the same kind, when this longer one was taken because
    notify-and-commit allows it (:mod:`planning.commitment_route`); ``shortest_reasons`` say
    why it was not chosen."""
    shortest_reasons: list[Reason] = field(default_factory=list, repr=False)

    @cached_property
    def tap_point(self) -> Point:
        """Return the point of the main the route taps (working CRS)."""
        main = self.tap_main
        return main.interpolate(main.project(Point(self.tap_ref)))

    @property
    def geometry(self) -> LineString:
        """Return the route as drawn on the sidewalks and crossings (working CRS)."""
        return path_geometry(self.graph, self.nodes)

    def facts(self) -> RouteFacts:
        """Return what the approval rules need."""
        return RouteFacts(
            self.length_m,
            self.carriageways,
            self.crossings,
            self.dig_once,
            self.surfaces,
            lead_in_m=self.lead_in_m,
        )

    @property
    def red_line_m(self) -> float:
        """Return the line's length from the site's red line to the tap: lead-in plus corridor.

        The length the threshold is compared with (seed 二: the external line runs from the
        red line to the public network).
        """
        return self.lead_in_m + self.length_m


@dataclass(frozen=True)
class FailedTap:
    """A tap the capacity check refused: its run and why (the next suitable tap was tried)."""

    run: CapacityRun
    reasons: list[Reason]


@dataclass
class CapacityCheck:
    """Which capacity check decided the tap: ``simulation`` (a model) or ``attributes``.

    ``note`` says why the attribute check applies (no model: what is missing); ``run`` is the
    simulation of the tap taken (``None`` when no tap passed), ``failed`` the taps refused
    before it, nearest first.
    """

    method: str
    engine: str = ""
    note: str = ""
    run: CapacityRun | None = None
    failed: list[FailedTap] = field(default_factory=list)


@dataclass
class UtilityResult:
    """The assessment of one utility for one site."""

    utility: str
    covered: bool
    requirement: str
    route: Route | None = None
    approval_path: str | None = None
    reasons: list[Reason] = field(default_factory=list)
    backup: Route | None = None
    operators: dict[str, float] = field(default_factory=dict)
    search_key: tuple[Any, ...] = ()
    capacity: CapacityCheck | None = None
    """The capacity check of the tap (water, gas, heat, power; ``None``: not checked)."""
    backup_capacity: CapacityCheck | None = None
    """Power: the backup's check, its load with the main feeder out (N-1)."""

    @property
    def shortest(self) -> Route | None:
        """Return the shortest route when the route taken is a longer commitment route.

        The main route's :attr:`Route.shortest` (a backup supply carries its own).
        """
        return self.route.shortest if self.route is not None else None

    @property
    def shortest_reasons(self) -> list[Reason]:
        """Return why :attr:`shortest` was not chosen (its joint reasons)."""
        return self.route.shortest_reasons if self.route is not None else []


@dataclass
class Assessment:
    """The assessment of one site."""

    project_id: str
    name: str
    applicable: bool
    approval_path: str | None
    reasons: list[Reason]
    utilities: dict[str, UtilityResult]
    needs_prelay: list[str]
    as_of: dt.date
    shared_trench: SharedTrench | None = None
    cost_separate: Cost | None = None
    """Estimated cost of each utility's own external line, added up (yuan)."""
    cost_joint: Cost | None = None
    """Estimated cost with the joint trench (yuan); equals ``cost_separate`` for one utility."""
    demand_source: str = "profile_default"
    """Which demand was assessed: ``form`` (the site's 附件2) or ``profile_default`` (none)."""

    def demand_note(self) -> str:
        """Return the line saying which demand was assessed, and for which utilities (Chinese).

        >>> Assessment("S", "地块", True, None, [], {}, [], dt.date(2025, 1, 1)).demand_note()
        '需求来源：默认需求（未提交采集单，按小型工业企业估算）；研判专业：无'
        """
        names = "、".join(vocabulary.UTILITIES.label(u) for u in self.utilities) or "无"
        return f"需求来源：{vocabulary.DEMAND_SOURCES.label(self.demand_source)}；研判专业：{names}"
