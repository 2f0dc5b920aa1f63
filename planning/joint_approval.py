"""The departments' opinions and the issued sheet (统一出件) of an approval path.

Seed 四(二)2 and 附件3: on the joint path (联合审批) 市自然资源和规划局, 市城管委 and 市行政审批局 each
give their opinion on the 综合审批意见单 — 同意, 附条件同意 (with conditions) or 退回补正 (with
reasons); when all three agree (with or without conditions) the sheet is issued once, with a
document number (统一出件, 三5 / 三7). A 退回补正 stops the issuance until that department signs
again. Seed 四(二)1: on the commitment path (告知承诺制) the decision is immediate (即时办结) on
the utility's annual commitment; no department's opinion is waited for.

Pure rules: the caller stores the opinions and the sheet (``api/process/opinions.py``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from gis import vocabulary

__all__ = [
    "JOINT_DEPARTMENTS",
    "ApprovalState",
    "FinalSheet",
    "Opinion",
    "Signed",
    "approval_state",
    "commitment_basis",
    "next_sheet_number",
    "required_departments",
    "sheet_number",
]

JOINT_DEPARTMENTS: tuple[str, ...] = vocabulary.DEPARTMENTS.values
"""The departments whose opinions the joint path needs, in 附件3's order (planning, urban,
approval: 市自然资源和规划局, 市城管委, 市行政审批局)."""

Decision = Literal["agree", "conditional", "return"]

SHEET_NUMBER = "荆联审〔{year}〕{seq:04d}号"
"""The issued sheet's document number: the year and its running number (unique per year)."""

_SHEET_NUMBER_RE = re.compile(r"^荆联审〔(\d{4})〕(\d+)号$")

State = Literal["waiting", "returned", "complete", "immediate", "none"]


@dataclass(frozen=True)
class Opinion:
    """A department's signed opinion.

    Parameters
    ----------
    department
        A :data:`~gis.vocabulary.DEPARTMENTS` value (planning, urban, approval).
    decision
        ``agree`` (同意), ``conditional`` (附条件同意) or ``return`` (退回补正).
    text
        The opinion's text (the drafted text, as edited by the department).
    conditions
        The conditions of a 附条件同意 (empty otherwise).
    reasons
        Why a 退回补正 returns the application (empty otherwise).
    by
        The signer's user name.
    signer
        The signer's display name (the user name when there is none).
    at
        签批时间: naive China time, ISO text to the minute (``2026-12-07T21:05``).
    """

    department: str
    decision: Decision
    text: str
    conditions: str = ""
    reasons: str = ""
    by: str = ""
    signer: str = ""
    at: str = ""

    @property
    def approves(self) -> bool:
        """Whether the opinion lets the sheet be issued (同意 or 附条件同意)."""
        return self.decision in ("agree", "conditional")

    def as_json(self) -> dict[str, Any]:
        """Return the opinion as stored (``projects.opinions[department]``)."""
        return {
            "decision": self.decision,
            "text": self.text,
            "conditions": self.conditions,
            "reasons": self.reasons,
            "by": self.by,
            "signer": self.signer or self.by,
            "at": self.at,
        }


@dataclass(frozen=True)
class FinalSheet:
    """The issued approval sheet (统一出件).

    Parameters
    ----------
    number
        The document number (:func:`sheet_number`), unique per year.
    issued_at
        When it was issued: naive China time, ISO text to the minute.
    by
        Who issued it (the user whose act completed it).
    path
        The approval path it closes (``joint`` or ``commitment``).
    basis
        On the commitment path, the immediate decision citing the annual commitment
        (:func:`commitment_basis`); empty on the joint path (the opinions are the basis).
    """

    number: str
    issued_at: str
    by: str
    path: str
    basis: str = ""

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FinalSheet:
        """Return the sheet as stored in ``projects.final_sheet``."""
        return cls(
            number=str(data["number"]),
            issued_at=str(data["issued_at"]),
            by=str(data.get("by", "")),
            path=str(data.get("path", "joint")),
            basis=str(data.get("basis", "")),
        )

    def as_json(self) -> dict[str, Any]:
        """Return the sheet as stored in ``projects.final_sheet``."""
        return {
            "number": self.number,
            "issued_at": self.issued_at,
            "by": self.by,
            "path": self.path,
            "basis": self.basis,
        }


@dataclass(frozen=True)
class Signed:
    """What the departments signed on a project: its opinions and the issued sheet, if any."""

    opinions: Mapping[str, Opinion] = field(default_factory=dict)
    final: FinalSheet | None = None


@dataclass(frozen=True)
class ApprovalState:
    """Where an approval stands, from its path and the opinions given."""

    path: str | None
    state: State
    """``waiting`` for opinions, ``returned`` (退回补正 by a department), ``complete`` (every
    required opinion approves: issue the sheet), ``immediate`` (commitment: 即时办结), ``none``
    (no path needing a decision: not applicable, pre-laying, not assessed)."""
    required: tuple[str, ...]
    given: tuple[str, ...]
    waiting: tuple[str, ...]
    returned_by: tuple[str, ...] = field(default=())

    @property
    def label(self) -> str:
        """Return the state in Chinese for the pages.

        Examples
        --------
        >>> approval_state("joint", {}).label
        '待 市自然资源和规划局、市城管委、市行政审批局 出具意见'
        >>> approval_state("commitment", {}).label
        '告知承诺制，即时办结'
        """
        names = vocabulary.DEPARTMENTS.labels()
        if self.state == "waiting":
            return f"待 {'、'.join(names[d] for d in self.waiting)} 出具意见"
        if self.state == "returned":
            return f"{'、'.join(names[d] for d in self.returned_by)} 退回补正"
        if self.state == "complete":
            return "各部门意见已齐，统一出件"
        if self.state == "immediate":
            return "告知承诺制，即时办结"
        return "无须联合审批意见"


def required_departments(path: str | None) -> tuple[str, ...]:
    """Return the departments whose opinions a project on ``path`` needs, in 附件3's order.

    Examples
    --------
    >>> required_departments("joint")
    ('planning', 'urban', 'approval')
    >>> required_departments("commitment"), required_departments(None)
    ((), ())
    """
    return JOINT_DEPARTMENTS if path == "joint" else ()


def approval_state(path: str | None, opinions: Mapping[str, Opinion]) -> ApprovalState:
    """Return the state of a project's approval from its path and the opinions signed.

    Parameters
    ----------
    path
        The approval path of the latest assessment (``joint``, ``commitment``, …, ``None``).
    opinions
        Department value → its signed opinion.

    Examples
    --------
    >>> agree = Opinion("planning", "agree", "同意")
    >>> s = approval_state("joint", {"planning": agree})
    >>> s.state, s.waiting
    ('waiting', ('urban', 'approval'))
    >>> back = Opinion("urban", "return", "", reasons="缺少施工方案")
    >>> approval_state("joint", {"planning": agree, "urban": back}).state
    'returned'
    >>> everyone = {d: Opinion(d, "conditional", "", conditions="夜间施工") for d in JOINT_DEPARTMENTS}
    >>> approval_state("joint", everyone).state
    'complete'
    """
    required = required_departments(path)
    given = tuple(d for d in JOINT_DEPARTMENTS if d in opinions)
    if path == "commitment":
        return ApprovalState(path, "immediate", required, given, ())
    if not required:
        return ApprovalState(path, "none", required, given, ())
    waiting = tuple(d for d in required if d not in opinions)
    returned = tuple(d for d in required if d in opinions and not opinions[d].approves)
    if returned:
        return ApprovalState(path, "returned", required, given, waiting, returned)
    if waiting:
        return ApprovalState(path, "waiting", required, given, waiting)
    return ApprovalState(path, "complete", required, given, ())


def sheet_number(year: int, seq: int) -> str:
    """Return the document number of an issued sheet.

    Examples
    --------
    >>> sheet_number(2026, 1)
    '荆联审〔2026〕0001号'
    """
    return SHEET_NUMBER.format(year=year, seq=seq)


def next_sheet_number(issued: Iterable[str], year: int) -> str:
    """Return the next number of ``year`` after the numbers already ``issued`` (any years).

    Examples
    --------
    >>> next_sheet_number(["荆联审〔2026〕0001号", "荆联审〔2025〕0007号"], 2026)
    '荆联审〔2026〕0002号'
    >>> next_sheet_number([], 2027)
    '荆联审〔2027〕0001号'
    """
    seqs = [0]
    for text in issued:
        m = _SHEET_NUMBER_RE.match(text)
        if m and int(m.group(1)) == year:
            seqs.append(int(m.group(2)))
    return sheet_number(year, max(seqs) + 1)


def commitment_basis(utilities: Sequence[str]) -> str:
    """Return the immediate decision of the commitment path, citing the annual commitment.

    Parameters
    ----------
    utilities
        The Chinese names of the utilities connecting (``供水``, ``供电`` …).

    Examples
    --------
    >>> commitment_basis(["供水", "供电"])
    '告知承诺制，即时办结：依据供水、供电企业年度承诺（实施方案 四(二)1），同意按研判路由即时办理，施工后及时恢复路面。'
    """
    who = "、".join(utilities) or "公用事业"
    return (
        f"告知承诺制，即时办结：依据{who}企业年度承诺（实施方案 四(二)1），"
        "同意按研判路由即时办理，施工后及时恢复路面。"
    )
