"""Networks and other layers: versions, and uploads that are validated, atomic and versioned."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, UploadFile, status
from fastapi import Path as PathParam
from pydantic import BaseModel

from api.deps import StateDep
from api.report import feature_collection
from api.schemas import AwareUTC
from api.security import CurrentUser, check_layer_edit, read_upload
from gis.errors import InputFormatError, LayerNotFoundError, NotFoundError
from gis.io.load import load_for_import
from gis.io.safezip import SHAPEFILE_MAX_RATIO, check_zip
from gis.schema import LAYERS
from gis.storage.models import NetworkVersion

router = APIRouter(prefix="/networks", tags=["管网 networks"])

_SUFFIXES = {".gpkg", ".geojson", ".json", ".zip"}
_CONFIRM_HELP = (
    "确认执行会删除大部分要素、删除在用项目地块，或管线大多偏离道路的导入"
    "（未确认时返回 409 并列出将发生的变化）"
)
_MAX_VERSION = 2**31 - 1
VersionPath = Annotated[int, PathParam(ge=1, le=_MAX_VERSION, description="版本号")]


class VersionPublic(BaseModel):
    """One stored version of a layer."""

    layer: str
    version: int
    created_at: AwareUTC
    created_by: str | None
    source: str | None
    n_features: int
    added: int
    removed: int
    changed: int


class ImportPublic(BaseModel):
    """What an upload stored: the new version and what changed against the previous one."""

    layer: str
    version: int
    n_features: int
    added: int
    removed: int
    changed: int
    added_ids: list[str]
    removed_ids: list[str]
    changed_ids: list[str]


@router.get(
    "",
    response_model=list[VersionPublic],
    summary="图层与版本",
    description="各图层（五类管网、道路、地块等）的全部已提交版本及其变更摘要。",
)
def list_versions(state: StateDep, p: CurrentUser, layer: str | None = None) -> list[VersionPublic]:
    """List the committed versions of every layer (or one)."""
    return [_public(v) for v in state.store.versions(layer)]


def _public(v: NetworkVersion) -> VersionPublic:
    return VersionPublic(
        layer=v.layer,
        version=v.version,
        created_at=v.created_at,
        created_by=v.created_by,
        source=v.source,
        n_features=v.n_features,
        added=len(v.diff.get("added", [])),
        removed=len(v.diff.get("removed", [])),
        changed=len(v.diff.get("changed", [])),
    )


def _known(layer: str) -> None:
    if layer not in LAYERS:
        msg = f"图层 {layer!r} 不存在 (no layer {layer!r}): expected one of {', '.join(LAYERS)}"
        raise LayerNotFoundError(msg)


class VersionDetail(VersionPublic):
    """One stored version: its changes against the previous one and a page of its features."""

    added_ids: list[str]
    removed_ids: list[str]
    changed_ids: list[str]
    features: dict[str, Any]
    """GeoJSON FeatureCollection (CRS84) of one page, with ``numberMatched``/``numberReturned``."""


@router.get(
    "/{layer}/versions",
    response_model=list[VersionPublic],
    summary="图层版本历史",
    description="一个图层的全部已提交版本（最早在前）：时间、上传人、来源文件、要素数与变更摘要。",
)
def layer_versions(layer: str, state: StateDep, p: CurrentUser) -> list[VersionPublic]:
    """List the committed versions of one layer, oldest first."""
    _known(layer)
    return [_public(v) for v in state.store.versions(layer)]


@router.get(
    "/{layer}/versions/{version}",
    response_model=VersionDetail,
    summary="图层某一版本",
    description="某一版本的变更（新增、删除、变更的要素编号）及其要素（GeoJSON，CRS84 经纬度），"
    "按 limit/offset 分页；版本不存在时返回 404。",
)
def layer_version(
    layer: str,
    version: VersionPath,
    state: StateDep,
    p: CurrentUser,
    limit: Annotated[int, Query(ge=0, le=10_000, description="每页要素数")] = 1000,
    offset: Annotated[int, Query(ge=0, le=_MAX_VERSION, description="跳过的要素数")] = 0,
) -> VersionDetail:
    """Return one version's changes and one page of its features in CRS84."""
    _known(layer)
    v = next((r for r in state.store.versions(layer) if r.version == version), None)
    if v is None:
        msg = f"图层 {layer} 没有第 {version} 版 (the database has no version {version} of layer {layer!r})"
        raise NotFoundError(msg)
    page = state.store.layer(layer, version=version, limit=limit, offset=offset)
    features = feature_collection(page)
    features.pop("crs", None)
    features |= {"numberMatched": v.n_features, "numberReturned": len(page)}
    return VersionDetail(
        **_public(v).model_dump(),
        added_ids=list(v.diff.get("added", [])),
        removed_ids=list(v.diff.get("removed", [])),
        changed_ids=list(v.diff.get("changed", [])),
        features=features,
    )


@router.post(
    "/{layer}/versions/{version}/restore",
    status_code=status.HTTP_201_CREATED,
    response_model=ImportPublic,
    summary="恢复图层旧版本",
    description="把某一旧版本的要素重新写入为该图层的最新版本（历史版本均保留）；与上传一样校验，"
    "会删除大部分要素或在用项目地块时需 confirm=true，否则返回 409 并列出将删除的内容。",
)
def restore_version(
    layer: str,
    version: VersionPath,
    state: StateDep,
    p: CurrentUser,
    confirm: Annotated[bool, Query(description=_CONFIRM_HELP)] = False,
) -> ImportPublic:
    """Store an earlier version of a layer again as its newest version."""
    check_layer_edit(p, layer)
    result = state.store.restore_version(layer, version, user=p.name, confirm=confirm)
    summary: dict[str, Any] = result.summary()
    return ImportPublic(**summary)


@router.post(
    "/{layer}",
    status_code=status.HTTP_201_CREATED,
    response_model=ImportPublic,
    summary="上传图层新版本",
    description="上传 GeoPackage、GeoJSON 或 zip 压缩的 Shapefile（可含 GBK 编码 .dbf）：与已存图层一并校验，"
    "全部问题一次性告知；通过则整体写入为新版本并返回新增、删除、变更的要素，失败则不改变任何数据。"
    "各专业规划人员只能上传本专业管网。",
)
async def upload_layer(
    layer: str,
    state: StateDep,
    p: CurrentUser,
    file: Annotated[UploadFile, File(description="GeoPackage / GeoJSON / 压缩 Shapefile")],
    source_crs: Annotated[
        str | None, Form(description="坐标系（文件未声明时），如 EPSG:4490、gcj02")
    ] = None,
    confirm: Annotated[bool, Form(description=_CONFIRM_HELP)] = False,
) -> ImportPublic:
    """Store an uploaded layer file as the layer's next version."""
    if layer not in LAYERS:
        msg = f"unknown layer {layer!r}: expected one of {', '.join(LAYERS)}"
        raise InputFormatError(msg)
    check_layer_edit(p, layer)
    name = Path(file.filename or "upload").name
    suffix = Path(name).suffix.lower()
    if suffix not in _SUFFIXES:
        msg = f"file {name!r}: expected a .gpkg, .geojson or zipped Shapefile (.zip)"
        raise InputFormatError(msg)
    data = await read_upload(file, max_bytes=state.settings.max_upload_mb * 1024 * 1024)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"upload{suffix}"
        path.write_bytes(data)
        if suffix == ".zip":
            check_zip(
                path,
                max_total_bytes=state.settings.max_upload_mb * 1024 * 1024 * 10,
                max_ratio=SHAPEFILE_MAX_RATIO,
            )
        # read only as the format the name declares, after checking the content is that format
        read = load_for_import(path, layer=layer, fmt="vector", source_crs=source_crs, label=name)
    if layer not in read:
        msg = f"file {name!r} holds no features for layer {layer!r} (found: {', '.join(read) or 'none'})"
        raise InputFormatError(msg)
    result = state.store.import_layer(
        layer, read[layer], user=p.name, source=name, source_crs=source_crs, confirm=confirm
    )
    summary: dict[str, Any] = result.summary()
    return ImportPublic(**summary)
