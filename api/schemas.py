"""What the API's requests and answers look like, beyond each route's own model.

Answers: timestamps always carry their offset. The database stores naive UTC
(``gis/storage/models.py``, ``_now``); the calendar and the ledger work in naive local China time
(UTC+8, ``planning/calendar.py``). A response says which: :data:`AwareUTC` reads a naive value as
UTC, :data:`ChinaTime` as 北京时间; both serialise as RFC 3339 with an offset, as the OpenAPI
``date-time`` format requires.

Requests: a date or time parameter is ISO 8601 text (:data:`IsoDate`, :data:`IsoDateTime`; not a
Unix timestamp, which pydantic would otherwise read), and a query parameter the route does not
declare, or a single-valued one given twice, is refused (:func:`strict_query`, app-level).
"""

from __future__ import annotations

import datetime as dt
import re
import typing
from collections.abc import Iterator
from typing import Annotated, Any, Literal

from fastapi import Request
from fastapi.dependencies.models import Dependant
from pydantic import AfterValidator, AwareDatetime, BeforeValidator, WithJsonSchema

from gis import vocabulary
from gis.errors import Problem, ValidationError
from gis.vocabulary import Vocabulary

__all__ = [
    "CHINA",
    "YEARS",
    "AwareUTC",
    "ChinaTime",
    "IsoDate",
    "IsoDateTime",
    "Utility",
    "as_china_time",
    "as_utc",
    "strict_query",
    "vocabulary_alias",
]

CHINA = dt.timezone(dt.timedelta(hours=8), "CST")
"""China Standard Time (UTC+8, no daylight saving)."""


def _with_zone(value: Any, zone: dt.tzinfo) -> Any:
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return value  # pydantic reports it
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=zone) if value.tzinfo is None else value.astimezone(zone)
    return value


def as_utc(value: Any) -> Any:
    """Return a datetime in UTC: a naive one is read as UTC (as the database stores them).

    Examples
    --------
    >>> as_utc(dt.datetime(2026, 1, 2, 3, 4)).isoformat()
    '2026-01-02T03:04:00+00:00'
    >>> as_utc(dt.datetime(2026, 1, 2, 11, 4, tzinfo=CHINA)).isoformat()
    '2026-01-02T03:04:00+00:00'
    """
    return _with_zone(value, dt.UTC)


def as_china_time(value: Any) -> Any:
    """Return a datetime in China time: a naive one is read as local China time (UTC+8).

    Examples
    --------
    >>> as_china_time(dt.datetime(2026, 1, 2, 9, 0)).isoformat()
    '2026-01-02T09:00:00+08:00'
    """
    return _with_zone(value, CHINA)


def china_now() -> dt.datetime:
    """Return the time now in China (UTC+8), naive, to the minute: how time nodes are recorded.

    The process runs on China's clock (受理时间, 签批时间, deadlines in working days) whatever the
    server's time zone is.
    """
    return dt.datetime.now(CHINA).replace(tzinfo=None, second=0, microsecond=0)


AwareUTC = Annotated[AwareDatetime, BeforeValidator(as_utc)]
"""A stored timestamp (naive UTC in the database), answered in UTC with its offset."""

ChinaTime = Annotated[AwareDatetime, BeforeValidator(as_china_time)]
"""A calendar or ledger time (naive 北京时间), answered with its +08:00 offset."""


# ------------------------------------------------------------------------------- requests


def vocabulary_alias(vocab: Vocabulary[Any]) -> Any:
    """Return a validator turning an alias of ``vocab`` (供水, 自来水 …) into its value.

    An unknown word is left as it is, for the field's own enumeration to reject.
    """

    def parse(value: Any) -> Any:
        found = vocab.lookup(value) if isinstance(value, str) else None
        return value if found is None else found

    return BeforeValidator(parse)


Utility = Annotated[
    Literal["water", "gas", "heat", "power", "telecom"], vocabulary_alias(vocabulary.UTILITIES)
]
"""A utility in a request body: its value, or any alias of :data:`gis.vocabulary.UTILITIES`."""

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}.*)?")


def _iso_text(pattern: re.Pattern[str], example: str) -> Any:
    def check(value: Any) -> Any:
        if isinstance(value, str) and not pattern.fullmatch(value):
            msg = f"got {value!r}; expected ISO 8601 text such as {example}"
            raise ValueError(msg)
        return value

    return BeforeValidator(check)


YEARS = (2000, 2100)
"""First and last year a date of a request may be in (year 1 or 9999 is a mistake)."""


def _check_year(value: dt.date) -> dt.date:
    if not YEARS[0] <= value.year <= YEARS[1]:
        msg = (
            f"日期 {value.isoformat()} 超出范围，应在 {YEARS[0]}–{YEARS[1]} 年之间 "
            f"(got {value.isoformat()}; expected a date in {YEARS[0]}–{YEARS[1]})"
        )
        raise ValueError(msg)
    return value


_YEAR = r"(20\d{2}|2100)"
_DAY = r"(0[1-9]|1[0-2])-(0[1-9]|1\d|2[0-8])"
_DATE_SCHEMA = {
    "type": "string",
    "format": "date",
    "pattern": rf"^{_YEAR}-{_DAY}$",
    "description": "ISO 8601 date in 2000–2100, e.g. 2026-01-31",
}
_DATETIME_SCHEMA = {
    "type": "string",
    "pattern": rf"^{_YEAR}-{_DAY}T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?(Z|[+-](0\d|1[0-3]):[0-5]\d)?$",
    "description": "ISO 8601 date-time in 2000–2100 (local China time unless an offset is "
    "given), e.g. 2026-01-31T09:30",
}

IsoDate = Annotated[
    dt.date,
    _iso_text(_ISO_DATE, "2026-01-31"),
    AfterValidator(_check_year),
    WithJsonSchema(_DATE_SCHEMA),
]
"""A date parameter: ``YYYY-MM-DD`` (not a number of seconds), in 2000–2100."""

IsoDateTime = Annotated[
    dt.datetime,
    _iso_text(_ISO_DATETIME, "2026-01-31T09:30"),
    AfterValidator(_check_year),
    WithJsonSchema(_DATETIME_SCHEMA),
]
"""A date-time parameter: ISO 8601 (not a number of seconds), in 2000–2100."""


def _flat(dependant: Dependant) -> Iterator[Dependant]:
    yield dependant
    for sub in dependant.dependencies:
        yield from _flat(sub)


def _is_sequence(annotation: Any) -> bool:
    args = (
        typing.get_args(annotation)
        if typing.get_origin(annotation) in (typing.Union, type(int | None))
        else ()
    )
    if args:
        return any(_is_sequence(a) for a in args)
    origin = typing.get_origin(annotation) or annotation
    return isinstance(origin, type) and issubclass(origin, (list, tuple, set, frozenset))


_DECLARED: dict[int, tuple[Dependant, dict[str, bool]]] = {}


def _query_parameters(dependant: Dependant) -> dict[str, bool]:
    """Return the query parameters a route declares (name → may repeat), its dependencies' too."""
    known = _DECLARED.get(id(dependant))
    if known is None or known[0] is not dependant:
        declared = {
            field.alias: _is_sequence(field.field_info.annotation)
            for d in _flat(dependant)
            for field in d.query_params
        }
        known = _DECLARED[id(dependant)] = (dependant, declared)
    return known[1]


def strict_query(request: Request) -> None:
    """App-level dependency: refuse (422) undeclared query parameters and repeated single ones.

    OGC API Features asks the same of its servers (``/req/core/query-param-unknown``).
    """
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return
    declared = _query_parameters(dependant)
    problems = []
    for name in dict.fromkeys(request.query_params.keys()):
        values = request.query_params.getlist(name)
        if name not in declared:
            expected = ", ".join(declared) or "no query parameter"
            problems.append(
                Problem(
                    "request", "query", name, repr(values[0]), expected, code="unknown_parameter"
                )
            )
        elif len(values) > 1 and not declared[name]:
            problems.append(
                Problem(
                    "request", "query", name, repr(values), "one value", code="repeated_parameter"
                )
            )
    if problems:
        raise ValidationError(problems=problems, summary="请求参数无效 (query parameters refused)")
