"""Domain exceptions of Linkplan, one module for all layers.

Each exception subclasses the built-in it refines, so callers that only know Python's own
exceptions still catch them; ``api`` maps them to HTTP status codes in one table.
Messages name the cause: the layer, feature, field, value received and what was expected.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import ClassVar, Literal

Severity = Literal["error", "warning", "info"]


class LinkplanError(Exception):
    """Base of every Linkplan domain error."""


class CRSError(LinkplanError, ValueError):
    """A coordinate reference system is missing, unknown or unsuitable (e.g. geographic)."""


class GeographicCRSError(CRSError):
    """A metric operation was given coordinates in degrees."""


class ProfileError(LinkplanError, ValueError):
    """A policy or engineering profile is missing, malformed or lacks a key."""


class InputFormatError(LinkplanError, ValueError):
    """An input file cannot be read as the format it claims to be."""


class CalendarError(LinkplanError, ValueError):
    """A date falls in a year whose holiday schedule nobody has described, or times are bad."""


class AuthenticationError(LinkplanError, PermissionError):
    """No bearer token, or one that belongs to nobody (HTTP 401)."""

    headers: ClassVar[dict[str, str]] = {"WWW-Authenticate": "Bearer"}
    """Sent with the 401 answer (RFC 6750 §3)."""


class PermissionDeniedError(LinkplanError, PermissionError):
    """An authenticated user whose role does not allow the request (HTTP 403)."""


class UploadTooLargeError(LinkplanError, ValueError):
    """An upload or request body over ``LINKPLAN_MAX_UPLOAD_MB`` (HTTP 413)."""


class PreconditionRequiredError(LinkplanError, ValueError):
    """A change of a versioned record sent without ``If-Match`` (HTTP 428, RFC 6585)."""


class PreconditionFailedError(LinkplanError, ValueError):
    """A change made from a stale copy: the record changed since it was read (HTTP 412)."""


class ConflictError(LinkplanError, ValueError):
    """A change the record's state no longer allows, e.g. an opinion after the sheet was issued (HTTP 409)."""


class ConfigurationError(LinkplanError, ValueError):
    """A setting or option has a value Linkplan cannot use (e.g. a basemap without its key)."""


class CrossSectionError(LinkplanError, ValueError):
    """A pipe of a cross-section is unknown or lacks the attributes that size or place it."""


class NotFoundError(LinkplanError, KeyError):
    """A named thing (site, project, asset) does not exist."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


class LayerNotFoundError(LinkplanError, KeyError):
    """A workspace has no layer of that name."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


@dataclass(frozen=True)
class Problem:
    """One finding about one feature of one layer (一次性告知: all are reported together).

    Parameters
    ----------
    layer
        Layer name, e.g. ``"roads"``.
    feature
        Feature id (the layer's id field value) or ``None`` for layer-level problems.
    field
        Field name, ``"geometry"`` or ``None``.
    value
        The value received, as text.
    expected
        What was expected, as text.
    severity
        ``"error"`` blocks use of the layer; ``"warning"`` was repaired or is suspicious;
        ``"info"`` is for information only.
    code
        Stable machine-readable kind, e.g. ``"missing_field"``.
    expected_zh
        What was expected, in Chinese, when ``expected`` is English only (the Chinese
        message, :attr:`message_zh`, falls back to ``expected``).
    """

    layer: str
    feature: str | None
    field: str | None
    value: str
    expected: str
    severity: Severity = "error"
    code: str = "invalid"
    expected_zh: str | None = None

    @property
    def message_zh(self) -> str:
        """Return the problem in Chinese: where, what kind, the value received and what was expected.

        Examples
        --------
        >>> Problem("roads", "r1", "road_class", "lane", "one of arterial …", code="invalid_enum",
        ...         expected_zh="主干路、次干路 …").message_zh
        '图层 roads 要素 r1 字段「road_class」：不在可选值内，收到「lane」，应为 主干路、次干路 …'
        """
        from gis.vocabulary import PROBLEM_KINDS  # gis.vocabulary raises errors of this module

        if self.layer == "request":
            where = "请求参数 " + ".".join(x for x in (self.feature, self.field) if x)
        else:
            where = f"图层 {self.layer}"
            if self.feature is not None:
                where += f" 要素 {self.feature}"
            if self.field is not None:
                where += f" 字段「{self.field}」"
        kind = PROBLEM_KINDS.label(self.code, default="取值无效")
        level = {"error": "", "warning": "（警告）", "info": "（提示）"}[self.severity]
        expected = self.expected_zh or self.expected
        return f"{where}：{kind}{level}，收到「{self.value}」，应为 {expected}"

    def __str__(self) -> str:
        where = self.layer
        if self.feature is not None:
            where += f" feature {self.feature}"
        if self.field is not None:
            where += f" field {self.field!r}"
        return f"{self.severity.upper()} [{self.code}] {where}: got {self.value}; expected {self.expected}"


@dataclass
class ValidationError(LinkplanError, ValueError):
    """Input failed validation; ``problems`` lists every error found, not only the first."""

    problems: Sequence[Problem] = field(default_factory=list)
    summary: str = "validation failed"

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        errors = [p for p in self.problems if p.severity == "error"]
        lines = [f"{self.summary}: {len(errors)} error(s)"]
        lines += [f"  - {p.message_zh} ({p})" for p in errors]
        return "\n".join(lines)


@dataclass
class ConfirmationRequiredError(LinkplanError, ValueError):
    """A change that would remove or break stored data, refused until the uploader confirms.

    ``problems`` says what the change would do (features removed, projects whose site goes,
    the share of assets off the roads); repeating the request with ``confirm`` carries it out
    (HTTP 409).
    """

    problems: Sequence[Problem] = field(default_factory=list)
    summary: str = "confirmation required"

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        lines = [self.summary]
        lines += [f"  - {p}" for p in self.problems]
        return "\n".join(lines)
