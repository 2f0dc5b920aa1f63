"""Cross-section check of one shared trench segment (seed 三6; rule R9; GB 50289-2016 clearances).

Where several utilities are laid in one trench under a sidewalk or green belt, the pipes take
the order GB 50289-2016 gives from the road red line towards the carriageway (电力、通信、
给水（配水）、燃气（配气）、热力、燃气（输气）、给水（输水）), keep the minimum horizontal clearances of
its Table 4.1.9 (净距, outer wall to outer wall) from *every* pipe before them, not only from their
neighbour, and leave working space at both trench walls. The trench is then

    working space + Σ pipe widths + Σ clearances + working space

and it fits when that is no wider than the sidewalk or green belt available. When it does not
fit, :func:`check_section` proposes the smallest set of separate trenches that each fit.

Every number (order, clearances by pressure class and laying, pipe and duct bank widths, working
space) is profile data with its source (``gis/profiles/clearances.yaml``, keys under
``cross_section``); the functions are pure. Each pipe's width comes from :mod:`planning.pipes`.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, NamedTuple

from gis.errors import CrossSectionError, ProfileError
from gis.policy import ClearanceTable
from gis.profile import Profile
from gis.schema import GAS_PRESSURE_CLASSES
from planning.pipes import (
    LAYINGS,
    UTILITY_ZH,
    Pipe,
    _check_utility,
    _laying,
    _positive,
    _where,
    pipe_for,
)

__all__ = [
    "LAYINGS",
    "UTILITY_ZH",
    "Clearance",
    "CrossSectionError",
    "Pipe",
    "SectionCheck",
    "check_section",
    "clearance",
    "order_pipes",
    "pipe_for",
]


EXHAUSTIVE_MAX = 8
"""Up to this many pipes every set partition is tried for a split (Bell(8) = 4140)."""

_KEY = "cross_section"
_EPS = 1e-9


class Clearance(NamedTuple):
    """A minimum horizontal clearance between two pipes: ``(a, b, metres, source)``.

    ``a`` is the pipe nearer the road red line, ``b`` the other; both are :attr:`Pipe.label`.
    """

    a: str
    b: str
    metres: float
    source: str


@dataclass(frozen=True)
class SectionCheck:
    """The result of :func:`check_section` for one trench.

    Attributes
    ----------
    order
        The pipes from the road red line towards the carriageway.
    clearances
        One per gap between neighbours in ``order``: the clearance that places the right-hand
        pipe. It is usually the neighbours' own; when a pipe further left needs more room (heat
        next to gas but 2.0 m from power), it is that pair.
    offsets_m
        Left edge of each pipe in ``order``, from the trench wall on the red-line side (m).
    width_m
        Trench width needed (m).
    available_m
        Width available (sidewalk or green belt), as given.
    fits
        ``width_m <= available_m``.
    message
        Chinese summary with numbers, e.g. ``需 6.09 m，可用 2.5 m；净距 …；建议分 3 条沟槽：…``.
    groups
        When it does not fit: the proposed separate trenches, each a fitting check of its own
        (fewest trenches, then least total width); empty when it fits or when a single pipe
        is already too wide.
    """

    order: tuple[Pipe, ...]
    clearances: tuple[Clearance, ...]
    offsets_m: tuple[float, ...]
    width_m: float
    available_m: float
    fits: bool
    message: str
    groups: tuple[SectionCheck, ...] = ()

    @property
    def split(self) -> tuple[tuple[str, ...], ...]:
        """Return the proposed trenches as tuples of pipe labels (empty when none)."""
        return tuple(tuple(p.label for p in g.order) for g in self.groups)


def _order_class(pipe: Pipe, profile: Profile) -> str:
    if pipe.utility == "water":
        dn = _positive("water", pipe.asset_id, pipe.attrs, "diameter_mm")
        trunk = profile.cross_section.water_transmission_min_diameter_mm
        return "water_transmission" if dn >= trunk else "water_distribution"
    if pipe.utility == "gas":
        cls = pipe.attrs.get("pressure_class")
        if cls not in GAS_PRESSURE_CLASSES:
            msg = (
                f"{_where('gas', pipe.asset_id)}: field 'pressure_class' is {cls!r}; "
                f"expected one of {', '.join(GAS_PRESSURE_CLASSES)}"
            )
            raise CrossSectionError(msg)
        trunk_classes = profile.cross_section.gas_transmission_classes
        return "gas_transmission" if cls in trunk_classes else "gas_distribution"
    return pipe.utility


def order_pipes(pipes: Sequence[Pipe], *, profile: Profile) -> tuple[Pipe, ...]:
    """Order pipes from the road red line towards the carriageway (GB 50289-2016 §4.1.3).

    Pipes of the same place keep their given order.

    Examples
    --------
    >>> from gis.profile import load_profile
    >>> p = load_profile("clearances")
    >>> pipes = [pipe_for(u, a, profile=p) for u, a in [
    ...     ("gas", {"pressure_class": "medium_a", "diameter_mm": 160}),
    ...     ("water", {"diameter_mm": 200}), ("power", {"voltage_kv": 10})]]
    >>> [x.utility for x in order_pipes(pipes, profile=p)]
    ['power', 'water', 'gas']
    """
    places = list(profile.cross_section.horizontal_order)
    ranks = []
    for pipe in pipes:
        _check_utility(pipe.utility)
        cls = _order_class(pipe, profile)
        if cls not in places:
            msg = (
                f"profile {profile.name!r}: {_KEY}.horizontal_order has no place for {cls!r} "
                f"(pipe {pipe.label}); it lists {', '.join(places)}"
            )
            raise ProfileError(msg)
        ranks.append(places.index(cls))
    index = sorted(range(len(pipes)), key=lambda i: (ranks[i], i))
    return tuple(pipes[i] for i in index)


def _variant(pipe: Pipe, attr: str, profile: Profile) -> str:
    if attr == "laying" and pipe.utility in LAYINGS:
        return _laying(pipe.utility, pipe.asset_id, pipe.attrs, profile)
    value = pipe.attrs.get(attr)
    if value is None:
        msg = f"{_where(pipe.utility, pipe.asset_id)}: field {attr!r} is missing; the clearance table depends on it"
        raise CrossSectionError(msg)
    return str(value)


def clearance(a: Pipe, b: Pipe, *, profile: Profile) -> Clearance:
    """Return the minimum horizontal clearance between two pipes, with its source.

    The profile key is ``cross_section.clearance_m.<a>-<b>`` in either order; its value is a
    number or ``{by: [utility.attribute, …], table: {…}}`` (e.g. by gas pressure class and
    power laying). The source names the attribute values used.

    Raises
    ------
    ProfileError
        No entry for the pair, or none for the pipes' pressure class or laying.

    Examples
    --------
    >>> from gis.profile import load_profile
    >>> p = load_profile("clearances")
    >>> water = pipe_for("water", {"diameter_mm": 200}, profile=p)
    >>> gas = pipe_for("gas", {"pressure_class": "subhigh_b", "diameter_mm": 200}, profile=p)
    >>> clearance(water, gas, profile=p).metres
    1.0
    """
    _check_utility(a.utility)
    _check_utility(b.utility)
    table_key = f"{_KEY}.clearance_m"
    entries = profile.cross_section.clearance_m
    names = [f"{a.utility}-{b.utility}", f"{b.utility}-{a.utility}"]
    pair = next((n for n in names if n in entries), None)
    if pair is None:
        msg = (
            f"profile {profile.name!r} has no clearance for {UTILITY_ZH[a.utility]}–"
            f"{UTILITY_ZH[b.utility]}: add {table_key}.{names[0]} (GB 50289-2016 表4.1.9)"
        )
        raise ProfileError(msg)
    key = f"{table_key}.{pair}"
    value: Any = entries[pair]
    source = profile.source(key)
    used: list[str] = []
    if isinstance(value, ClearanceTable):
        node: Any = value.table
        for spec in value.by:
            utility, _, attr = str(spec).partition(".")
            pipe = a if a.utility == utility else b if b.utility == utility else None
            if pipe is None or not attr:
                msg = f"profile {profile.name!r}: {key} depends on {spec!r}, not on a {pair} attribute"
                raise ProfileError(msg)
            variant = _variant(pipe, attr, profile)
            if not isinstance(node, Mapping) or variant not in node:
                known = ", ".join(node) if isinstance(node, Mapping) else "nothing"
                msg = (
                    f"profile {profile.name!r}: {key} has no value for {spec} = {variant!r} "
                    f"(pipe {pipe.label}); it covers {known}"
                )
                raise ProfileError(msg)
            used.append(f"{spec}={variant}")
            node = node[variant]
        value = node
    try:
        metres = float(value)
    except (TypeError, ValueError):
        metres = math.nan
    if not math.isfinite(metres) or metres < 0:
        msg = f"profile {profile.name!r}: {key} gives {value!r}; expected metres ≥ 0"
        raise ProfileError(msg)
    if used:
        source = f"{source} [{', '.join(used)}]"
    return Clearance(a.label, b.label, metres, source)


def _m(x: float, *, up: bool = False) -> str:
    """Format metres to the centimetre (rounded up for a need, down for what is available)."""
    cm = math.ceil(x * 100 - 1e-6) if up else math.floor(x * 100 + 1e-6)
    text = f"{cm / 100:.2f}"
    return text[:-1] if text.endswith("0") else text


def _partitions(items: list[int]) -> Iterator[list[list[int]]]:
    if not items:
        yield []
        return
    first, rest = items[0], items[1:]
    for part in _partitions(rest):
        yield [[first], *part]
        for k in range(len(part)):
            yield [*part[:k], [first, *part[k]], *part[k + 1 :]]


class _Section:
    """Pairwise clearances of a set of pipes, laid out for any subset in standard order."""

    def __init__(self, pipes: tuple[Pipe, ...], profile: Profile) -> None:
        self.pipes = pipes  # already in standard order
        self.ws = profile.cross_section.working_space_m
        n = len(pipes)
        self.clear: dict[tuple[int, int], Clearance] = {
            (i, j): clearance(pipes[i], pipes[j], profile=profile)
            for i in range(n)
            for j in range(i + 1, n)
        }
        self._cache: dict[tuple[int, ...], tuple[list[float], float, list[Clearance]]] = {}

    def layout(self, idx: tuple[int, ...]) -> tuple[list[float], float, list[Clearance]]:
        if idx in self._cache:
            return self._cache[idx]
        lefts: list[float] = []
        rights: list[float] = []
        binding: list[Clearance] = []
        for k, j in enumerate(idx):
            left = 0.0
            best: Clearance | None = None
            for m in range(k):
                c = self.clear[(idx[m], j)]
                at = rights[m] + c.metres
                if best is None or at > left + _EPS:
                    left, best = at, c
            if best is not None:
                binding.append(best)
            lefts.append(left)
            rights.append(left + self.pipes[j].width_m)
        width = round(self.ws + rights[-1] + self.ws, 6)
        offsets = [round(self.ws + x, 6) for x in lefts]
        self._cache[idx] = (offsets, width, binding)
        return self._cache[idx]

    def check(self, idx: tuple[int, ...], available: float) -> SectionCheck:
        offsets, width, binding = self.layout(idx)
        fits = width <= available + _EPS
        head = f"需 {_m(width, up=True)} m，可用 {_m(available)} m"
        gaps = "、".join(
            f"{self._zh(c.a)}–{self._zh(c.b)} {_m(c.metres, up=True)} m" for c in binding
        )
        message = head + ("，可同槽敷设" if fits else "") + (f"；净距 {gaps}" if gaps else "")
        return SectionCheck(
            order=tuple(self.pipes[i] for i in idx),
            clearances=tuple(binding),
            offsets_m=tuple(offsets),
            width_m=width,
            available_m=available,
            fits=fits,
            message=message,
        )

    def _zh(self, label: str) -> str:
        return next(p.label_zh for p in self.pipes if p.label == label)

    def split(self, available: float) -> tuple[tuple[int, ...], ...] | None:
        n = len(self.pipes)

        def width(group: tuple[int, ...]) -> float:
            return self.layout(group)[1]

        if any(width((i,)) > available + _EPS for i in range(n)):
            return None
        if n <= EXHAUSTIVE_MAX:
            best: tuple[int, float, tuple[tuple[int, ...], ...]] | None = None
            for part in _partitions(list(range(n))):
                groups = tuple(sorted(tuple(sorted(g)) for g in part))
                if best is not None and len(groups) > best[0]:
                    continue
                widths = [width(g) for g in groups]
                if any(w > available + _EPS for w in widths):
                    continue
                score = (len(groups), round(sum(widths), 6), groups)
                if best is None or score < best:
                    best = score
            return None if best is None else best[2]
        placed: list[list[int]] = []  # first fit in standard order
        for i in range(n):
            for group in placed:
                if width((*group, i)) <= available + _EPS:
                    group.append(i)
                    break
            else:
                placed.append([i])
        return tuple(tuple(g) for g in placed)


def check_section(
    pipes: Sequence[Pipe],
    *,
    available_m: float,
    profile: Profile,
) -> SectionCheck:
    """Check whether pipes fit side by side in one trench of the available width.

    Parameters
    ----------
    pipes
        The pipes of one shared trench segment (see :func:`pipe_for`), in any order.
    available_m
        Width available for the trench: the sidewalk or green belt of that side of the road
        (the road's ``width_m`` data, or ``roads.sidewalk_width_m`` of its class).
    profile
        A profile with the ``cross_section`` keys (``clearances``).

    Returns
    -------
    SectionCheck
        The order, the clearance placing each pipe, the width needed, whether it fits, a Chinese
        message and, when it does not fit, the fewest separate trenches that each fit (then the
        least total width; every set partition is tried up to :data:`EXHAUSTIVE_MAX` pipes,
        first fit in standard order beyond).

    Raises
    ------
    CrossSectionError
        No pipes, a non-positive available width, an unknown utility or a missing attribute.
    ProfileError
        A clearance the section needs is not in the profile.

    Examples
    --------
    >>> from gis.profile import load_profile
    >>> p = load_profile("clearances")
    >>> pipes = [pipe_for("water", {"diameter_mm": 200}, profile=p), pipe_for("telecom", {}, profile=p)]
    >>> check = check_section(pipes, available_m=2.5, profile=p)
    >>> [x.utility for x in check.order], check.width_m, check.fits
    (['telecom', 'water'], 2.322, True)
    >>> check.message
    '需 2.33 m，可用 2.5 m，可同槽敷设；净距 通信–给水 1.0 m'
    """
    if not pipes:
        msg = "a cross-section needs at least one pipe"
        raise CrossSectionError(msg)
    try:
        available = float(available_m)
    except (TypeError, ValueError):
        available = math.nan
    if not math.isfinite(available) or available <= 0:
        msg = f"available width is {available_m!r}; expected metres > 0 (sidewalk or green belt)"
        raise CrossSectionError(msg)
    for pipe in pipes:
        _check_utility(pipe.utility)
        if not math.isfinite(pipe.width_m) or pipe.width_m <= 0:
            msg = (
                f"{_where(pipe.utility, pipe.asset_id)}: width_m is {pipe.width_m!r}; expected > 0"
            )
            raise CrossSectionError(msg)
    labels = [p.label for p in pipes]
    twice = sorted({x for x in labels if labels.count(x) > 1})
    if twice:
        msg = f"pipes {', '.join(twice)} appear more than once: give each its asset_id"
        raise CrossSectionError(msg)
    section = _Section(order_pipes(pipes, profile=profile), profile)
    whole = section.check(tuple(range(len(pipes))), available)
    if whole.fits:
        return whole
    groups = section.split(available)
    if groups is None:
        too_wide = [
            c for c in (section.check((i,), available) for i in range(len(pipes))) if not c.fits
        ]
        alone = "、".join(f"{c.order[0].label_zh} {_m(c.width_m, up=True)} m" for c in too_wide)
        tail = f"；单独敷设仍需 {alone}，超过可用宽度，无法分槽"
        return replace(whole, message=whole.message + tail)
    checks = tuple(section.check(g, available) for g in groups)
    plan = "、".join(
        f"{'+'.join(p.label_zh for p in c.order)} {_m(c.width_m, up=True)} m" for c in checks
    )
    message = f"{whole.message}；建议分 {len(checks)} 条沟槽：{plan}"
    return replace(whole, message=message, groups=checks)
