"""Who answers for each step: the departments of seed 七 职责分工 and 四 (``ledger.departments``).

The profile's ``ledger.departments`` names the departments of each step; ``utility`` stands for
the companies of the project's utilities (``ledger.utility_units``, or the project's own
``units``). :func:`by_department` groups the ledger's entries for each department's early
warning (seed 八(三)).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from gis.errors import ProfileError
from gis.profile import Profile, load_profile
from gis.schema import UTILITIES
from planning.ledger.records import LedgerEntry, LedgerProject
from planning.ledger.steps import STEPS, Status, Step

__all__ = ["UTILITY_TOKEN", "by_department", "departments_for"]

UTILITY_TOKEN = "utility"
"""In ``ledger.departments``, stands for the companies of the project's utilities."""


@dataclass(frozen=True)
class Departments:
    """The departments of each step and the utility companies, checked from a profile."""

    steps: Mapping[Step, tuple[str, ...]]
    units: Mapping[str, str]
    order: tuple[str, ...]

    @classmethod
    def of(cls, prof: Profile) -> Departments:
        """Read and check ``ledger.departments`` and ``ledger.utility_units``."""
        raw = prof.ledger.departments
        where = f"profile {prof.name!r}, ledger.departments"
        if not isinstance(raw, Mapping):
            msg = f"{where}: got {raw!r}; expected a mapping step → list of departments"
            raise ProfileError(msg)
        unknown = sorted(map(str, set(raw) - set(STEPS)))
        missing = [s for s in STEPS if s not in raw]
        if unknown or missing:
            msg = f"{where}: unknown steps {unknown}, missing steps {missing}; expected exactly {', '.join(STEPS)}"
            raise ProfileError(msg)
        steps: dict[Step, tuple[str, ...]] = {}
        for step in STEPS:
            value = raw[step]
            if (
                isinstance(value, str)
                or not isinstance(value, Sequence)
                or not value
                or not all(isinstance(d, str) and d.strip() for d in value)
            ):
                msg = f"{where}.{step}: got {value!r}; expected a non-empty list of department names (or '{UTILITY_TOKEN}')"
                raise ProfileError(msg)
            steps[step] = tuple(d.strip() for d in value)
        units = prof.ledger.utility_units
        where = f"profile {prof.name!r}, ledger.utility_units"
        if not isinstance(units, Mapping) or any(
            not isinstance(units.get(u), str) or not units[u].strip() for u in UTILITIES
        ):
            msg = f"{where}: got {units!r}; expected a company name for each of {', '.join(UTILITIES)}"
            raise ProfileError(msg)
        order: list[str] = []
        for step in STEPS:
            for d in steps[step]:
                names = [units[u] for u in UTILITIES] if d == UTILITY_TOKEN else [d]
                order += [n for n in names if n not in order]
        return cls(steps, {u: str(units[u]).strip() for u in UTILITIES}, tuple(order))

    def expand(self, step: Step, project: LedgerProject) -> tuple[str, ...]:
        """Return the departments answering for ``step`` of ``project``, lead first."""
        out: list[str] = []
        for d in self.steps[step]:
            if d == UTILITY_TOKEN:
                names = [project.units.get(u) or self.units[u] for u in project.utilities]
            else:
                names = [d]
            out += [n for n in names if n not in out]
        return tuple(out)


def departments_for(
    step: Step, project: LedgerProject, *, profile: Profile | str
) -> tuple[str, ...]:
    """Return the departments answering for ``step`` of ``project``, lead first.

    ``ledger.departments`` names them per step; its ``utility`` stands for the companies of
    the project's utilities (``project.units``, else ``ledger.utility_units``), in
    :data:`gis.schema.UTILITIES` order.

    Raises
    ------
    ProfileError
        ``ledger.departments`` or ``ledger.utility_units`` is missing or malformed.
    """
    prof = load_profile(profile) if isinstance(profile, str) else profile
    return Departments.of(prof).expand(step, project)


def by_department(
    entries: Iterable[LedgerEntry], *, statuses: Iterable[Status] | None = None
) -> dict[str, list[LedgerEntry]]:
    """Group entries by department, keeping their order (that of :func:`ledger_status`).

    Parameters
    ----------
    entries
        Ledger entries.
    statuses
        Keep only these statuses, e.g. :data:`ALERT_STATUSES` for the early warning.

    Examples
    --------
    >>> from planning.ledger.steps import ALERT_STATUSES
    >>> e = LedgerEntry("JM-1", "", "市城管委", "joint", "approved", "审批办结", "overdue",
    ...                 None, None, None, None, None, "")
    >>> {d: [x.project_id for x in xs] for d, xs in by_department([e], statuses={"overdue"}).items()}
    {'市城管委': ['JM-1']}
    >>> by_department([e], statuses=ALERT_STATUSES - {"overdue"})
    {}
    """
    keep = None if statuses is None else frozenset(statuses)
    out: dict[str, list[LedgerEntry]] = {}
    for entry in entries:
        if keep is None or entry.status in keep:
            out.setdefault(entry.department, []).append(entry)
    return out
