"""Networks and other layers: versions, and uploads that are validated, atomic and versioned."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, UploadFile, status
from pydantic import BaseModel

from api.deps import StateDep
from api.schemas import AwareUTC
from api.security import CurrentUser, check_layer_edit, read_upload
from gis.errors import InputFormatError
from gis.io.load import load_for_import
from gis.io.safezip import SHAPEFILE_MAX_RATIO, check_zip
from gis.schema import LAYERS

router = APIRouter(prefix="/networks", tags=["管网 networks"])

_SUFFIXES = {".gpkg", ".geojson", ".json", ".zip"}


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
    return [
        VersionPublic(
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
        for v in state.store.versions(layer)
    ]


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
        read = load_for_import(path, layer=layer, source_crs=source_crs)
    if layer not in read:
        msg = f"file {name!r} holds no features for layer {layer!r} (found: {', '.join(read) or 'none'})"
        raise InputFormatError(msg)
    result = state.store.import_layer(
        layer, read[layer], user=p.name, source=name, source_crs=source_crs
    )
    summary: dict[str, Any] = result.summary()
    return ImportPublic(**summary)
