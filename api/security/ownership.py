"""Whose project it is: staff see every project, an applying enterprise only its own (掌上办)."""

from __future__ import annotations

from api.security.principal import Principal
from gis.errors import NotFoundError

__all__ = ["can_see_project", "see_project"]


def can_see_project(user: Principal, owner: str | None) -> bool:
    """Whether ``user`` may see a project: staff always, an applicant only its own.

    Examples
    --------
    >>> can_see_project(Principal("a", "applicant"), "a"), can_see_project(Principal("a", "applicant"), "b")
    (True, False)
    >>> can_see_project(Principal("受理", "intake"), None)
    True
    """
    return user.role != "applicant" or (owner is not None and owner == user.name)


def see_project(user: Principal, project_id: str, owner: str | None) -> None:
    """Raise :class:`NotFoundError` when ``user`` may not see the project (no hint it exists)."""
    if not can_see_project(user, owner):
        msg = f"项目 {project_id} 不存在或无权查看 (project {project_id}: not found)"
        raise NotFoundError(msg)
