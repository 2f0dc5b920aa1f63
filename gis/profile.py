"""Policy and engineering profiles: thresholds and tables as YAML data with their sources.

A profile is a YAML mapping whose leaves are ``{value: ..., source: ...}``. A profile may say
``extends: other-name`` and override any leaf. The merged values are validated once, when the
profile loads, against the typed sections of :mod:`gis.policy`: an unknown key, a value of the
wrong type or a missing value is a :class:`~gis.errors.ProfileError` naming the file, the
dotted key, the value and what was expected (every problem at once). Code then reads frozen
attributes, e.g. ``profile.commitment.max_length_m``; :meth:`Profile.source` gives the source.

Profiles are found by name in :data:`PROFILE_DIRS`: the engineering defaults in
``gis/profiles`` and the city policies in ``planning/profiles`` (an explicit search path, read
as data: ``gis`` imports nothing from ``planning``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import yaml
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from gis.errors import ProfileError
from gis.policy import (
    META,
    SECTIONS,
    Applicability,
    Attach,
    Capacity,
    Commitment,
    Coordination,
    Costs,
    Coverage,
    CrossSection,
    Deadlines,
    Demand,
    DigOnce,
    Finance,
    Graph,
    Guards,
    Ledger,
    MajorLines,
    Osm,
    Policy,
    Prelay,
    Roads,
    SharedTrench,
    Suitability,
    Validation,
)
from gis.vocabulary import PROBLEM_KINDS

__all__ = ["PROFILE_DIRS", "Profile", "check_profile", "load_profile"]

T = TypeVar("T")

_ROOT = Path(__file__).resolve().parent.parent
PROFILE_DIRS: tuple[Path, ...] = (_ROOT / "gis" / "profiles", _ROOT / "planning" / "profiles")
"""Folders searched for ``<name>.yaml``: engineering defaults, then city policy profiles."""

_EXPECTED_ZH = {
    "missing": PROBLEM_KINDS.label("missing"),
    "extra_forbidden": PROBLEM_KINDS.label("extra_forbidden"),
    "float": "数值",
    "int": "整数",
    "bool": "是/否",
    "string": "文本",
    "str": "文本",
    "dict": "映射",
    "model": "映射",
    "list": "列表",
    "tuple": "列表",
    "frozen_set": "列表",
    "set": "列表",
    "literal": "允许的取值之一",
    "too": "长度不符的列表",
}


class _MissingSection:
    """Stands for a section the profile lacks: reading any value of it is a ProfileError."""

    def __init__(self, profile: str, chain: tuple[str, ...], section: str) -> None:
        self._where = (profile, chain, section)

    def __getattr__(self, key: str) -> NoReturn:
        profile, chain, section = self._where
        msg = (
            f"配置 {profile!r}（{' → '.join(chain)}）没有 {section}.{key} "
            f"(profile {profile!r} has no key '{section}.{key}')"
        )
        raise ProfileError(msg)


class Profile:
    """A loaded, validated profile: one frozen typed model per section, and every source.

    Examples
    --------
    >>> p = load_profile("gb-defaults")
    >>> p.roads.carriageway_width_m["arterial"]
    16.0
    >>> "CJJ 37" in p.source("roads.carriageway_width_m")
    True
    """

    cross_section: CrossSection
    roads: Roads
    osm: Osm
    attach: Attach
    validation: Validation
    guards: Guards
    graph: Graph
    suitability: Suitability
    major_lines: MajorLines
    dig_once: DigOnce
    applicability: Applicability
    commitment: Commitment
    coverage: Coverage
    deadlines: Deadlines
    finance: Finance
    demand: Demand
    shared_trench: SharedTrench
    coordination: Coordination
    costs: Costs
    prelay: Prelay
    ledger: Ledger
    capacity: Capacity

    def __init__(
        self,
        *,
        policy: Policy,
        chain: tuple[str, ...],
        leaves: Mapping[str, Any],
        sources: Mapping[str, str],
        files: Mapping[str, str],
    ) -> None:
        set_ = object.__setattr__
        set_(self, "name", policy.name)
        set_(self, "description", policy.description)
        set_(self, "chain", chain)
        set_(self, "policy", policy)
        set_(self, "_leaves", dict(leaves))
        set_(self, "_sources", dict(sources))
        set_(self, "_files", dict(files))
        set_(self, "_derived", {})
        for section in SECTIONS:
            if section == "office_hours":
                continue  # a value, not a section: see the property
            value = getattr(policy, section)
            set_(
                self,
                section,
                _MissingSection(policy.name, chain, section) if value is None else value,
            )

    name: str
    description: str
    chain: tuple[str, ...]
    policy: Policy
    _leaves: dict[str, Any]
    _sources: dict[str, str]
    _files: dict[str, str]
    _derived: dict[str, Any]

    @classmethod
    def from_data(cls, name: str, data: Mapping[str, Any]) -> Profile:
        """Validate a profile given as data (the body of a YAML file, without ``extends``).

        Examples
        --------
        >>> p = Profile.from_data("x", {"coverage": {"max_connection_m": {"value": 500, "source": "t"}}})
        >>> p.coverage.max_connection_m, p.source("coverage.max_connection_m")
        (500.0, 't')
        """
        return _from_layers({"name": name}, [("<data>", data)], chain=(name,))

    def __setattr__(self, key: str, value: Any) -> None:
        msg = f"profile {self.name!r} is frozen: {key} cannot be set (use with_value)"
        raise AttributeError(msg)

    def __repr__(self) -> str:
        return f"Profile({self.name!r}, chain={' → '.join(self.chain)})"

    @property
    def office_hours(self) -> tuple[tuple[str, str], ...]:
        """Office hours ``((open, close), ...)`` of the working days (``HH:MM``)."""
        if self.policy.office_hours is None:
            msg = f"配置 {self.name!r} 没有 office_hours (profile {self.name!r} has no key 'office_hours')"
            raise ProfileError(msg)
        return self.policy.office_hours

    def has(self, section: str) -> bool:
        """Return whether the profile carries ``section`` (e.g. ``"commitment"``)."""
        return getattr(self.policy, section, None) is not None

    def source(self, key: str) -> str:
        """Return the documented source of the value at dotted ``key``."""
        if key not in self._sources:
            msg = f"配置 {self.name!r} 没有 {key} (profile {self.name!r} has no key {key!r})"
            raise ProfileError(msg)
        return self._sources[key]

    def entries(self) -> Iterator[tuple[str, str, Any, str, str]]:
        """Yield ``(dotted key, Chinese label, value, source, file)`` of every value."""
        for key, value in self._leaves.items():
            yield key, _label(key), value, self._sources[key], self._files[key]

    def derived(self, name: str, make: Callable[[Profile], T]) -> T:
        """Return a value worked out from this profile, made once and kept with it.

        For tables that hot loops read on every call (e.g. the approval rules' sets); a copy
        made by :meth:`with_value` works them out again from its own values.

        Examples
        --------
        >>> p = load_profile("gb-defaults")
        >>> p.derived("double", lambda q: 2 * q.attach.site_frontage_max_m)
        60.0
        """
        if name not in self._derived:
            self._derived[name] = make(self)
        value: T = self._derived[name]
        return value

    def with_value(self, key: str, value: Any, *, source: str) -> Profile:
        """Return a validated copy of the profile with one value replaced (and its source).

        Examples
        --------
        >>> p = load_profile("gb-defaults").with_value("attach.site_frontage_max_m", 150.0,
        ...                                           source="test")
        >>> p.attach.site_frontage_max_m, load_profile().attach.site_frontage_max_m
        (150.0, 30.0)
        """
        leaves = {**self._leaves, key: value}
        sources = {**self._sources, key: source}
        files = {**self._files, key: "with_value"}
        meta = {k: getattr(self.policy, k) for k in META}
        return _build(meta, leaves, sources, files, chain=self.chain)


# ------------------------------------------------------------------------------- labels


def _label(key: str) -> str:
    """Return the Chinese label of a dotted key from the models' field titles."""
    model: Any = Policy
    labels: list[str] = []
    for part in key.split("."):
        fields = getattr(model, "model_fields", None)
        if not fields or part not in fields:
            labels.append(part)
            model = None
            continue
        info = fields[part]
        labels.append(info.title or part)
        model = _model_of(info.annotation)
    return " · ".join(labels)


def _model_of(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_of(arg)
        if found is not None:
            return found
    return None


# ------------------------------------------------------------------------------- loading


def _find(name: str, dirs: Iterable[Path]) -> Path:
    candidate = Path(name)
    if candidate.suffix in {".yaml", ".yml"} and candidate.is_file():
        return candidate
    searched = []
    for folder in dirs:
        path = folder / f"{name}.yaml"
        searched.append(str(folder))
        if path.is_file():
            return path
    msg = f"没有名为 {name!r} 的配置 (no profile named {name!r}: expected {name}.yaml in one of {searched})"
    raise ProfileError(msg)


def _read(name: str, path: Path) -> Mapping[str, Any]:
    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        msg = (
            f"配置文件 {path} 不是有效的 YAML (profile {name!r} at {path} is not valid YAML: {exc})"
        )
        raise ProfileError(msg) from exc
    if not isinstance(loaded, Mapping):
        msg = (
            f"配置文件 {path} 应为映射 (profile {name!r} at {path}: expected a mapping, "
            f"got {type(loaded).__name__})"
        )
        raise ProfileError(msg)
    return loaded


def _problem(file: str, key: str, value: Any, zh: str, en: str) -> str:
    shown = "（无）" if value is _ABSENT else repr(value)
    shown_en = "(none)" if value is _ABSENT else repr(value)
    return f"  - {file}：{key} = {shown}：{zh} (file {file}, key {key}, value {shown_en}: {en})"


_ABSENT = object()


def _walk(
    node: Mapping[str, Any],
    prefix: str,
    file: str,
    out: dict[str, tuple[Any, str, str]],
    problems: list[str],
) -> None:
    """Collect ``{value, source}`` leaves under ``node`` as dotted key → (value, source, file)."""
    for k, v in node.items():
        key = f"{prefix}{k}"
        if isinstance(v, Mapping) and "value" in v:
            extra = sorted(map(str, set(v) - {"value", "source"}))
            if extra:
                problems.append(
                    _problem(
                        file,
                        key,
                        dict(v),
                        f"多余的字段 {extra}；应为 {{value, source}}",
                        f"unexpected fields {extra}; expected {{value, source}}",
                    )
                )
            source = v.get("source")
            if not isinstance(source, str) or not source.strip():
                problems.append(
                    _problem(
                        file,
                        f"{key}.source",
                        source if "source" in v else _ABSENT,
                        "缺少来源说明",
                        "every value needs its source (text)",
                    )
                )
            out[key] = (v["value"], str(source), file)
        elif isinstance(v, Mapping) and v:
            _walk(v, f"{key}.", file, out, problems)
        else:
            problems.append(
                _problem(
                    file,
                    key,
                    v,
                    "应为 {value, source} 或其分组",
                    "expected {value, source} or a group of them",
                )
            )


def _nest(leaves: Mapping[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key, value in leaves.items():
        *parents, last = key.split(".")
        node = data
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = value
    return data


def _expected(err: Mapping[str, Any]) -> str:
    kind = str(err["type"])
    if kind in _EXPECTED_ZH:
        return _EXPECTED_ZH[kind]
    head = kind.split("_")[0]
    zh = _EXPECTED_ZH.get(kind.rsplit("_", 1)[0], _EXPECTED_ZH.get(head, "见英文说明"))
    return f"应为{zh}" if zh not in {"缺少取值", "未知的键"} else zh


def _origin(loc: tuple[Any, ...], files: Mapping[str, str], top: str) -> str:
    parts = [str(p) for p in loc]
    for n in range(len(parts), 0, -1):
        found = files.get(".".join(parts[:n]))
        if found is not None:
            return found
    return top


def _build(
    meta: Mapping[str, Any],
    leaves: Mapping[str, Any],
    sources: Mapping[str, str],
    files: Mapping[str, str],
    *,
    chain: tuple[str, ...],
    top: str = "",
) -> Profile:
    """Validate the merged values against :class:`Policy` and wrap them in a :class:`Profile`."""
    try:
        policy = Policy.model_validate({**meta, **_nest(leaves)})
    except PydanticValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            key = ".".join(str(p) for p in loc)
            value = _ABSENT if err["type"] == "missing" else err.get("input", _ABSENT)
            problems.append(
                _problem(
                    _origin(loc, files, top or chain[0]),
                    key,
                    value,
                    _expected(err),
                    str(err["msg"]),
                )
            )
        _fail(str(meta.get("name", chain[0])), chain, problems)
    return Profile(policy=policy, chain=chain, leaves=leaves, sources=sources, files=files)


def _fail(name: str, chain: tuple[str, ...], problems: list[str]) -> NoReturn:
    head = (
        f"配置 {name!r}（{' → '.join(chain)}）有 {len(problems)} 处问题 "
        f"(profile {name!r} has {len(problems)} problems):"
    )
    raise ProfileError("\n".join([head, *problems]))


def _load(name: str, dirs: Iterable[Path]) -> Profile:
    chain: list[str] = []
    layers: list[tuple[Path, Mapping[str, Any]]] = []
    current: str | None = name
    while current is not None:
        if current in chain:
            msg = f"配置 {name!r} 的 extends 循环引用 {current!r} (profile {name!r}: circular 'extends')"
            raise ProfileError(msg)
        chain.append(current)
        path = _find(current, dirs)
        loaded = _read(current, path)
        layers.append((path, loaded))
        parent = loaded.get("extends")
        current = str(parent) if parent else None
    return _from_layers(
        {"name": name}, [(str(p), layer) for p, layer in layers], chain=tuple(chain)
    )


def _from_layers(
    meta: dict[str, Any], layers: list[tuple[str, Mapping[str, Any]]], *, chain: tuple[str, ...]
) -> Profile:
    """Merge ``(file, body)`` layers (the profile first, its ``extends`` after) and validate."""
    collected: dict[str, tuple[Any, str, str]] = {}
    problems: list[str] = []
    for file, layer in reversed(layers):
        meta.update({k: layer[k] for k in META if k in layer})
        body = {k: v for k, v in layer.items() if k not in (*META, "extends")}
        _walk(body, "", file, collected, problems)
    if problems:
        _fail(str(meta["name"]), chain, problems)
    return _build(
        meta,
        {k: v[0] for k, v in collected.items()},
        {k: v[1] for k, v in collected.items()},
        {k: v[2] for k, v in collected.items()},
        chain=chain,
        top=layers[0][0],
    )


@lru_cache(maxsize=32)
def load_profile(name: str = "gb-defaults") -> Profile:
    """Load a profile by name (or path to a YAML file), following ``extends``, and validate it.

    Raises
    ------
    ProfileError
        The file is missing or not YAML, or (all at once) unknown keys, values of the wrong
        type and missing values, each naming file, key, value and what was expected.
    """
    return _load(name, PROFILE_DIRS)


def check_profile(path: str | Path) -> Profile:
    """Load the profile at ``path`` (not cached), raising :class:`ProfileError` on any problem."""
    return _load(str(path), PROFILE_DIRS)
