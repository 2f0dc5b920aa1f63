"""Estimated cost of external lines and joint trenches (R8: the works are public money).

Unit costs come from the profile (``costs.*``): yuan per metre of trench by surface (sidewalk,
green space, carriageway by road class), per metre of pipe by utility, lump sums per crossing
of a major line, and the extra cost of widening a shared trench per additional utility. The
shipped values are indicative and say so; a city replaces them with its own rates.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from gis.profile import Profile

__all__ = ["Cost", "joint_trench_cost", "route_cost", "summarise"]


@dataclass(frozen=True)
class Cost:
    """A cost estimate in yuan, by part."""

    trench: float = 0.0
    pipe: float = 0.0
    crossings: float = 0.0

    @property
    def total(self) -> float:
        """Return the total in yuan."""
        return self.trench + self.pipe + self.crossings

    def __add__(self, other: Cost) -> Cost:
        return Cost(
            self.trench + other.trench, self.pipe + other.pipe, self.crossings + other.crossings
        )


def trench_rate(surface: str, profile: Profile) -> float:
    """Return yuan per metre of trench on a surface (``carriageway:<class>`` for roads).

    Examples
    --------
    >>> from gis.profile import load_profile
    >>> p = load_profile("jingmen-2023")
    >>> trench_rate("sidewalk", p), trench_rate("carriageway:arterial", p)
    (380.0, 1600.0)
    """
    return profile.derived("trench-rates", _trench_rates)[surface]


def _trench_rates(profile: Profile) -> dict[str, float]:
    """Return yuan per metre of trench by surface name, ``carriageway:<class>`` included."""
    table = profile.costs.trench_per_m
    rates = {"sidewalk": table.sidewalk, "green": table.green, "lead_in": table.lead_in}
    rates.update({f"carriageway:{c}": v for c, v in table.carriageway.items()})
    return rates


def route_cost(
    utility: str,
    surfaces: Mapping[str, float],
    crossing_kinds: Iterable[str],
    *,
    profile: Profile,
) -> Cost:
    """Return the cost of one utility's own external line, dug on its own.

    Examples
    --------
    >>> from gis.profile import load_profile
    >>> p = load_profile("jingmen-2023")
    >>> c = route_cost("water", {"sidewalk": 100.0}, [], profile=p)
    >>> c.trench, c.pipe, c.total
    (38000.0, 42000.0, 80000.0)
    """
    trench = sum(trench_rate(s, profile) * m for s, m in surfaces.items())
    length = sum(surfaces.values())
    pipe = float(profile.costs.pipe_per_m[utility]) * length
    items = profile.costs.crossing_items
    crossings = sum(float(items.get(k, 0.0)) for k in crossing_kinds)
    return Cost(trench, pipe, crossings)


def joint_trench_cost(
    stretches: Iterable[tuple[str, float, int]],
    pipes: Mapping[str, float],
    crossing_kinds: Iterable[str],
    *,
    profile: Profile,
) -> Cost:
    """Return the cost of a joint trench.

    Parameters
    ----------
    stretches
        ``(surface, metres, utilities in that trench)`` for every trench dug.
    pipes
        Utility → metres of its pipe.
    crossing_kinds
        Major-line crossings of the plan (each counted once per place).
    """
    widening = profile.costs.shared_widening
    trench = sum(
        trench_rate(surface, profile) * metres * (1.0 + widening * max(0, n - 1))
        for surface, metres, n in stretches
    )
    rates = profile.costs.pipe_per_m
    pipe = sum(float(rates[u]) * m for u, m in pipes.items())
    items = profile.costs.crossing_items
    return Cost(trench, pipe, sum(float(items.get(k, 0.0)) for k in crossing_kinds))


def summarise(costs: Iterable[tuple[str, str, float]]) -> dict[str, dict[str, float]]:
    """Add up ``(district, project_id, yuan)`` per district and per project.

    Examples
    --------
    >>> summarise([("掇刀区", "A", 10.0), ("掇刀区", "B", 5.0), ("东宝区", "C", 1.0)])
    {'掇刀区': {'A': 10.0, 'B': 5.0, 'total': 15.0}, '东宝区': {'C': 1.0, 'total': 1.0}}
    """
    out: dict[str, dict[str, float]] = defaultdict(dict)
    for district, project, yuan in costs:
        out[district][project] = out[district].get(project, 0.0) + yuan
    for table in out.values():
        table["total"] = sum(table.values())
    return dict(out)
