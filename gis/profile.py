"""Policy and engineering profiles: thresholds and tables as YAML data with their sources.

A profile is a YAML mapping whose leaves are ``{value: ..., source: ...}``. A profile may say
``extends: other-name`` and override any key. Code reads values with :meth:`Profile.get` by
dotted key; a missing key is a :class:`~gis.errors.ProfileError`, never a silent default.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

import yaml

from gis.errors import ProfileError

__all__ = ["PROFILE_DIRS", "Profile", "load_profile"]

T = TypeVar("T")

PROFILE_DIRS: list[Path] = [Path(__file__).with_name("profiles")]
"""Folders searched for ``<name>.yaml``; later layers (planning) append their own folder."""


@dataclass(frozen=True)
class Profile:
    """A loaded profile.

    Examples
    --------
    >>> p = load_profile("gb-defaults")
    >>> p.get("roads.carriageway_width_m")["arterial"]
    16.0
    >>> "CJJ 37" in p.source("roads.carriageway_width_m")
    True
    """

    name: str
    data: Mapping[str, Any]
    chain: tuple[str, ...] = field(default_factory=tuple)
    _values: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def _node(self, key: str) -> Any:
        node: Any = self.data
        for part in key.split("."):
            if not isinstance(node, Mapping) or part not in node:
                msg = f"profile {self.name!r} (from {' → '.join(self.chain)}) has no key {key!r}"
                raise ProfileError(msg)
            node = node[part]
        return node

    def get(self, key: str) -> Any:
        """Return the value at dotted ``key`` (the ``value`` of a ``{value, source}`` leaf)."""
        if key in self._values:
            return self._values[key]
        node = self._node(key)
        value = node["value"] if isinstance(node, Mapping) and "value" in node else node
        self._values[key] = value  # profiles are read in hot loops; values never change
        return value

    def derived(self, name: str, make: Callable[[Profile], T]) -> T:
        """Return a value worked out from this profile, made once and kept with it.

        For tables that hot loops read on every call (e.g. the approval rules' sets); a copy
        made by :meth:`with_value` works them out again from its own values.

        Examples
        --------
        >>> p = load_profile("gb-defaults")
        >>> p.derived("double", lambda q: 2 * q.get("attach.site_frontage_max_m"))
        60.0
        """
        key = f"derived:{name}"
        if key not in self._values:
            self._values[key] = make(self)
        value: T = self._values[key]
        return value

    def with_value(self, key: str, value: Any, *, source: str) -> Profile:
        """Return a copy of the profile with one value replaced (and its source).

        Examples
        --------
        >>> p = load_profile("gb-defaults").with_value("attach.site_frontage_max_m", 150.0,
        ...                                           source="test")
        >>> p.get("attach.site_frontage_max_m"), load_profile().get("attach.site_frontage_max_m")
        (150.0, 30.0)
        """
        parts = key.split(".")

        def put(node: Mapping[str, Any], i: int) -> dict[str, Any]:
            out = dict(node)
            if i == len(parts) - 1:
                out[parts[i]] = {"value": value, "source": source}
            else:
                out[parts[i]] = put(node.get(parts[i], {}), i + 1)
            return out

        return Profile(name=self.name, data=put(self.data, 0), chain=self.chain)

    def source(self, key: str) -> str:
        """Return the documented source of the value at ``key``."""
        node = self._node(key)
        if isinstance(node, Mapping) and "source" in node:
            return str(node["source"])
        msg = f"profile {self.name!r}: key {key!r} has no source"
        raise ProfileError(msg)


def _merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        leaf = isinstance(value, Mapping) and "value" in value
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping) and not leaf:
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


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
    msg = f"no profile named {name!r}: expected {name}.yaml in one of {searched}"
    raise ProfileError(msg)


@lru_cache(maxsize=32)
def load_profile(name: str = "gb-defaults") -> Profile:
    """Load a profile by name (or path to a YAML file), following ``extends``."""
    chain: list[str] = []
    data: dict[str, Any] = {}
    current: str | None = name
    layers: list[Mapping[str, Any]] = []
    while current is not None:
        if current in chain:
            msg = f"profile {name!r}: circular 'extends' through {current!r}"
            raise ProfileError(msg)
        chain.append(current)
        path = _find(current, PROFILE_DIRS)
        try:
            loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            msg = f"profile {current!r} at {path} is not valid YAML: {exc}"
            raise ProfileError(msg) from exc
        if not isinstance(loaded, Mapping):
            msg = f"profile {current!r} at {path}: expected a mapping, got {type(loaded).__name__}"
            raise ProfileError(msg)
        layers.append(loaded)
        parent = loaded.get("extends")
        current = str(parent) if parent else None
    for layer in reversed(layers):
        data = _merge(data, layer)
    return Profile(name=str(data.get("name", name)), data=data, chain=tuple(chain))
