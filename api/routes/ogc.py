"""OGC API – Features (Part 1: Core, GeoJSON, OpenAPI 3.0): Linkplan's layers for QGIS and GDAL.

Collections are every stored layer (latest committed version: the five networks, roads, scope,
sites, intents, …), ``routes`` (the external-line routes of the latest assessment of each
project) and the latest stored plans (``prelay_plan``, ``coordination_plan``). Items are GeoJSON
in CRS84 (lon, lat; 7 decimals), paged with ``limit``/``offset`` and absolute ``next``/``prev``
links, filtered by a CRS84 ``bbox``: the box is taken to the working CRS (the bounds of its
densified edges) and filtered in the database, then each candidate is tested exactly against
the box in CRS84, the coordinates the client sees.

Open it with ``ogrinfo OAPIF:http://host:8000/ogc`` or QGIS's "WFS / OGC API – Features"
connection on ``http://host:8000/ogc``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote, urlencode

import numpy as np
import pandas as pd
import shapely
from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import JSONResponse
from pyproj import CRS, Transformer
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry
from sqlalchemy import and_, func, or_, select

from api.deps import StoreDep
from gis.crs import transformer
from gis.errors import NotFoundError
from gis.schema import LAYERS
from gis.storage.models import AssessmentRecord, NetworkFeature, NetworkVersion, PlanRecord
from gis.storage.store import Store, jsonable

__all__ = [
    "CONFORMANCE",
    "CRS84",
    "DEFAULT_LIMIT",
    "MAX_LIMIT",
    "MAX_OFFSET",
    "GeoJSONResponse",
    "crs84_bbox_to_working",
    "router",
    "working_bounds_to_crs84",
]

router = APIRouter(prefix="/ogc", tags=["OGC API Features"])

CONFORMANCE: tuple[str, ...] = (
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
)
"""The conformance classes of OGC API – Features – Part 1 this API implements."""

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
"""The default CRS of OGC API – Features: WGS84 longitude, latitude."""

DEFAULT_LIMIT = 100
MAX_LIMIT = 10_000
"""Page size: default and maximum (a larger ``limit`` is served as the maximum, as OGC allows)."""
MAX_OFFSET = 2**31 - 1
"""Largest ``offset`` (a database integer); beyond it a request is refused (422)."""

GEOJSON = "application/geo+json"
JSON = "application/json"
OPENAPI_JSON = "application/vnd.oai.openapi+json;version=3.0"
_DECIMALS = 7
_CRS84 = CRS.from_user_input("OGC:CRS84")


class GeoJSONResponse(JSONResponse):
    """A JSON response served as ``application/geo+json``."""

    media_type = GEOJSON


CollectionId = Annotated[
    str,
    Path(
        alias="collectionId",
        description="要素集合标识：图层名（water、gas、heat、power、telecom、roads、sites、scope…）、"
        "routes（外线路由）、prelay_plan、coordination_plan",
    ),
]
FeatureId = Annotated[
    str,
    Path(
        alias="featureId", description="要素标识：图层的编号字段（asset_id、road_id、project_id…）"
    ),
]
FormatQuery = Annotated[
    str | None,
    Query(description="输出格式（兼容 GDAL 的 f=json；忽略，始终返回 JSON/GeoJSON）"),
]


# ---------------------------------------------------------------------------------- routes
@router.get("", include_in_schema=False)
@router.get(
    "/",
    summary="OGC API 入口页",
    description="OGC API – Features 入口页：服务说明（OpenAPI）、符合性声明与要素集合的链接。"
    "QGIS、GDAL（OAPIF 驱动）可直接连接本地址。",
)
def landing(request: Request, f: FormatQuery = None) -> JSONResponse:
    """Return the landing page: links to itself, the API description, conformance and data."""
    base = _base(request)
    root = str(request.base_url).rstrip("/")
    links = [_link(f"{base}/", "self", JSON, "本页")]
    if request.app.openapi_url:
        href = f"{root}{request.app.openapi_url}"
        links.append(_link(href, "service-desc", OPENAPI_JSON, "API 定义（OpenAPI 3）"))
    # the app may serve its own (offline) /docs page with FastAPI's docs_url switched off
    docs = request.app.docs_url or next(
        (r.path for r in request.app.routes if getattr(r, "path", None) == "/docs"), None
    )
    if docs:
        links.append(_link(f"{root}{docs}", "service-doc", "text/html", "API 文档"))
    links += [
        _link(f"{base}/conformance", "conformance", JSON, "符合性声明"),
        _link(f"{base}/collections", "data", JSON, "要素集合"),
    ]
    return JSONResponse(
        {
            "title": "Linkplan 联动接入预规划 — OGC API Features",
            "description": "荆门市中心城区水气热电网管网、道路、项目用地、外线路由与规划方案"
            "（GeoJSON，CRS84 经纬度）。",
            "links": links,
        }
    )


@router.get(
    "/conformance",
    summary="符合性声明",
    description="本服务实现的 OGC API – Features 第 1 部分符合性类：core、geojson、oas30。",
)
def conformance(f: FormatQuery = None) -> JSONResponse:
    """Return the conformance classes."""
    return JSONResponse({"conformsTo": list(CONFORMANCE)})


@router.get(
    "/collections",
    summary="要素集合列表",
    description="全部已入库图层（最新版本，中文名称、CRS84 空间范围），以及各项目最新研判的外线路由"
    "（routes）和最新的提前布局、协同施工方案。",
)
def collections(request: Request, store: StoreDep, f: FormatQuery = None) -> JSONResponse:
    """Return every collection with its title, extent and links."""
    base = _base(request)
    latest = store.latest()
    bounds = _layer_bounds(store, latest)
    out = [
        _layer_collection(base, name, latest[name], bounds.get(name), store.crs)
        for name in _ordered(latest)
    ]
    out += [_derived_collection(base, cid, d, d.load(store)) for cid, d in DERIVED.items()]
    return JSONResponse(
        {
            "links": [
                _link(f"{base}/collections", "self", JSON, "要素集合"),
                _link(f"{base}/", "root", JSON, "入口页"),
            ],
            "collections": out,
        }
    )


@router.get(
    "/collections/{collectionId}",
    summary="要素集合说明",
    description="一个要素集合的名称、说明、CRS84 空间范围与要素链接；不存在时返回 404。",
)
def collection(
    request: Request, store: StoreDep, collection_id: CollectionId, f: FormatQuery = None
) -> JSONResponse:
    """Return one collection's description."""
    base = _base(request)
    if collection_id in DERIVED:
        d = DERIVED[collection_id]
        return JSONResponse(_derived_collection(base, collection_id, d, d.load(store)))
    latest = store.latest()
    version = _layer_version(latest, collection_id)
    bounds = _layer_bounds(store, {collection_id: version}).get(collection_id)
    return JSONResponse(_layer_collection(base, collection_id, version, bounds, store.crs))


@router.get(
    "/collections/{collectionId}/items",
    response_class=GeoJSONResponse,
    summary="要素查询",
    description="GeoJSON 要素（CRS84 经纬度，7 位小数），可按经纬度范围 bbox 过滤，按 limit/offset "
    "分页（next/prev 链接）；numberMatched 为满足条件的要素总数。",
)
def items(
    request: Request,
    store: StoreDep,
    collection_id: CollectionId,
    bbox: Annotated[
        str | None,
        Query(
            description="经纬度范围（CRS84）：minx,miny,maxx,maxy，例如 112.19,30.88,112.20,30.89；"
            "返回与范围相交的要素",
            examples=["112.19,30.88,112.20,30.89"],
        ),
    ] = None,
    limit: Annotated[
        int,
        Query(
            ge=1,
            description=f"每页要素数（默认 {DEFAULT_LIMIT}，最大 {MAX_LIMIT}；超过按最大值返回）",
            json_schema_extra={"maximum": MAX_LIMIT},
        ),
    ] = DEFAULT_LIMIT,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="跳过的要素数（分页）")] = 0,
    f: FormatQuery = None,
) -> GeoJSONResponse:
    """Return a page of features of a collection, optionally within a CRS84 bounding box."""
    box = _parse_bbox(bbox)
    limit = min(limit, MAX_LIMIT)
    if collection_id in DERIVED:
        found = _within(DERIVED[collection_id].load(store), box)
        matched, page = len(found), found[offset : offset + limit]
    else:
        matched, page = _layer_page(store, collection_id, box, limit, offset)
    base = f"{_base(request)}/collections/{quote(collection_id, safe='')}"
    url = f"{base}/items"
    params = {"bbox": ",".join(str(v) for v in box)} if box else {}
    links = [
        _link(_query(url, params, limit, offset), "self", GEOJSON, "本页"),
        _link(base, "collection", JSON, "要素集合"),
    ]
    if offset + len(page) < matched:
        links.append(_link(_query(url, params, limit, offset + limit), "next", GEOJSON, "下一页"))
    if offset > 0:
        links.append(
            _link(_query(url, params, limit, max(0, offset - limit)), "prev", GEOJSON, "上一页")
        )
    return GeoJSONResponse(
        {
            "type": "FeatureCollection",
            "features": [item.feature for item in page],
            "links": links,
            "numberMatched": matched,
            "numberReturned": len(page),
            "timeStamp": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
    )


@router.get(
    "/collections/{collectionId}/items/{featureId}",
    response_class=GeoJSONResponse,
    summary="单个要素",
    description="按编号返回一个 GeoJSON 要素（CRS84）；集合或要素不存在时返回 404。",
)
def feature(
    request: Request,
    store: StoreDep,
    collection_id: CollectionId,
    feature_id: FeatureId,
    f: FormatQuery = None,
) -> GeoJSONResponse:
    """Return one feature of a collection by its id."""
    if collection_id in DERIVED:
        found = [i for i in DERIVED[collection_id].load(store) if i.feature["id"] == feature_id]
        item = found[0] if found else None
    else:
        item = _stored_feature(store, collection_id, feature_id)
    if item is None:
        msg = f"collection {collection_id!r} has no feature {feature_id!r}"
        raise NotFoundError(msg)
    base = f"{_base(request)}/collections/{quote(collection_id, safe='')}"
    return GeoJSONResponse(
        {
            **item.feature,
            "links": [
                _link(f"{base}/items/{quote(feature_id, safe='')}", "self", GEOJSON, "本要素"),
                _link(base, "collection", JSON, "要素集合"),
            ],
        }
    )


# ------------------------------------------------------------------- derived collections
@dataclass(frozen=True)
class _Item:
    """One output feature (GeoJSON, CRS84) and its geometry for the exact bbox test."""

    feature: dict[str, Any]
    geometry: BaseGeometry


@dataclass(frozen=True)
class _Derived:
    """A collection computed from stored records rather than a stored layer."""

    title: str
    description: str
    load: Callable[[Store], list[_Item]]


def _route_items(store: Store) -> list[_Item]:
    """Routes of the latest assessment of each project: one feature per utility route."""
    with store.session() as s:
        heads = s.execute(
            select(AssessmentRecord.id, AssessmentRecord.project_id, AssessmentRecord.created_at)
        ).all()
        latest: dict[str, tuple[dt.datetime, int]] = {}
        for rid, pid, at in heads:
            key = (at or dt.datetime.min, int(rid))
            if pid not in latest or key > latest[pid]:
                latest[pid] = key
        ids = [key[1] for key in latest.values()]
        rows = (
            list(s.scalars(select(AssessmentRecord).where(AssessmentRecord.id.in_(ids))))
            if ids
            else []
        )
    out: list[_Item] = []
    for rec in sorted(rows, key=lambda r: r.project_id):
        utilities: Mapping[str, Any] = (rec.result or {}).get("utilities") or {}
        for utility, u in utilities.items():
            for role, r in (("main", u), ("backup", u.get("backup"))):
                if not r or not r.get("route"):
                    continue
                fid = f"{rec.project_id}:{utility}" + (":backup" if role == "backup" else "")
                props = {
                    "project_id": rec.project_id,
                    "utility": utility,
                    "role": role,
                    "length_m": r.get("length_m"),
                    "lead_in_m": r.get("lead_in_m"),
                    "red_line_m": r.get("red_line_m"),
                    "approval_path": (u.get("approval") or {}).get("path"),
                    "tap_asset": (r.get("tap") or {}).get("asset_id"),
                    "assessment_id": rec.id,
                    "assessed_at": _iso(rec.created_at),
                    "as_of": (rec.result or {}).get("as_of"),
                }
                out.append(_item(fid, props, _rounded(shape(r["route"]))))
    return out


def _plan_items(kind: str, id_field: str) -> Callable[[Store], list[_Item]]:
    """Features of the latest stored plan of ``kind`` (GeoJSON in CRS84 in the record)."""

    def load(store: Store) -> list[_Item]:
        with store.session() as s:
            rec = s.scalars(
                select(PlanRecord)
                .where(PlanRecord.kind == kind)
                .order_by(PlanRecord.created_at.desc(), PlanRecord.id.desc())
                .limit(1)
            ).first()
        if rec is None:
            return []
        out = []
        for i, feat in enumerate((rec.features or {}).get("features") or []):
            if not feat.get("geometry"):
                continue
            props = dict(feat.get("properties") or {})
            fid = f"{rec.id}:{props.get(id_field) or feat.get('id') or i}"
            props |= {
                "plan_id": rec.id,
                "plan_utility": rec.utility,
                "plan_created_at": _iso(rec.created_at),
            }
            out.append(_item(fid, props, _rounded(shape(feat["geometry"]))))
        return out

    return load


DERIVED: dict[str, _Derived] = {
    "routes": _Derived(
        "外线路由",
        "各项目最新一次研判的外线工程路由（每个专业一条，含备用路由）：长度、审批路径、接驳管线。",
        _route_items,
    ),
    "prelay_plan": _Derived(
        "提前布局方案",
        "最近一次提前布局方案中规划新建的管线（规格、服务的招商意向项目、最晚开工日期）。",
        _plan_items("prelay", "asset_id"),
    ),
    "coordination_plan": _Derived(
        "协同施工方案",
        "最近一次协同施工方案的联合施工包（同一道路的外线工程一次开挖）。",
        _plan_items("coordination", "package_id"),
    ),
}
"""Collections computed from stored assessments and plans; their ids are reserved."""


# ----------------------------------------------------------------------- stored layers
def _layer_version(latest: Mapping[str, int], name: str) -> int:
    if name not in latest:
        known = ", ".join([*_ordered(latest), *DERIVED])
        msg = f"OGC API: no collection {name!r}; the collections are: {known}"
        raise NotFoundError(msg)
    return latest[name]


def _layer_page(
    store: Store,
    name: str,
    box: tuple[float, float, float, float] | None,
    limit: int,
    offset: int,
) -> tuple[int, list[_Item]]:
    """Return (number matched, one page of items) of a stored layer's latest version."""
    version = _layer_version(store.latest(), name)
    id_field = _id_field(name)
    if box is None:
        gdf = store.layer(name, version=version, limit=limit, offset=offset)
        return store.count(name, version=version), _items(gdf, id_field, store.crs)
    window = crs84_bbox_to_working(box, store.crs)
    if window is None:  # wholly outside the working CRS's area of use: nothing stored there
        return 0, []
    candidates = _items(store.layer(name, version=version, bbox=window), id_field, store.crs)
    found = _within(candidates, box)
    return len(found), found[offset : offset + limit]


def _stored_feature(store: Store, name: str, feature_id: str) -> _Item | None:
    version = _layer_version(store.latest(), name)
    if "\x00" in feature_id:  # no stored id has one, and PostgreSQL text refuses it
        return None
    with store.session() as s:
        row = s.scalars(
            select(NetworkFeature)
            .join(NetworkVersion, NetworkFeature.version_id == NetworkVersion.id)
            .where(
                NetworkVersion.layer == name,
                NetworkVersion.version == version,
                NetworkVersion.status == "committed",
                NetworkFeature.feature_id == feature_id,
            )
            .limit(1)
        ).first()
    if row is None:
        return None
    id_field = _id_field(name)
    attrs = {id_field: row.feature_id, **{k: v for k, v in row.attrs.items() if k != id_field}}
    geometry = _to_crs84(np.asarray([row.geom], dtype=object), store.crs)[0]
    return _item(row.feature_id, attrs, geometry)


def _layer_bounds(
    store: Store, versions: Mapping[str, int]
) -> dict[str, tuple[float, float, float, float]]:
    """Return layer → bounds (working CRS) of the given versions, from the stored bbox columns."""
    if not versions:
        return {}
    which = or_(
        *(
            and_(NetworkVersion.layer == name, NetworkVersion.version == v)
            for name, v in versions.items()
        )
    )
    with store.session() as s:
        rows = s.execute(
            select(
                NetworkVersion.layer,
                func.min(NetworkFeature.minx),
                func.min(NetworkFeature.miny),
                func.max(NetworkFeature.maxx),
                func.max(NetworkFeature.maxy),
            )
            .join(NetworkFeature, NetworkFeature.version_id == NetworkVersion.id)
            .where(NetworkVersion.status == "committed", which)
            .group_by(NetworkVersion.layer)
        ).all()
    return {
        str(layer): (float(x0), float(y0), float(x1), float(y1))
        for layer, x0, y0, x1, y1 in rows
        if x0 is not None
    }


def _layer_collection(
    base: str,
    name: str,
    version: int,
    bounds: tuple[float, float, float, float] | None,
    crs: CRS,
) -> dict[str, Any]:
    spec = LAYERS.get(name)
    title = spec.title_zh if spec is not None and spec.title_zh else name
    extent = working_bounds_to_crs84(bounds, crs) if bounds is not None else None
    return _collection_doc(base, name, title, f"{title}（{name}），第 {version} 版", extent)


def _derived_collection(base: str, cid: str, d: _Derived, found: list[_Item]) -> dict[str, Any]:
    extent = None
    if found:
        x0, y0, x1, y1 = shapely.total_bounds(np.asarray([i.geometry for i in found], dtype=object))
        extent = (float(x0), float(y0), float(x1), float(y1))
    return _collection_doc(base, cid, d.title, d.description, extent)


def _collection_doc(
    base: str,
    cid: str,
    title: str,
    description: str,
    extent: tuple[float, float, float, float] | None,
) -> dict[str, Any]:
    url = f"{base}/collections/{quote(cid, safe='')}"
    doc: dict[str, Any] = {
        "id": cid,
        "title": title,
        "description": description,
        "itemType": "feature",
        "crs": [CRS84],
        "links": [
            _link(url, "self", JSON, title),
            _link(f"{url}/items", "items", GEOJSON, f"{title}（GeoJSON）"),
        ],
    }
    if extent is not None:
        doc["extent"] = {"spatial": {"bbox": [[round(v, _DECIMALS) for v in extent]], "crs": CRS84}}
    return doc


def _ordered(latest: Iterable[str]) -> list[str]:
    """Layer names in the order of the layer contract, then any others alphabetically."""
    names = set(latest) - set(DERIVED)
    return [n for n in LAYERS if n in names] + sorted(names - set(LAYERS))


def _id_field(name: str) -> str:
    spec = LAYERS.get(name)
    return spec.id_field if spec is not None and spec.id_field else "feature_id"


# ------------------------------------------------------------------------------ helpers
def crs84_bbox_to_working(
    bbox: tuple[float, float, float, float], crs: CRS, *, pad_m: float = 1.0
) -> tuple[float, float, float, float] | None:
    """Return a box in ``crs`` that covers a CRS84 (lon/lat) box, or ``None`` if nothing can.

    The box is first clipped to the area of use of ``crs`` (stored features lie in it); its
    edges are densified before projecting, and the result padded by ``pad_m`` so that it
    covers the curved image of the box. Callers test candidates exactly in CRS84.

    Parameters
    ----------
    bbox
        ``(minx, miny, maxx, maxy)`` in CRS84 degrees.
    crs
        A projected CRS (the working CRS).
    pad_m
        Margin in the units of ``crs``.

    Returns
    -------
    tuple of float or None
        ``(minx, miny, maxx, maxy)`` in ``crs``; ``None`` when the box lies outside its area
        of use.
    """
    x0, y0, x1, y1 = bbox
    area = crs.area_of_use
    if area is not None:
        x0, y0 = max(x0, area.west), max(y0, area.south)
        x1, y1 = min(x1, area.east), min(y1, area.north)
        if x0 > x1 or y0 > y1:
            return None
    minx, miny, maxx, maxy = _densified_bounds(transformer(_CRS84, crs), (x0, y0, x1, y1))
    return (minx - pad_m, miny - pad_m, maxx + pad_m, maxy + pad_m)


def working_bounds_to_crs84(
    bounds: tuple[float, float, float, float], crs: CRS
) -> tuple[float, float, float, float]:
    """Return the CRS84 (lon/lat) bounds of a box in ``crs`` (edges densified).

    Parameters
    ----------
    bounds
        ``(minx, miny, maxx, maxy)`` in ``crs``.
    crs
        The CRS of ``bounds``.

    Returns
    -------
    tuple of float
        ``(min lon, min lat, max lon, max lat)``.
    """
    return _densified_bounds(transformer(crs, _CRS84), bounds)


def _densified_bounds(
    t: Transformer, box: tuple[float, float, float, float], points: int = 21
) -> tuple[float, float, float, float]:
    """Return the bounds of a box's edges, each densified with ``points`` points, after ``t``."""
    x0, y0, x1, y1 = box
    s = np.linspace(0.0, 1.0, points + 2)
    xs = np.concatenate(
        [x0 + (x1 - x0) * s, np.full_like(s, x1), x0 + (x1 - x0) * s, np.full_like(s, x0)]
    )
    ys = np.concatenate(
        [np.full_like(s, y0), y0 + (y1 - y0) * s, np.full_like(s, y1), y0 + (y1 - y0) * s]
    )
    tx, ty = t.transform(xs, ys)
    return (float(np.min(tx)), float(np.min(ty)), float(np.max(tx)), float(np.max(ty)))


def _to_crs84(geoms: np.ndarray, crs: CRS) -> np.ndarray:
    """Project geometries to CRS84 and round their coordinates to 7 decimals."""
    t = transformer(crs, _CRS84)

    def project(xy: np.ndarray) -> np.ndarray:
        lon, lat = t.transform(xy[:, 0], xy[:, 1])
        return np.round(np.column_stack([lon, lat]), _DECIMALS)

    out: np.ndarray = shapely.transform(geoms, project)
    return out


def _rounded(geom: BaseGeometry) -> BaseGeometry:
    out: BaseGeometry = shapely.transform(geom, lambda xy: np.round(xy, _DECIMALS))
    return out


def _items(gdf: Any, id_field: str, crs: CRS) -> list[_Item]:
    """Return the items of a stored layer's GeoDataFrame (working CRS) in its order."""
    if len(gdf) == 0:
        return []
    geoms = _to_crs84(np.asarray(gdf.geometry.array, dtype=object), crs)
    records = pd.DataFrame(gdf.drop(columns=gdf.geometry.name)).to_dict("records")
    return [_item(str(r[id_field]), r, g) for r, g in zip(records, geoms)]


def _item(fid: str, attrs: Mapping[Any, Any], geometry: BaseGeometry) -> _Item:
    return _Item(
        {
            "type": "Feature",
            "id": fid,
            "geometry": mapping(geometry),
            "properties": {str(k): jsonable(v) for k, v in attrs.items()},
        },
        geometry,
    )


def _within(found: list[_Item], box: tuple[float, float, float, float] | None) -> list[_Item]:
    """Keep the items whose CRS84 geometry intersects ``box`` (all when there is none)."""
    if box is None or not found:
        return found
    hits = shapely.intersects(
        np.asarray([i.geometry for i in found], dtype=object), shapely.box(*box)
    )
    return [i for i, hit in zip(found, hits) if hit]


def _parse_bbox(text: str | None) -> tuple[float, float, float, float] | None:
    """Parse ``minx,miny,maxx,maxy`` (or the 6-number 3D form) in CRS84; 400 if malformed."""
    if text is None or not text.strip():
        return None
    expected = (
        "expected bbox=minx,miny,maxx,maxy in CRS84 degrees (longitude, latitude), "
        "with -180 ≤ minx ≤ maxx ≤ 180 and -90 ≤ miny ≤ maxy ≤ 90, e.g. bbox=112.19,30.88,112.20,30.89"
    )
    try:
        values = [float(v) for v in text.split(",")]
    except ValueError:
        values = []
    if len(values) == 6:  # minx, miny, minz, maxx, maxy, maxz: the heights do not filter
        values = [values[0], values[1], values[3], values[4]]
    ok = (
        len(values) == 4
        and all(math.isfinite(v) for v in values)
        and -180.0 <= values[0] <= values[2] <= 180.0
        and -90.0 <= values[1] <= values[3] <= 90.0
    )
    if not ok:
        raise HTTPException(status_code=400, detail=f"bbox {text!r}: {expected}")
    return (values[0], values[1], values[2], values[3])


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value is not None else None


def _base(request: Request) -> str:
    """Return the absolute URL of this API's root (``…/ogc``) as the client addressed it."""
    return str(request.base_url).rstrip("/") + router.prefix


def _link(href: str, rel: str, media_type: str, title: str) -> dict[str, str]:
    return {"href": href, "rel": rel, "type": media_type, "title": title}


def _query(url: str, params: Mapping[str, str], limit: int, offset: int) -> str:
    return f"{url}?{urlencode({**params, 'limit': limit, 'offset': offset})}"
