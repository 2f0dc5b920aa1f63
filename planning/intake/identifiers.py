"""Identifiers on the 附件2 form: check characters and formats, as pure functions.

The applicant's 统一社会信用代码 (check character per GB 32100-2015 附录A), the legal
representative's 公民身份号码 (birth date and check digit per GB 11643-1999), the contact phone
and the 投资项目代码 (GB/T 40058-2021). Each ``*_issue`` function says what is wrong as an
:data:`Issue` (a Problem's ``code`` and ``expected``), or ``None`` when the value is valid; the
form's field types (:mod:`planning.intake.fields`) raise them as validation errors.
"""

from __future__ import annotations

import datetime as dt
import re

__all__ = [
    "CREDIT_CODE_CHARS",
    "CREDIT_CODE_WEIGHTS",
    "ID_NUMBER_WEIGHTS",
    "PROJECT_CODE_RE",
    "Issue",
    "credit_code_check_char",
    "credit_code_issue",
    "id_number_check_char",
    "id_number_issue",
    "phone_issue",
    "project_code_issue",
]

Issue = tuple[str, str, str]
"""``(code, expected, expected_zh)``: what is wrong with an identifier, as a Problem's ``code``,
``expected`` (English) and ``expected_zh`` (Chinese)."""

CREDIT_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
"""GB 32100-2015 §4 code characters (no I, O, S, V, Z); a character's value is its index."""

CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
"""GB 32100-2015 附录A weights of characters 1–17 (3**i mod 31)."""

ID_NUMBER_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
"""GB 11643-1999 §8.2 weights of digits 1–17 (2**(17-i) mod 11)."""

_ID_CHECK_CHARS = "10X98765432"
"""GB 11643-1999 §8.2: check character by ``sum mod 11``."""

PROJECT_CODE_RE = re.compile(r"^(\d{2})(\d{2})-(\d{6})-(\d{2})-(\d{2})-(\d{6})$")
"""投资项目代码 (national fixed-asset investment project code), 24 characters.

Source: GB/T 40058-2021《全国固定资产投资项目代码编码规范》 §4 (components: 时间代码, 地区代码,
中央业务指导部门代码, 项目类型代码, 随机码, 校验码) and 发改投资〔2020〕1439号
《固定资产投资项目代码管理规范》, written ``YYMM-RRRRRR-DD-TT-NNNNNN``: time of assignment
(YYMM), 6-digit region (GB/T 2260 行政区划代码, e.g. 420804 掇刀区), 2-digit department, 2-digit
project type, then 6 digits of random and check code, e.g. ``2301-420804-04-01-123456``. Codes
assigned on the 在线平台 before the 2020 switch have the same shape with a 4-digit year as time
code (``2019-420804-36-03-012345``) and stay valid for projects under way, so the time code may
be YYMM with month 01–12 or a year 2015–2020. The check code is not verified.
"""

_MOBILE_RE = re.compile(r"^(?:\+?86-?)?1[3-9]\d{9}$")
_LANDLINE_RE = re.compile(
    r"^(?:\(0(?:10|2\d|[3-9]\d{2})\)|0(?:10|2\d|[3-9]\d{2})-?)[2-9]\d{6,7}(?:(?:-|转|ext\.?|x)\d{1,6})?$"
)
_PHONE_EXPECTED = (
    "a mainland mobile number 1[3-9] + 9 digits (e.g. 13912345678) or a landline with its area "
    "code (e.g. 0724-2345678 or 0724-23456789 for 荆门, optional extension -123)"
)
_PHONE_EXPECTED_ZH = (
    "11 位手机号（1 开头、第二位 3-9，如 13912345678）或带区号的固定电话"
    "（如 0724-2345678，可加分机号 -123）"
)


def credit_code_check_char(first17: str) -> str:
    """Return the GB 32100-2015 check character of the first 17 characters of a credit code.

    Parameters
    ----------
    first17
        Characters 1–17 of a 统一社会信用代码, upper case, from :data:`CREDIT_CODE_CHARS`.

    Returns
    -------
    str
        Character 18: ``CREDIT_CODE_CHARS[(31 - sum % 31) % 31]``.

    Raises
    ------
    ValueError
        If ``first17`` is not 17 code characters.

    Examples
    --------
    >>> credit_code_check_char("91350100M000100Y4")
    '3'
    """
    if len(first17) != 17 or any(c not in CREDIT_CODE_CHARS for c in first17):
        msg = f"expected 17 characters from {CREDIT_CODE_CHARS!r}, got {first17!r}"
        raise ValueError(msg)
    total = sum(CREDIT_CODE_CHARS.index(c) * w for c, w in zip(first17, CREDIT_CODE_WEIGHTS))
    return CREDIT_CODE_CHARS[(31 - total % 31) % 31]


def credit_code_issue(code: str) -> Issue | None:
    """Say what is wrong with a 统一社会信用代码 (GB 32100-2015), or ``None`` if it is valid.

    Leading and trailing spaces are ignored and lower case is read as upper case. The
    organisation-code check character inside (character 17, GB 11714) is not verified: codes
    of 个体工商户 need not follow it.

    Examples
    --------
    >>> credit_code_issue("91350100M000100Y43") is None
    True
    >>> credit_code_issue("91350100M000100Y44")[0]
    'credit_code_check_digit'
    >>> credit_code_issue("9135010")[0]
    'credit_code_format'
    """
    text = code.strip().upper()
    if len(text) != 18:
        return (
            "credit_code_format",
            f"18 characters (GB 32100-2015), got {len(text)}",
            f"18 位统一社会信用代码（GB 32100-2015），实为 {len(text)} 位",
        )
    bad = sorted({c for c in text if c not in CREDIT_CODE_CHARS})
    if bad:
        return (
            "credit_code_format",
            f"only 0-9 and A-Y without I, O, S, V, Z (GB 32100-2015); not {''.join(bad)!r}",
            f"仅含数字 0-9 和除 I、O、S、V、Z 以外的大写字母（GB 32100-2015），不应含「{''.join(bad)}」",
        )
    if not text[2:8].isdigit():
        return (
            "credit_code_format",
            "characters 3–8 are the 6-digit 登记管理机关行政区划码 (GB 32100-2015)",
            "第 3–8 位为 6 位数字的登记管理机关行政区划码（GB 32100-2015）",
        )
    check = credit_code_check_char(text[:17])
    if text[17] != check:
        return (
            "credit_code_check_digit",
            f"check character {check!r} for {text[:17]} (GB 32100-2015 附录A)",
            f"末位校验码为「{check}」（按 GB 32100-2015 附录A 计算），请核对代码",
        )
    return None


def id_number_check_char(first17: str) -> str:
    """Return the GB 11643-1999 check character of the first 17 digits of an ID number.

    Parameters
    ----------
    first17
        Digits 1–17 of a 公民身份号码.

    Returns
    -------
    str
        ``"10X98765432"[sum % 11]``.

    Raises
    ------
    ValueError
        If ``first17`` is not 17 digits.

    Examples
    --------
    >>> id_number_check_char("11010519491231002")
    'X'
    """
    if len(first17) != 17 or not first17.isdigit() or not first17.isascii():
        msg = f"expected 17 digits, got {first17!r}"
        raise ValueError(msg)
    total = sum(int(c) * w for c, w in zip(first17, ID_NUMBER_WEIGHTS))
    return _ID_CHECK_CHARS[total % 11]


def id_number_issue(number: str, *, today: dt.date | None = None) -> Issue | None:
    """Say what is wrong with an 18-character 公民身份号码 (GB 11643-1999), or ``None``.

    Checks the shape (17 digits and a check character 0–9 or X), the birth date in characters
    7–14 (a real calendar date, not before 1900 and not after ``today``) and the check character.
    The old 15-digit numbers are no longer valid ID cards and are rejected.

    Examples
    --------
    >>> id_number_issue("11010519491231002X") is None
    True
    >>> id_number_issue("110105194912310021")[0]
    'id_number_check_digit'
    >>> id_number_issue("110105194902300021")[0]
    'id_number_birth_date'
    """
    text = number.strip().upper()
    shape = (
        "id_number_format",
        "18 characters: 17 digits and a check character 0-9 or X",
        f"18 位身份证号：17 位数字加 1 位校验码（0-9 或 X），实为 {len(text)} 位",
    )
    if len(text) != 18 or not text[:17].isdigit() or not text.isascii():
        return shape
    if not (text[17].isdigit() or text[17] == "X"):
        return shape
    limit = today or dt.date.today()
    try:
        born = dt.date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        born = None
    if born is None or born.year < 1900 or born > limit:
        return (
            "id_number_birth_date",
            f"a real birth date YYYYMMDD between 1900 and {limit:%Y-%m-%d} in characters 7–14",
            f"第 7–14 位为 1900 年至 {limit:%Y-%m-%d} 之间的真实出生日期（年月日）",
        )
    check = id_number_check_char(text[:17])
    if text[17] != check:
        return (
            "id_number_check_digit",
            f"check character {check!r} for {text[:17]} (GB 11643-1999)",
            f"末位校验码为「{check}」（按 GB 11643-1999 计算），请核对号码",
        )
    return None


def phone_issue(phone: str) -> Issue | None:
    """Say what is wrong with a contact phone number, or ``None`` if it has a valid form.

    Accepted: a mainland mobile number ``1[3-9]`` + 9 digits (optionally ``+86``), or a
    landline with its area code (``0724-2345678``, ``0724-23456789``, ``(0724)2345678``,
    ``010-12345678``) and an optional extension (``-123``, ``转123``). Spaces are ignored.

    Examples
    --------
    >>> phone_issue("13912345678") is None
    True
    >>> phone_issue("0724-2345678") is None
    True
    >>> phone_issue("2345678")[0]
    'phone_format'
    """
    text = (
        re.sub(r"\s+", "", phone).replace("－", "-").replace("（", "(").replace("）", ")").lower()
    )
    if _MOBILE_RE.match(text) or _LANDLINE_RE.match(text):
        return None
    return ("phone_format", _PHONE_EXPECTED, _PHONE_EXPECTED_ZH)


def project_code_issue(code: str) -> Issue | None:
    """Say what is wrong with a 投资项目代码, or ``None`` if it has the national form.

    See :data:`PROJECT_CODE_RE` for the format and its sources.

    Examples
    --------
    >>> project_code_issue("2301-420804-04-01-123456") is None
    True
    >>> project_code_issue("2019-420804-36-03-012345") is None
    True
    >>> project_code_issue("JM-2026-001")[0]
    'project_code_format'
    """
    expected = (
        "a 投资项目代码 like 2301-420804-04-01-123456: YYMM (or a year 2015–2020) - 6-digit "
        "行政区划代码 - 2 digits - 2 digits - 6 digits (GB/T 40058-2021)"
    )
    expected_zh = (
        "投资项目代码，如 2301-420804-04-01-123456：年月（或 2015–2020 年份）-6 位行政区划代码"
        "-2 位数字-2 位数字-6 位数字（GB/T 40058-2021）"
    )
    match = PROJECT_CODE_RE.match(code.strip())
    if match is None:
        return ("project_code_format", expected, expected_zh)
    century_or_year, month = match.group(1), match.group(2)
    as_year = int(century_or_year + month)
    if not (1 <= int(month) <= 12 or 2015 <= as_year <= 2020):
        return ("project_code_format", expected, expected_zh)
    return None
