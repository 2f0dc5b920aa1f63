"""Importing layers: validate with the stored layers, guard, store as new versions.

:meth:`StoreImports.import_layer` (one layer), :meth:`StoreImports.import_layers` (several, and
projects, in one transaction), :meth:`StoreImports.update_layer` (change the current version with
nobody in between) and :meth:`StoreImports.restore_version` (an earlier version, stored again).
Validation reports every problem at once (一次性告知) and nothing is written; the guards of
:mod:`gis.storage.guards` ask for a confirmation before a change that would wipe or break data.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import geopandas as gpd
import pandas as pd
from sqlalchemy.orm import Session

from gis.errors import Problem, ValidationError
from gis.profile import Profile, load_profile
from gis.schema import LAYERS
from gis.storage import guards
from gis.storage.rows import ImportResult, LayerRows
from gis.storage.writing import StoreWriter
from gis.validate import validate_layers

__all__ = ["StoreImports"]


def _concat(current: gpd.GeoDataFrame, new: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return ``current`` with the features of ``new`` (reprojected to its CRS) after them."""
    added = new.to_crs(current.crs) if current.crs is not None and new.crs is not None else new
    frame = pd.concat([current, added], ignore_index=True)
    return gpd.GeoDataFrame(frame, geometry=current.geometry.name, crs=current.crs)


def _refuse_errors(problems: Sequence[Problem], summary: str) -> None:
    """Raise :class:`~gis.errors.ValidationError` with every problem if any is an error."""
    if any(p.severity == "error" for p in problems):
        raise ValidationError(problems=list(problems), summary=summary)


class StoreImports(StoreWriter):
    """The import use cases of :class:`~gis.storage.store.Store`."""

    def import_layer(
        self,
        layer: str,
        gdf: gpd.GeoDataFrame,
        *,
        user: str | None = None,
        source: str | None = None,
        source_crs: Any = None,
        profile: str | Profile = "gb-defaults",
        confirm: bool = False,
    ) -> ImportResult:
        """Validate a layer with the stored ones and store it as a new version, all or nothing.

        Validation reports every problem at once (:class:`~gis.errors.ValidationError`) and
        nothing is written; otherwise the version and all its features are written in one
        transaction and only then marked ``committed``. Imports of one layer queue
        (:meth:`write`), so each gets the next version number. A version that would remove
        most of the layer or a site a project uses, or a network mostly off the roads, is
        refused with :class:`~gis.errors.ConfirmationRequiredError` unless ``confirm``
        (:mod:`gis.storage.guards`).
        """
        # (1) validate against the stored layers (e.g. a network against the stored scope)
        stored = {name: self.layer(name) for name in self.latest() if name != layer}
        found, clean = self._check(
            {layer: gdf},
            stored,
            source_crs={layer: source_crs} if source_crs is not None else None,
            profile=profile,
        )
        _refuse_errors(found, f"import of layer {layer!r} refused")
        rows = LayerRows.of(layer, clean[layer])
        with self.write(layers=[layer]) as s:
            # (2) changes that would wipe or break stored data need a confirmation
            if not confirm:
                self._guard(layer, clean[layer], rows.ids, stored.get("roads"), profile)
            # (3) one transaction: version row, features, diff, commit flag
            return self._write_version(s, layer, rows, user=user, source=source)

    def import_layers(
        self,
        layers: Mapping[str, gpd.GeoDataFrame],
        *,
        projects: Mapping[str, dict[str, Any]] | None = None,
        problems: Sequence[Problem] = (),
        user: str | None = None,
        source: str | None = None,
        profile: str | Profile = "gb-defaults",
        confirm: bool = False,
    ) -> list[ImportResult]:
        """Validate several layers together and store them, and projects, in one transaction.

        Parameters
        ----------
        layers
            Layer name → features; each becomes the layer's next version.
        projects
            Site ``project_id`` → intake form (JSON-ready); each must be a site of the new (or
            stored) sites layer. An existing project gets the new form.
        problems
            Problems found by the caller (e.g. in the intake forms), reported with the others.
        confirm
            Store layers that the guards of :mod:`gis.storage.guards` would refuse (most of a
            layer removed, a live project's site removed, a network mostly off the roads).

        Returns
        -------
        list of ImportResult
            One per layer, in the order given.

        Raises
        ------
        ValidationError
            With every problem of every layer, project and ``problems`` when any is an
            error; nothing is written.
        ConfirmationRequiredError
            Without ``confirm``, when a guard refuses a layer; nothing is written.
        """
        # (1) validate the new layers with each other and with the other stored layers
        stored = {name: self.layer(name) for name in self.latest() if name not in layers}
        found, clean = self._check(dict(layers), stored, profile=profile)
        found += self._unknown_sites(projects or {}, clean.get("sites", stored.get("sites")))
        found += list(problems)
        if any(p.severity == "error" for p in found):
            raise ValidationError(problems=found, summary=f"load of {len(layers)} layer(s) refused")
        rows = {name: LayerRows.of(name, clean[name]) for name in layers}
        # (2) one transaction: every version, then the projects
        roads = clean.get("roads", stored.get("roads"))
        with self.write(layers=list(layers)) as s:
            for name in layers if not confirm else ():
                self._guard(name, clean[name], rows[name].ids, roads, profile)
            results = [
                self._write_version(s, name, rows[name], user=user, source=source)
                for name in layers
            ]
            for pid, form in (projects or {}).items():
                self._put_project(s, pid, form, user=user)
        return results

    def update_layer(
        self,
        layer: str,
        change: Callable[[gpd.GeoDataFrame | None], gpd.GeoDataFrame],
        *,
        user: str | None = None,
        source: str | None = None,
        profile: str | Profile = "gb-defaults",
    ) -> ImportResult:
        """Store ``change(current layer)`` as the layer's next version, with nobody in between.

        The current version (``None`` if the layer is not stored yet) is read, changed,
        validated and written in one locked transaction (:meth:`write`): two updates at once
        (e.g. two intents registered together) both end up in the layer.
        """
        with self.write(layers=[layer]) as s:
            latest = self._latest(s)
            current = self._read_layer(s, layer, None) if layer in latest else None
            stored = {
                name: self._read_layer(s, name, v) for name, v in latest.items() if name != layer
            }
            rows = self._prepare({layer: change(current)}, stored, profile=profile)[layer]
            return self._write_version(s, layer, rows, user=user, source=source)

    def add_features(
        self,
        layer: str,
        new: gpd.GeoDataFrame,
        *,
        then: Callable[[Session], None] | None = None,
        user: str | None = None,
        source: str | None = None,
        profile: str | Profile = "gb-defaults",
    ) -> ImportResult:
        """Store the current version of ``layer`` plus ``new`` as its next version.

        Every stored feature is kept (an upload of the layer replaces it; this adds to it). The
        current version is read, extended, validated and written in one locked transaction, and
        ``then(session)`` (e.g. storing the project of a new site) runs in the same one: all or
        nothing.

        Raises
        ------
        ValidationError
            If a new feature's id is already in the layer, or the extended layer has errors.
        """
        id_field = LAYERS[layer].id_field if layer in LAYERS else None
        with self.write(layers=[layer]) as s:
            latest = self._latest(s)
            current = self._read_layer(s, layer, None) if layer in latest else None
            if current is not None and id_field:
                taken = sorted(set(new[id_field].astype(str)) & set(current[id_field].astype(str)))
                if taken:
                    problem = Problem(
                        layer, taken[0], id_field, taken[0], "an id not yet in the layer",
                        code="exists", expected_zh=f"图层中尚未使用的编号（{taken[0]} 已存在）",
                    )
                    raise ValidationError(problems=[problem], summary="feature exists")
            stored = {
                name: self._read_layer(s, name, v) for name, v in latest.items() if name != layer
            }
            combined = new if current is None else _concat(current, new)
            rows = self._prepare({layer: combined}, stored, profile=profile)[layer]
            result = self._write_version(s, layer, rows, user=user, source=source)
            if then is not None:
                then(s)
            return result

    def _check(
        self,
        new: dict[str, gpd.GeoDataFrame],
        stored: dict[str, gpd.GeoDataFrame],
        *,
        source_crs: dict[str, Any] | None = None,
        profile: str | Profile = "gb-defaults",
    ) -> tuple[list[Problem], dict[str, gpd.GeoDataFrame]]:
        """Validate ``new`` with ``stored``: the problems of ``new``, and the cleaned layers."""
        report = validate_layers(
            {**stored, **new},
            working_crs=self.crs,
            profile=profile if isinstance(profile, Profile) else None,
            source_crs=source_crs,
        )
        return [p for p in report.problems if p.layer in new], report.layers

    def _prepare(
        self,
        new: dict[str, gpd.GeoDataFrame],
        stored: dict[str, gpd.GeoDataFrame],
        *,
        source_crs: dict[str, Any] | None = None,
        profile: str | Profile = "gb-defaults",
    ) -> dict[str, LayerRows]:
        """Validate ``new`` with ``stored``; return the rows to store, or raise every problem."""
        mine, clean = self._check(new, stored, source_crs=source_crs, profile=profile)
        _refuse_errors(mine, f"import of layer {', '.join(repr(n) for n in new)} refused")
        return {name: LayerRows.of(name, clean[name]) for name in new}

    @staticmethod
    def _unknown_sites(
        projects: Mapping[str, Any], sites: gpd.GeoDataFrame | None
    ) -> list[Problem]:
        """Return a problem for each project whose id is not a site of ``sites``."""
        spec = LAYERS["sites"]
        known = set() if sites is None else set(sites[spec.id_field or "project_id"].astype(str))
        return [
            Problem(
                "intake",
                pid,
                "site_id",
                repr(pid),
                "the project_id of a site polygon in the sites layer",
                code="unknown_site",
            )
            for pid in projects
            if pid not in known
        ]

    def _guard(
        self,
        layer: str,
        clean: gpd.GeoDataFrame,
        ids: list[str],
        roads: gpd.GeoDataFrame | None,
        profile: str | Profile,
    ) -> None:
        """Raise :class:`~gis.errors.ConfirmationRequiredError` if the new version needs it."""
        previous = self._feature_ids(layer)
        removed = sorted(set(previous) - set(ids))
        problems = guards.import_problems(
            layer,
            clean,
            new_ids=ids,
            previous_ids=previous,
            roads=roads,
            projects=self._project_names(removed) if layer == "sites" and removed else {},
            profile=profile if isinstance(profile, Profile) else load_profile(profile),
        )
        guards.require_confirmation(layer, problems)

    def restore_version(
        self,
        layer: str,
        version: int,
        *,
        user: str | None = None,
        confirm: bool = False,
        profile: str | Profile = "gb-defaults",
    ) -> ImportResult:
        """Store an earlier version's features again, as the layer's newest version.

        History is never rewritten: the restored copy is validated and guarded like any
        import (:meth:`import_layer`), and the versions in between stay readable.

        Raises
        ------
        NotFoundError
            If the layer has no committed version ``version``.
        """
        old = self.layer(layer, version=version)
        spec = LAYERS.get(layer)
        if (spec is None or not spec.id_field) and "feature_id" in old.columns:
            old = old.drop(columns="feature_id")  # positional ids, not an attribute
        return self.import_layer(
            layer,
            old,
            user=user,
            source=f"restore of version {version}",
            profile=profile,
            confirm=confirm,
        )
