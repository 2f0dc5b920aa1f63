"""Roles and the authenticated user: who holds which role, and the role check.

The roles follow the seed's 七、职责分工 and its "七个一" steps (see :mod:`api.security`);
:func:`check_roles` is the one check every write route goes through (admin passes it).
"""

from __future__ import annotations

from dataclasses import dataclass

from gis import vocabulary
from gis.errors import PermissionDeniedError
from gis.schema import UTILITY_NAMES_ZH

ROLES: tuple[str, ...] = vocabulary.ROLES.values
"""The roles a :class:`~gis.storage.models.User` may have."""

ROLE_ZH: dict[str, str] = vocabulary.ROLES.labels()
"""Chinese label of each role."""

BASE_LAYERS: tuple[str, ...] = (
    "roads",
    "scope",
    "sites",
    "major_lines",
    "green_space",
    "service_areas",
)
"""Layers only ``admin`` edits (``service_areas`` holds every utility's areas)."""

PERSONAL_DATA_ROLES: frozenset[str] = frozenset({"admin", "intake"})
"""Roles that see ID numbers and phone numbers unmasked."""

PERSONAL_FIELDS: tuple[str, ...] = ("id_number", "phone")
"""Fields of the 附件2 form that :func:`mask_intake` masks."""


@dataclass(frozen=True)
class Principal:
    """The authenticated user of a request.

    Examples
    --------
    >>> Principal("供水规划", "utility", "water").describe()
    "user '供水规划' has the role utility (公用事业企业规划人员) for water (供水)"
    """

    name: str
    role: str
    utility: str | None = None

    def describe(self) -> str:
        """Return who the user is and which role (and utility) they hold, for messages."""
        text = f"user {self.name!r} has the role {self.role} ({ROLE_ZH.get(self.role, '?')})"
        if self.utility:
            text += f" for {self.utility} ({UTILITY_NAMES_ZH.get(self.utility, '?')})"
        return text


def _roles_text(roles: tuple[str, ...]) -> str:
    return " or ".join(f"{r} ({ROLE_ZH[r]})" for r in roles)


def check_roles(user: Principal, roles: tuple[str, ...], *, action: str | None = None) -> None:
    """Raise :class:`PermissionDeniedError` unless ``user`` has one of ``roles`` or is admin.

    Examples
    --------
    >>> check_roles(Principal("招商", "investment"), ("planning",), action="issuing an opinion")
    Traceback (most recent call last):
    ...
    gis.errors.PermissionDeniedError: issuing an opinion needs the role planning (自然资源和规划局（规划意见）) or admin (系统管理员); user '招商' has the role investment (招商局（意向登记）)
    """
    if user.role == "admin" or user.role in roles:
        return
    needed = tuple(dict.fromkeys((*roles, "admin")))
    msg = f"{action or 'this request'} needs the role {_roles_text(needed)}; {user.describe()}"
    raise PermissionDeniedError(msg)
