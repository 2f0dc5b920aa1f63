"""Reading the stored layers: versions, a layer version (in a bounding box), the workspace.

With PostGIS a bounding box is filtered by ``&&`` + ``ST_Intersects`` on a GiST index; on SQLite
by indexed bounding-box columns, then the exact test in shapely.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely
from pyproj import CRS
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from gis.errors import LayerNotFoundError, NotFoundError
from gis.profile import Profile
from gis.schema import LAYERS
from gis.storage.models import SRID, NetworkFeature, NetworkVersion, ProjectRecord
from gis.workspace import Workspace

__all__ = ["StoreReader"]


class StoreReader:
    """The reading half of :class:`~gis.storage.store.Store`: committed layer versions.

    Parameters
    ----------
    engine
        From :func:`~gis.storage.engine.make_engine`.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.session = sessionmaker(engine, expire_on_commit=False)
        self.crs = CRS.from_epsg(SRID)

    @property
    def postgis(self) -> bool:
        """Whether the backend is PostGIS (spatial filtering with GiST and ST_Intersects)."""
        return self.engine.dialect.name == "postgresql"

    def versions(self, layer: str | None = None) -> list[NetworkVersion]:
        """Return the committed versions (of one layer, or all), oldest first."""
        with self.session() as s:
            q = select(NetworkVersion).where(NetworkVersion.status == "committed")
            if layer is not None:
                q = q.where(NetworkVersion.layer == layer)
            return list(s.scalars(q.order_by(NetworkVersion.layer, NetworkVersion.version)))

    def latest(self) -> dict[str, int]:
        """Return layer → latest committed version number."""
        with self.session() as s:
            return self._latest(s)

    @staticmethod
    def _latest(s: Session) -> dict[str, int]:
        rows = s.execute(
            select(NetworkVersion.layer, func.max(NetworkVersion.version))
            .where(NetworkVersion.status == "committed")
            .group_by(NetworkVersion.layer)
        ).all()
        return {str(layer): int(v) for layer, v in rows}

    def has_feature(self, s: Session, layer: str, feature_id: str) -> bool:
        """Whether the latest version of ``layer`` holds ``feature_id``, read in session ``s``.

        Read inside :meth:`write` (``layers=[layer]``) to act on it before anyone replaces the
        layer: e.g. a project is created only on a site that is still there.
        """
        try:
            v = self._version_row(s, layer, None)
        except LayerNotFoundError:
            return False
        q = select(NetworkFeature.id).where(
            NetworkFeature.version_id == v.id, NetworkFeature.feature_id == feature_id
        )
        return s.scalars(q.limit(1)).first() is not None

    def _version_row(self, s: Session, layer: str, version: int | None) -> NetworkVersion:
        q = select(NetworkVersion).where(
            NetworkVersion.layer == layer, NetworkVersion.status == "committed"
        )
        q = (
            q.where(NetworkVersion.version == version)
            if version is not None
            else q.order_by(NetworkVersion.version.desc())
        )
        row = s.scalars(q.limit(1)).first()
        if row is None:
            what = f"version {version} of layer {layer!r}" if version else f"layer {layer!r}"
            msg = f"the database has no {what}"
            raise LayerNotFoundError(msg) if version is None else NotFoundError(msg)
        return row

    def layer(
        self,
        layer: str,
        *,
        version: int | None = None,
        bbox: tuple[float, float, float, float] | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> gpd.GeoDataFrame:
        """Return a layer version as a GeoDataFrame (EPSG:4546), optionally within ``bbox``.

        ``bbox`` (working CRS) is filtered in the database: ``&&`` + ``ST_Intersects`` on a
        GiST index with PostGIS; indexed bounding-box columns on SQLite, then the exact test.
        Features come in a stable order (``limit``/``offset`` page through them).
        """
        with self.session() as s:
            return self._read_layer(s, layer, version, bbox=bbox, limit=limit, offset=offset)

    def _read_layer(
        self,
        s: Session,
        layer: str,
        version: int | None,
        *,
        bbox: tuple[float, float, float, float] | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> gpd.GeoDataFrame:
        """Read a layer version in the session ``s`` (see :meth:`layer`)."""
        v = self._version_row(s, layer, version)
        q = select(NetworkFeature).where(NetworkFeature.version_id == v.id)
        if bbox is not None:
            x0, y0, x1, y1 = bbox
            q = q.where(
                NetworkFeature.minx <= x1,
                NetworkFeature.maxx >= x0,
                NetworkFeature.miny <= y1,
                NetworkFeature.maxy >= y0,
            )
            if self.postgis:
                envelope = func.ST_MakeEnvelope(x0, y0, x1, y1, SRID)
                q = q.where(func.ST_Intersects(NetworkFeature.geom, envelope))
        q = q.order_by(NetworkFeature.id).offset(offset)
        if limit is not None:
            q = q.limit(limit)
        rows = list(s.scalars(q))
        if bbox is not None and not self.postgis:
            box = shapely.box(*bbox)
            rows = [r for r in rows if shapely.intersects(r.geom, box)]
        return self._frame(layer, rows)

    def count(self, layer: str, *, version: int | None = None) -> int:
        """Return the number of features of a layer version."""
        with self.session() as s:
            v = self._version_row(s, layer, version)
            return int(v.n_features)

    def _frame(self, layer: str, rows: list[NetworkFeature]) -> gpd.GeoDataFrame:
        spec = LAYERS.get(layer)
        id_field = spec.id_field if spec is not None and spec.id_field else "feature_id"
        records = [
            {id_field: r.feature_id, **{k: v for k, v in r.attrs.items() if k != id_field}}
            for r in rows
        ]
        return gpd.GeoDataFrame(
            pd.DataFrame.from_records(records) if records else pd.DataFrame({id_field: []}),
            geometry=[r.geom for r in rows],
            crs=self.crs,
        )

    def workspace(
        self, *, profile: str | Profile = "gb-defaults"
    ) -> tuple[Workspace, dict[str, int]]:
        """Return a workspace of the latest versions of every stored layer, and those versions."""
        latest = self.latest()
        if not latest:
            msg = "the database holds no layers yet: import roads, scope, sites and the networks"
            raise LayerNotFoundError(msg)
        layers = {name: self.layer(name, version=v) for name, v in latest.items()}
        return Workspace.from_layers(layers, crs=self.crs, profile=profile), latest

    def _feature_ids(self, layer: str) -> list[str]:
        """Return the feature ids of a layer's latest version (none if it has none)."""
        with self.session() as s:
            try:
                v = self._version_row(s, layer, None)
            except LayerNotFoundError:
                return []
            q = select(NetworkFeature.feature_id).where(NetworkFeature.version_id == v.id)
            return [str(f) for f in s.scalars(q)]

    def _project_names(self, project_ids: list[str]) -> dict[str, str]:
        """Return project id → project name of the stored projects among ``project_ids``."""
        with self.session() as s:
            rows = s.execute(
                select(ProjectRecord.project_id, ProjectRecord.intake).where(
                    ProjectRecord.project_id.in_(project_ids)
                )
            ).all()
        return {str(pid): str((intake or {}).get("project_name") or pid) for pid, intake in rows}
