"""Who may do what: bearer tokens, roles, masked personal data and upload limits.

Roles follow the seed's 七、职责分工 and its "七个一" steps (:data:`ROLES`, :data:`ROLE_ZH`):

- ``investment`` — 招商局: registers investment intents (一口登记, the ``intents`` layer);
- ``intake`` — the intake window (受理窗口): 市场监管局 and 自然资源和规划局, who fill the 附件2
  form when an enterprise gets its licence or land, and 行政审批局 (一窗受理): create projects,
  and see the applicant's ID number and phone;
- ``utility`` — a utility's planners (``User.utility`` ∈ water, gas, heat, power, telecom): edit
  their own utility's network and plans, read the others';
- ``survey`` — the joint survey team (一同踏勘): reads;
- ``planning`` — 自然资源和规划局 issuing planning opinions (规划意见);
- ``admin`` — everything, including the base layers (:data:`BASE_LAYERS`).

Every authenticated user reads every layer, project and map (:data:`CurrentUser`); writes go
through :func:`require_roles` and :func:`check_layer_edit` / :data:`LayerEditor`.

Tokens are random (:func:`new_token`, 256 bits) and stored only as their SHA-256
(:func:`hash_token`); a request is authenticated by looking its token's hash up. Their entropy
makes a salted slow hash unnecessary: nobody can guess a token from its hash. A token may
expire (``expires_at``, ``linkplan user --expires-days``) and be revoked (:func:`revoke_user`,
``linkplan user NAME --revoke``); the development users of the demo seed (well-known ``dev-*``
tokens, ``development``) are refused in production (:func:`identify`) and revoked when a
service starts in production (:func:`disable_development_users`). A refused token is answered
401 saying why (revoked, expired, development), never with the token or its user.

Personal data of the 附件2 form (the legal representative's 身份证号 and the contact phone)
are masked (:func:`mask_intake`) for every role but ``intake`` and ``admin``
(:func:`sees_personal_data`).

Uploads are read in chunks and refused (413) as soon as they pass the limit
(:func:`read_upload`, :func:`read_body`, ``LINKPLAN_MAX_UPLOAD_MB``);
:class:`RequestSizeLimitMiddleware` refuses a larger request body before any route parses it.

Network geometry never leaves the service: Linkplan calls no geocoding or routing web service
(addresses and routes are computed locally, ``gis/address.py``, ``planning/routing.py``), and
the optional tile basemaps (天地图, OpenStreetMap, 高德) are requested by the browser by tile
column, row and zoom only; the overlays are drawn in the page and sent nowhere.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Depends, Request, UploadFile
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gis import vocabulary
from gis.errors import (
    AuthenticationError,
    ConfigurationError,
    LayerNotFoundError,
    NotFoundError,
    PermissionDeniedError,
    UploadTooLargeError,
)
from gis.schema import LAYERS, UTILITIES, UTILITY_NAMES_ZH
from gis.storage.models import AuditEntry, User

if TYPE_CHECKING:
    from api.settings import Settings
    from api.state import ServiceState
    from gis.storage.store import Store

__all__ = [
    "BASE_LAYERS",
    "PERSONAL_DATA_ROLES",
    "PERSONAL_FIELDS",
    "ROLES",
    "ROLE_ZH",
    "AdminUser",
    "AuthenticationError",
    "CurrentUser",
    "IntakeUser",
    "InvestmentUser",
    "LayerEditor",
    "PermissionDeniedError",
    "PlanningUser",
    "Principal",
    "RequestSizeLimitMiddleware",
    "UploadLimit",
    "UploadTooLargeError",
    "authenticate",
    "can_edit_layer",
    "can_edit_plan",
    "check_layer_edit",
    "check_plan_edit",
    "check_roles",
    "create_user",
    "current_user",
    "disable_development_users",
    "hash_token",
    "identify",
    "layer_editor",
    "list_users",
    "mask_id_number",
    "mask_intake",
    "mask_phone",
    "max_upload_bytes",
    "new_token",
    "read_body",
    "read_upload",
    "require_roles",
    "revoke_user",
    "sees_personal_data",
    "upload_limit",
    "utc_now",
]

# ------------------------------------------------------------------------------- roles

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


# ------------------------------------------------------------------------------- tokens and users


def new_token() -> str:
    """Return a new random token (256 bits, URL-safe text)."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """Return the SHA-256 (hex) under which a token is stored.

    Examples
    --------
    >>> hash_token("abc")[:16]
    'ba7816bf8f01cfea'
    """
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _validate_user(name: str, role: str, utility: str | None, token: str) -> None:
    if not name.strip() or len(name) > 64:
        msg = f"user name {name!r}: expected 1 to 64 characters"
        raise ConfigurationError(msg)
    if role not in ROLES:
        msg = f"role {role!r} of user {name!r}: expected one of {', '.join(ROLES)}"
        raise ConfigurationError(msg)
    if role == "utility" and utility not in UTILITIES:
        msg = (
            f"utility {utility!r} of utility planner {name!r}: expected one of "
            f"{', '.join(UTILITIES)}"
        )
        raise ConfigurationError(msg)
    if role != "utility" and utility is not None:
        msg = (
            f"user {name!r} has role {role!r} and utility {utility!r}: only role 'utility' "
            "has a utility"
        )
        raise ConfigurationError(msg)
    if not token or token != token.strip() or any(c.isspace() for c in token):
        msg = f"token of user {name!r}: expected non-empty text without spaces"
        raise ConfigurationError(msg)


def _utc_naive(when: dt.datetime) -> dt.datetime:
    """Return ``when`` as a naive UTC datetime (as stored); a naive one is taken as UTC."""
    if when.tzinfo is not None:
        when = when.astimezone(dt.UTC).replace(tzinfo=None)
    return when


def utc_now() -> dt.datetime:
    """Return the current time as a naive UTC datetime (how user times are stored)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _creation_detail(
    role: str, utility: str | None, development: bool, expires: dt.datetime | None
) -> dict[str, Any]:
    """Return the audit detail of a new user (development and expiry only when they apply)."""
    detail: dict[str, Any] = {"role": role, "utility": utility}
    if development:
        detail["development"] = True
    if expires is not None:
        detail["expires_at"] = expires.isoformat()
    return detail


def create_user(
    store: Store,
    name: str,
    role: str,
    *,
    utility: str | None = None,
    token: str | None = None,
    created_by: str | None = None,
    development: bool = False,
    expires_at: dt.datetime | None = None,
) -> str:
    """Create a user and return its token, in clear text this once (only its hash is stored).

    Parameters
    ----------
    store
        The database.
    name
        Unique user name (1–64 characters).
    role
        One of :data:`ROLES`.
    utility
        For role ``utility`` (required there, refused elsewhere): one of
        :data:`gis.schema.UTILITIES`.
    token
        The token to give (e.g. a development seed's well-known one); default: :func:`new_token`.
    created_by
        Who creates the user, for the audit log.
    development
        A development user (well-known token): refused in production (:func:`identify`).
    expires_at
        When the token stops being accepted (naive: UTC); default: never.

    Returns
    -------
    str
        The token.

    Raises
    ------
    ConfigurationError
        If the name, role, utility, token or expiry is not valid, or the name or token is taken.
    """
    token = new_token() if token is None else token
    _validate_user(name, role, utility, token)
    expires = None if expires_at is None else _utc_naive(expires_at)
    if expires is not None and expires <= utc_now():
        msg = f"expiry of user {name!r}: {expires:%Y-%m-%d %H:%M} UTC is not in the future"
        raise ConfigurationError(msg)
    try:
        with store.session.begin() as s:
            s.add(
                User(
                    name=name,
                    role=role,
                    utility=utility,
                    token_hash=hash_token(token),
                    development=development,
                    expires_at=expires,
                )
            )
            s.add(
                AuditEntry(
                    user=created_by,
                    action="create_user",
                    target=name,
                    detail=_creation_detail(role, utility, development, expires),
                )
            )
    except IntegrityError as exc:
        msg = f"user {name!r} not created: the name or the token is already in use"
        raise ConfigurationError(msg) from exc
    return token


def revoke_user(store: Store, name: str, *, revoked_by: str | None = None) -> dt.datetime:
    """Revoke a user's token (``linkplan user NAME --revoke``) and return when it was revoked.

    Revoking again keeps the first time. The user row stays (the audit log names it).

    Raises
    ------
    NotFoundError
        If there is no user ``name``.
    """
    with store.session.begin() as s:
        user = s.scalars(select(User).where(User.name == name)).first()
        if user is None:
            msg = f"no user {name!r}: nothing revoked"
            raise NotFoundError(msg)
        if user.revoked_at is None:
            user.revoked_at = utc_now()
            s.add(AuditEntry(user=revoked_by, action="revoke_user", target=name, detail={}))
        return user.revoked_at


def disable_development_users(store: Store, *, by: str = "startup") -> list[str]:
    """Revoke every development user not yet revoked; return their names (audit-logged).

    Called when a service starts in production on a database first used in development.
    """
    now = utc_now()
    with store.session.begin() as s:
        users = list(
            s.scalars(
                select(User)
                .where(User.development.is_(True), User.revoked_at.is_(None))
                .order_by(User.name)
            )
        )
        for user in users:
            user.revoked_at = now
        if users:
            s.add(
                AuditEntry(
                    user=by,
                    action="disable_development_users",
                    target="users",
                    detail={"users": [u.name for u in users], "reason": "production"},
                )
            )
        return [u.name for u in users]


def list_users(store: Store) -> list[dict[str, Any]]:
    """Return every user (name, role, utility, times, development), no token hashes."""
    with store.session() as s:
        users = list(s.scalars(select(User).order_by(User.name)))
    return [
        {
            "name": u.name,
            "role": u.role,
            "utility": u.utility,
            "development": bool(u.development),
            "created_at": u.created_at,
            "expires_at": u.expires_at,
            "revoked_at": u.revoked_at,
        }
        for u in users
    ]


UNKNOWN_TOKEN = "the bearer token is not valid (unknown or revoked): ask an administrator for one"
"""Message of a token that belongs to nobody (or to a user whose role is no longer valid)."""


def _refusal(user: User, *, env: str, now: dt.datetime) -> str | None:
    """Return why ``user``'s token is refused (Chinese and English), or ``None``."""
    if user.revoked_at is not None:
        return (
            f"令牌已于 {user.revoked_at:%Y-%m-%d %H:%M} UTC 撤销，请向管理员申请新令牌 "
            f"(the bearer token was revoked on {user.revoked_at:%Y-%m-%d %H:%M} UTC: ask an "
            "administrator for a new one)"
        )
    if user.expires_at is not None and user.expires_at <= now:
        return (
            f"令牌已于 {user.expires_at:%Y-%m-%d %H:%M} UTC 过期，请向管理员申请新令牌 "
            f"(the bearer token expired on {user.expires_at:%Y-%m-%d %H:%M} UTC: ask an "
            "administrator for a new one)"
        )
    if user.development and env != "development":
        return (
            "开发用户的令牌在生产环境中无效，请向管理员申请令牌 (development tokens are not "
            "accepted in production, LINKPLAN_ENV=production: ask an administrator for a token)"
        )
    if user.role not in ROLES or (user.role == "utility") != (user.utility in UTILITIES):
        return UNKNOWN_TOKEN
    return None


def identify(
    store: Store, token: str, *, env: str = "production", now: dt.datetime | None = None
) -> Principal:
    """Return the user a token belongs to, or raise saying why it is refused.

    Parameters
    ----------
    store
        The database.
    token
        The bearer token; looked up by its hash, so the comparison leaks nothing.
    env
        ``development`` or ``production`` (:attr:`api.settings.Settings.env`): development
        users are refused in production.
    now
        The current time (naive UTC; default: now), for the expiry.

    Raises
    ------
    AuthenticationError
        If the token is unknown, revoked, expired, a development token in production, or its
        user's role is no longer valid.
    """
    with store.session() as s:
        user = s.scalars(select(User).where(User.token_hash == hash_token(token))).first()
    if user is None:
        raise AuthenticationError(UNKNOWN_TOKEN)
    refusal = _refusal(user, env=env, now=_utc_naive(now) if now else utc_now())
    if refusal is not None:
        raise AuthenticationError(refusal)
    return Principal(user.name, user.role, user.utility if user.role == "utility" else None)


def authenticate(
    store: Store,
    token: str | None,
    *,
    env: str = "production",
    now: dt.datetime | None = None,
) -> Principal | None:
    """Return the user a token belongs to, or ``None`` when :func:`identify` refuses it."""
    if not token:
        return None
    try:
        return identify(store, token, env=env, now=now)
    except AuthenticationError:
        return None


# ------------------------------------------------------------------------------- dependencies

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


# ------------------------------------------------------------------------------- layers and plans


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


def layer_editor(layer: str, user: CurrentUser) -> Principal:
    """Dependency for routes with a ``{layer}`` path parameter: the user if they may edit it."""
    check_layer_edit(user, layer)
    return user


LayerEditor = Annotated[Principal, Depends(layer_editor)]
"""The user of a ``/…/{layer}`` write route, checked with :func:`check_layer_edit`."""


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


# ------------------------------------------------------------------------------- personal data


def sees_personal_data(user: Principal) -> bool:
    """Whether ``user`` sees ID and phone numbers unmasked: the intake window and admin.

    Examples
    --------
    >>> [sees_personal_data(Principal("x", r)) for r in ROLES]
    [True, False, True, False, False, False]
    """
    return user.role in PERSONAL_DATA_ROLES


def mask_id_number(number: str | None) -> str | None:
    """Mask a 身份证号: keep the region code (first 6) and the last 4 characters.

    Numbers shorter than 15 characters are masked entirely; ``None`` and ``""`` stay as they are.

    Examples
    --------
    >>> mask_id_number("420804198605170162")
    '420804********0162'
    >>> mask_id_number("420804860517016")
    '420804*****7016'
    >>> mask_id_number("12345")
    '*****'
    """
    if not number:
        return number
    text = number.strip()
    if len(text) < 15:
        return "*" * len(text)
    return text[:6] + "*" * (len(text) - 10) + text[-4:]


_MOBILE = re.compile(r"^(?P<head>(?:\+?86[-\s]?)?1\d{2})(?P<middle>[-\s]?\d{4}[-\s]?)(?P<tail>\d{4})$")
_LANDLINE = re.compile(
    r"^(?P<area>\(?0(?:10|2\d|[3-9]\d{2})\)?[-\s]?)(?P<local>\d{7,8})"
    r"(?P<ext>(?:-|转|ext\.?|x)\d{1,6})?$",
    re.IGNORECASE,
)


def _stars(text: str) -> str:
    return re.sub(r"\d", "*", text)


def mask_phone(phone: str | None) -> str | None:
    """Mask a phone number, keeping what tells its kind and the last 4 digits.

    A mobile keeps its first 3 and last 4 digits, a landline its area code (and extension) and
    the last 4 digits of the number; anything else keeps only its last 4 digits.

    Examples
    --------
    >>> mask_phone("13872400016")
    '138****0016'
    >>> mask_phone("0724-2345678")
    '0724-***5678'
    >>> mask_phone("(0724)23456789转801")
    '(0724)****6789转801'
    >>> mask_phone("+86 138 7240 0016")
    '+86 138 **** 0016'
    >>> mask_phone("2345678")
    '***5678'
    """
    if not phone:
        return phone
    text = phone.strip()
    if m := _MOBILE.match(text):
        return m["head"] + _stars(m["middle"]) + m["tail"]
    if m := _LANDLINE.match(text):
        local = m["local"]
        return m["area"] + "*" * (len(local) - 4) + local[-4:] + (m["ext"] or "")
    digits = [i for i, c in enumerate(text) if c.isdigit()]
    keep = set(digits[-4:]) if len(digits) > 4 else set()
    return "".join("*" if c.isdigit() and i not in keep else c for i, c in enumerate(text))


def mask_intake(intake: Mapping[str, Any], user: Principal) -> dict[str, Any]:
    """Return a copy of a 附件2 form with ID and phone masked unless ``user`` may see them.

    Everything else (names, address, demand) is kept.

    Examples
    --------
    >>> form = {"project_name": "荆门化工园", "id_number": "420804198605170162", "phone": "13872400016"}
    >>> mask_intake(form, Principal("踏勘", "survey"))
    {'project_name': '荆门化工园', 'id_number': '420804********0162', 'phone': '138****0016'}
    >>> mask_intake(form, Principal("窗口", "intake")) == form
    True
    """
    out = copy.deepcopy(dict(intake))
    if sees_personal_data(user):
        return out
    if "id_number" in out:
        out["id_number"] = mask_id_number(out["id_number"])
    if "phone" in out:
        out["phone"] = mask_phone(out["phone"])
    return out


# ------------------------------------------------------------------------------- uploads

_MIB = 1024 * 1024
_CHUNK = _MIB


def max_upload_bytes(settings: Settings) -> int:
    """Return the upload limit in bytes (``LINKPLAN_MAX_UPLOAD_MB``)."""
    return int(settings.max_upload_mb) * _MIB


def upload_limit(request: Request) -> int:
    """Dependency: the service's upload limit in bytes."""
    return max_upload_bytes(_state(request).settings)


UploadLimit = Annotated[int, Depends(upload_limit)]


def _too_large(what: str, max_bytes: int) -> UploadTooLargeError:
    mb = max_bytes / _MIB
    msg = (
        f"{what} is larger than the upload limit of {max_bytes:,} bytes ({mb:g} MB, "
        "LINKPLAN_MAX_UPLOAD_MB)"
    )
    return UploadTooLargeError(msg)


async def read_upload(file: UploadFile, *, max_bytes: int) -> bytes:
    """Read an uploaded file in chunks, refusing it as soon as it passes ``max_bytes``.

    At most ``max_bytes + 1`` bytes are read: the file is never read whole first.

    Raises
    ------
    UploadTooLargeError
        If the file (its declared size, or what was read) is over ``max_bytes``.
    """
    what = f"upload {file.filename!r}" if file.filename else "the upload"
    if file.size is not None and file.size > max_bytes:
        raise _too_large(what, max_bytes)
    parts: list[bytes] = []
    total = 0
    while chunk := await file.read(min(_CHUNK, max_bytes + 1 - total)):
        total += len(chunk)
        if total > max_bytes:
            raise _too_large(what, max_bytes)
        parts.append(chunk)
    return b"".join(parts)


async def read_body(request: Request, *, max_bytes: int) -> bytes:
    """Read a request body (a raw upload) as it streams in, refusing it past ``max_bytes``."""
    what = "the request body"
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > max_bytes:
        raise _too_large(what, max_bytes)
    parts: list[bytes] = []
    total = 0
    async for chunk in request.stream():
        total += len(chunk)
        if total > max_bytes:
            raise _too_large(what, max_bytes)
        parts.append(chunk)
    return b"".join(parts)


class RequestSizeLimitMiddleware:
    """Refuse (413) any request whose body is over ``max_bytes``, before a route parses it.

    FastAPI parses a multipart form (spooling its files to disk) before any dependency runs, so
    :func:`read_upload` alone cannot stop a huge upload from being received. This ASGI
    middleware checks ``Content-Length`` and counts the body as it streams in; past the limit
    it stops reading, drops whatever the app answers and answers 413 itself.

    Parameters
    ----------
    app
        The ASGI app.
    max_bytes
        Largest body accepted (e.g. :func:`max_upload_bytes` plus some room for the form).
    """

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = int(max_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one request, counting its body."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length", b"")
        if length.isdigit() and int(length) > self.max_bytes:
            await self._refuse(send)
            return
        received = 0
        exceeded = False
        started = False

        async def limited_receive() -> Message:
            nonlocal received, exceeded
            if exceeded:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    exceeded = True
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if exceeded and not started:
                return  # the app's answer to a cut-off body is replaced by the 413
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except Exception:
            if not exceeded:
                raise
        if exceeded and not started:
            await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        error = _too_large("the request body", self.max_bytes)
        body = json.dumps(
            {"detail": str(error), "error": type(error).__name__}, ensure_ascii=False
        ).encode("utf-8")
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
