"""Who may edit which layer and which utility's plans (seed 七、职责分工).

A utility planner edits only their own utility's network and plans, 招商局 the ``intents``
layer (一口登记), admin the base layers and everything else.
"""

from __future__ import annotations

from api.security.principal import ROLE_ZH, Principal, _roles_text
from gis.errors import LayerNotFoundError, NotFoundError, PermissionDeniedError
from gis.schema import LAYERS, UTILITIES


def can_edit_layer(user: Principal, layer: str) -> bool:
    """Whether ``user`` may import or change ``layer``.

    A utility planner edits only their utility's network layer; ``intents`` is 招商局's;
    the base layers (:data:`BASE_LAYERS`) and everything else are admin's. Unknown layers: no.

    Examples
    --------
    >>> water = Principal("供水规划", "utility", "water")
    >>> [can_edit_layer(water, layer) for layer in ("water", "gas", "roads", "intents")]
    [True, False, False, False]
    >>> can_edit_layer(Principal("招商", "investment"), "intents")
    True
    """
    if layer not in LAYERS:
        return False
    if user.role == "admin":
        return True
    if layer in UTILITIES:
        return user.role == "utility" and user.utility == layer
    if layer == "intents":
        return user.role == "investment"
    return False


def _editors(layer: str) -> str:
    if layer in UTILITIES:
        return f"a {layer} planner (role utility, utility {layer}) or admin ({ROLE_ZH['admin']})"
    if layer == "intents":
        return f"the role {_roles_text(('investment', 'admin'))}"
    return f"the role {_roles_text(('admin',))}"


def check_layer_edit(user: Principal, layer: str) -> None:
    """Raise unless ``user`` may edit ``layer``: 404 for an unknown layer, 403 otherwise."""
    if layer not in LAYERS:
        msg = f"no layer {layer!r}: expected one of {', '.join(LAYERS)}"
        raise LayerNotFoundError(msg)
    if not can_edit_layer(user, layer):
        title = LAYERS[layer].title_zh
        msg = f"editing layer {layer!r} ({title}) needs {_editors(layer)}; {user.describe()}"
        raise PermissionDeniedError(msg)


def can_edit_plan(user: Principal, utility: str) -> bool:
    """Whether ``user`` may change ``utility``'s plans (pre-lay extensions): its planners, admin."""
    if utility not in UTILITIES:
        return False
    return user.role == "admin" or (user.role == "utility" and user.utility == utility)


def check_plan_edit(user: Principal, utility: str) -> None:
    """Raise unless ``user`` may change ``utility``'s plans (404 unknown utility, else 403)."""
    if utility not in UTILITIES:
        msg = f"no utility {utility!r}: expected one of {', '.join(UTILITIES)}"
        raise NotFoundError(msg)
    if not can_edit_plan(user, utility):
        msg = f"changing the {utility} plans needs {_editors(utility)}; {user.describe()}"
        raise PermissionDeniedError(msg)
