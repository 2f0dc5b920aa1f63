"""Cell values of an intents spreadsheet: text, numbers, dates and utility lists.

Excel numbers and dates, full-width digits, thousands separators, dates written the Chinese way
(2027年3月1日) and utility lists written without separators (水电气) all read as what they say.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Sequence
from typing import Any

from gis import vocabulary as _vocab
from gis.schema import UTILITIES

_UTILITY_ALIASES: dict[str, str] = _vocab.UTILITIES.words()
_UTILITY_SPLIT = re.compile(r"[,;、/|+\s]+")
_UTILITY_WORD = "|".join(re.escape(w) for w in sorted(_UTILITY_ALIASES, key=len, reverse=True))
_UTILITY_RUN = re.compile(f"(?:{_UTILITY_WORD})+")
"""Utility words written without separators: 水电气, 供水供电."""
_UTILITIES_EXPECTED = (
    "a list of water, gas, heat, power, telecom (or 水/供水, 气/燃气, 热/供热/蒸汽, 电/供电, "
    "网/通信), separated by , ， 、 or ;"
)

_DATE = re.compile(
    r"(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*(?:[-/.月]\s*(?P<d>\d{1,2})\s*日?|月)?"
    r"(?:[\sT]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
)
_COMPACT_DATE = re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})")
_DATE_EXPECTED = (
    "a date such as 2027-03-01, 2027/3/1, 2027年3月1日 or 20270301 "
    "(a month alone, 2027-03 or 2027年3月, means its first day)"
)
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_EXCEL_SERIALS = (36_526, 73_051)
"""Excel day numbers accepted as dates (2000-01-01 to 2099-12-31)."""


def _empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def _blank(cells: Sequence[Any]) -> bool:
    return all(_empty(c) for c in cells)


def _text(value: Any) -> str:
    """Return a cell as stripped text; whole floats without ``.0`` (Excel numbers)."""
    if _empty(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date().isoformat()
    return str(value).strip()


def _number(value: Any) -> tuple[float | None, str | None]:
    """Return ``(number, None)``, ``(None, None)`` for an empty cell or ``(None, reason)``.

    Examples
    --------
    >>> _number("8,000"), _number("１２.５"), _number(""), _number("800吨")
    ((8000.0, None), (12.5, None), (None, None), (None, 'not a number'))
    """
    if _empty(value):
        return None, None
    if isinstance(value, bool):
        return None, "not a number"
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = unicodedata.normalize("NFKC", str(value)).strip()
        text = re.sub(r"(?<=\d)[,\s](?=\d{3}\b)", "", text)
        try:
            number = float(text)
        except ValueError:
            return None, "not a number"
    if not math.isfinite(number):
        return None, "not a finite number"
    return number, None


def _date(value: Any) -> str | None:
    """Return a cell as an ISO date, ``None`` if it is not one.

    Examples
    --------
    >>> [_date(v) for v in ("2027/3/1", "2027年6月15日", "2027-09", "20280110", "2027-02-30")]
    ['2027-03-01', '2027-06-15', '2027-09-01', '2028-01-10', None]
    >>> _date(46447), _date(dt.datetime(2027, 3, 1, 0, 0))
    ('2027-03-01', '2027-03-01')
    """
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int | float) and not isinstance(value, bool):
        if float(value).is_integer() and _EXCEL_SERIALS[0] <= value <= _EXCEL_SERIALS[1]:
            return (_EXCEL_EPOCH + dt.timedelta(days=int(value))).isoformat()
        return None
    text = unicodedata.normalize("NFKC", str(value)).strip()
    match = _DATE.fullmatch(text) or _COMPACT_DATE.fullmatch(text)
    if match is None:
        return None
    day = match.group("d")
    try:
        date = dt.date(int(match.group("y")), int(match.group("m")), int(day) if day else 1)
    except ValueError:
        return None
    return date.isoformat()


def _utilities(value: Any) -> tuple[str | None, list[str]]:
    """Return the canonical utility list and the words that are not utilities.

    Examples
    --------
    >>> _utilities("水,电"), _utilities("供水、供电、燃气"), _utilities("水气热电网")
    (('water,power', []), ('water,gas,power', []), ('water,gas,heat,power,telecom', []))
    >>> _utilities("供水供电 通信")
    ('water,power,telecom', [])
    >>> _utilities("power, 雨水")
    ('power', ['雨水'])
    """
    text = unicodedata.normalize("NFKC", _text(value)).lower()
    found: set[str] = set()
    unknown: list[str] = []
    for word in (w for w in _UTILITY_SPLIT.split(text) if w):
        if word in _UTILITY_ALIASES:
            found.add(_UTILITY_ALIASES[word])
        elif _UTILITY_RUN.fullmatch(word):  # 水电气, 供水供电: no separators
            found.update(_UTILITY_ALIASES[w] for w in re.findall(_UTILITY_WORD, word))
        else:
            unknown.append(word)
    listed = ",".join(u for u in UTILITIES if u in found)
    return listed or None, unknown
