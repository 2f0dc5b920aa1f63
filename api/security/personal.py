"""Masking of the personal data of the 附件2 form: the 身份证号 and the contact phone.

Only the intake window (一窗受理) and admin see them unmasked.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from typing import Any

from api.security.principal import PERSONAL_DATA_ROLES, ROLES, Principal  # noqa: F401 (ROLES: doctest)


def sees_personal_data(user: Principal) -> bool:
    """Whether ``user`` sees ID and phone numbers unmasked: the intake window and admin.

    Examples
    --------
    >>> [sees_personal_data(Principal("x", r)) for r in ROLES]
    [True, False, True, False, False, False, False, False, False]
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


_MOBILE = re.compile(
    r"^(?P<head>(?:\+?86[-\s]?)?1\d{2})(?P<middle>[-\s]?\d{4}[-\s]?)(?P<tail>\d{4})$"
)
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
