"""FastAPI dependencies: the request's user, role checks, layer editors and the upload limit.

Every authenticated user reads (:data:`CurrentUser`); writes go through :func:`require_roles`
and :data:`LayerEditor`. The annotations are evaluated by FastAPI in this module's namespace,
so everything they name is imported here at run time.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.security.editing import check_layer_edit
from api.security.principal import ROLES, Principal, check_roles
from api.security.tokens import identify
from api.security.uploads import max_upload_bytes
from gis.errors import AuthenticationError, ConfigurationError

if TYPE_CHECKING:
    from api.state import ServiceState


_bearer = HTTPBearer(
    auto_error=False,
    description="Linkplan token: `Authorization: Bearer <token>` (ask an administrator).",
)


def _state(request: Request) -> ServiceState:
    state: ServiceState = request.app.state.linkplan
    return state


def current_user(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """Return the user of the request's bearer token; 401 without a valid one."""
    if credentials is None:
        msg = "authentication required: send the header 'Authorization: Bearer <token>'"
        raise AuthenticationError(msg)
    state = _state(request)
    return identify(state.store, credentials.credentials, env=state.settings.env)


CurrentUser = Annotated[Principal, Depends(current_user)]
"""Any authenticated user (everyone reads)."""


def require_roles(*roles: str, action: str | None = None) -> Callable[..., Principal]:
    """Return a dependency giving the user if it has one of ``roles`` (admin always does).

    Parameters
    ----------
    *roles
        Roles of :data:`ROLES` allowed.
    action
        What the route does, for the 403 message (e.g. ``"issuing a planning opinion"``).

    Examples
    --------
    ``def issue(user: Annotated[Principal, Depends(require_roles("planning"))]): ...``
    """
    unknown = [r for r in roles if r not in ROLES]
    if not roles or unknown:
        msg = f"require_roles{roles}: expected one or more of {', '.join(ROLES)}"
        raise ConfigurationError(msg)

    def dependency(user: CurrentUser) -> Principal:
        check_roles(user, roles, action=action)
        return user

    dependency.__name__ = f"require_{'_or_'.join(roles)}"
    return dependency


InvestmentUser = Annotated[
    Principal,
    Depends(require_roles("investment", action="registering an investment intent (意向登记)")),
]
IntakeUser = Annotated[
    Principal, Depends(require_roles("intake", action="creating a project (一表采集)"))
]
PlanningUser = Annotated[
    Principal, Depends(require_roles("planning", action="issuing a planning opinion (规划意见)"))
]
AdminUser = Annotated[Principal, Depends(require_roles("admin", action="administration"))]


def layer_editor(layer: str, user: CurrentUser) -> Principal:
    """Dependency for routes with a ``{layer}`` path parameter: the user if they may edit it."""
    check_layer_edit(user, layer)
    return user


LayerEditor = Annotated[Principal, Depends(layer_editor)]
"""The user of a ``/…/{layer}`` write route, checked with :func:`check_layer_edit`."""


def upload_limit(request: Request) -> int:
    """Dependency: the service's upload limit in bytes."""
    return max_upload_bytes(_state(request).settings)


UploadLimit = Annotated[int, Depends(upload_limit)]
