"""The joint approval: departments sign their opinions; the state and the issued sheet.

Thin routes over :mod:`api.process.opinions` (the web pages call the same service).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.deps import StateDep
from api.process.opinions import Approval, approval_of, sign_opinion
from api.security import CurrentUser

router = APIRouter(tags=["联合审批 approval"])

_MAX = 4000


class OpinionSign(BaseModel):
    """A department's opinion (附件3): decision, text, conditions or reasons."""

    decision: str = Field(
        max_length=32, description="agree（同意）、conditional（附条件同意）、return（退回补正），或中文"
    )
    text: str = Field(default="", max_length=_MAX, description="意见内容（可在系统草拟的意见上修改）")
    conditions: str = Field(default="", max_length=_MAX, description="所附条件（附条件同意时必填）")
    reasons: str = Field(default="", max_length=_MAX, description="退回理由（退回补正时必填）")


class ApprovalPublic(BaseModel):
    """Where a project's approval stands: the opinions needed, given, awaited; the issued sheet."""

    project_id: str
    approval_path: str | None
    state: str = Field(description="waiting、returned、complete、immediate、none")
    state_label: str
    required: list[str]
    given: list[str]
    waiting: list[str]
    returned_by: list[str]
    opinions: dict[str, dict[str, Any]]
    final_sheet: dict[str, Any] | None


def approval_public(a: Approval) -> ApprovalPublic:
    """Return the API's view of an approval."""
    st = a.state
    return ApprovalPublic(
        project_id=a.project_id,
        approval_path=st.path,
        state=st.state,
        state_label=st.label,
        required=list(st.required),
        given=list(st.given),
        waiting=list(st.waiting),
        returned_by=list(st.returned_by),
        opinions={d: o.as_json() for d, o in a.opinions.items()},
        final_sheet=a.final_sheet.as_json() if a.final_sheet else None,
    )


@router.post(
    "/projects/{project_id}/opinions/{department}",
    response_model=ApprovalPublic,
    summary="签批部门意见",
    description="市自然资源和规划局（planning）、市城管委（urban）、市行政审批局（approval）各自签批意见："
    "同意、附条件同意（须写明条件）、退回补正（须写明理由）；签批时间为当前时间。统一出件前可重新签批；"
    "联合审批项目三个部门均同意（或附条件同意）时统一出件（文号、出件时间）。",
)
def sign(
    project_id: str, department: str, body: OpinionSign, state: StateDep, p: CurrentUser
) -> ApprovalPublic:
    """Sign a department's opinion of a project."""
    a = sign_opinion(
        state,
        project_id,
        department,
        p,
        decision=body.decision,
        text=body.text,
        conditions=body.conditions,
        reasons=body.reasons,
    )
    return approval_public(a)


@router.get(
    "/projects/{project_id}/approval",
    response_model=ApprovalPublic,
    summary="审批进度",
    description="须出具意见的部门、已签批与待签批的部门、退回补正的部门，及统一出件的文号和时间。",
)
def approval(project_id: str, state: StateDep, p: CurrentUser) -> ApprovalPublic:
    """Return where a project's approval stands."""
    return approval_public(approval_of(state, project_id))
