"""The users of the web service: create, revoke and list them; disable development users.

Every change is written to the audit log in the same transaction (``linkplan user``).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from api.security.principal import ROLES
from api.security.tokens import _utc_naive, hash_token, new_token, utc_now
from gis.errors import ConfigurationError, NotFoundError
from gis.schema import UTILITIES
from gis.storage.models import AuditEntry, User

if TYPE_CHECKING:
    from gis.storage.store import Store


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


def set_password(
    store: Store,
    name: str,
    password: str | None = None,
    *,
    password_hash: str | None = None,
    display_name: str | None = None,
    by: str | None = None,
) -> None:
    """Give a user a workbench password (stored as its scrypt hash) and a display name.

    ``password_hash`` (already hashed, e.g. a development seed's) is taken instead of
    ``password``; a new password must follow :func:`check_password_rules` unless it comes
    hashed. The lock-out count is reset.

    Raises
    ------
    ConfigurationError
        If the user does not exist or the password breaks the rules (all problems named).
    """
    from api.security.passwords import check_password_rules, hash_password

    if password_hash is None:
        problems = check_password_rules(password or "", name=name)
        if problems:
            msg = f"password of user {name!r}: " + "；".join(problems)
            raise ConfigurationError(msg)
        password_hash = hash_password(password or "")
    with store.session.begin() as s:
        user = s.scalar(select(User).where(User.name == name))
        if user is None:
            msg = f"user {name!r}: no such user"
            raise ConfigurationError(msg)
        user.password_hash = password_hash
        user.failed_logins = 0
        user.locked_until = None
        if display_name is not None:
            user.display_name = display_name
        s.add(AuditEntry(user=by, action="set_password", target=name, detail={}))


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
