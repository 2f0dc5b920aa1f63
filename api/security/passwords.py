"""Workbench passwords: scrypt hashes, the password rules and the lock-out after wrong ones.

Passwords are stored only as scrypt hashes (RFC 7914, :func:`hashlib.scrypt`, a memory-hard
password hash in the standard library): ``scrypt$<n>$<r>$<p>$<salt>$<hash>`` with a random
16-byte salt, n = 2**15, r = 8, p = 1 (OWASP's recommended minimum for scrypt) and a 32-byte
key; verification compares in constant time. The parameters are kept in each hash, so they can
be raised later without invalidating stored passwords.

After :data:`MAX_FAILURES` wrong passwords in a row an account is locked for
:data:`LOCK_MINUTES` minutes (a successful sign-in resets the count).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

__all__ = ["LOCK_MINUTES", "MAX_FAILURES", "check_password_rules", "hash_password", "verify_password"]

MAX_FAILURES = 6
"""Wrong passwords in a row that lock an account."""

LOCK_MINUTES = 15
"""How long a locked account refuses every sign-in."""

_N, _R, _P, _KEY = 2**15, 8, 1, 32
_MAXMEM = 64 * 1024 * 1024


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=_MAXMEM, dklen=_KEY
    )


def hash_password(password: str) -> str:
    """Return the scrypt hash of ``password`` with a new random salt.

    Examples
    --------
    >>> h = hash_password("荆门-2026")
    >>> h.startswith("scrypt$32768$8$1$"), verify_password("荆门-2026", h)
    (True, True)
    """
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, _N, _R, _P)
    return f"scrypt${_N}${_R}${_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str | None) -> bool:
    """Return whether ``password`` matches the stored hash (``False`` for none or a bad one)."""
    if not stored:
        return False
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        got = _scrypt(password, base64.b64decode(salt), int(n), int(r), int(p))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, expected)


def check_password_rules(password: str, *, name: str) -> list[str]:
    """Return what is wrong with a new password (Chinese, for the form), or an empty list.

    At least 10 characters, not the user name, not only digits.

    Examples
    --------
    >>> check_password_rules("12345", name="li")
    ['密码至少 10 个字符（现为 5 个）', '密码不能全为数字']
    """
    problems = []
    if len(password) < 10:
        problems.append(f"密码至少 10 个字符（现为 {len(password)} 个）")
    if password.isdigit():
        problems.append("密码不能全为数字")
    if password.casefold() == name.casefold():
        problems.append("密码不能与用户名相同")
    return problems
