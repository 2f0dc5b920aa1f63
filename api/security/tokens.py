"""Bearer tokens: how they are made and stored, and whom a request's token identifies.

Tokens are random (256 bits) and stored only as their SHA-256; a token is refused (401, saying
why) when it is unknown, revoked, expired, or a development token in production (seed 七、职责分工:
only the named departments act).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import TYPE_CHECKING

from sqlalchemy import select

from api.security.principal import ROLES, Principal
from gis.errors import AuthenticationError
from gis.schema import UTILITIES
from gis.storage.models import User

if TYPE_CHECKING:
    from gis.storage.store import Store


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


def _utc_naive(when: dt.datetime) -> dt.datetime:
    """Return ``when`` as a naive UTC datetime (as stored); a naive one is taken as UTC."""
    if when.tzinfo is not None:
        when = when.astimezone(dt.UTC).replace(tzinfo=None)
    return when


def utc_now() -> dt.datetime:
    """Return the current time as a naive UTC datetime (how user times are stored)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


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
