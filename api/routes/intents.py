"""Investment intents (一口登记): 招商局 registers an expected enterprise before any application."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import geopandas as gpd
import pandas as pd
from fastapi import APIRouter, Depends, status
from pydantic import BaseModel, Field
from shapely.geometry import shape

from api.deps import StateDep
from api.report import feature_collection
from api.routes.networks import ImportPublic
from api.schemas import IsoDate, Utility
from api.security import CurrentUser, Principal, require_roles
from gis.errors import InputFormatError, LayerNotFoundError

router = APIRouter(prefix="/intents", tags=["招商意向 intents"])


class IntentCreate(BaseModel):
    """One registered investment intent (the 招商局's 一口登记)."""

    intent_id: str = Field(min_length=1, max_length=64, description="意向编号")
    name: str = Field(min_length=1, max_length=200, description="意向项目名称")
    expected_start: IsoDate = Field(description="预计开工（用能）日期")
    utilities: list[Utility] = Field(
        min_length=1, description="需要的专业"
    )
    water_m3_day: float | None = Field(default=None, ge=0, description="用水规模 立方米/日")
    power_kva: float | None = Field(default=None, ge=0, description="用电容量 千伏安")
    gas_m3_h: float | None = Field(default=None, ge=0, description="天然气负荷 方/小时")
    steam_t_h: float | None = Field(default=None, ge=0, description="用热 吨/小时")
    geometry: dict[str, Any] = Field(description="地块范围：GeoJSON Polygon（经纬度）")
    coordinates: Literal["wgs84", "gcj02", "bd09"] = Field(
        default="wgs84", description="坐标系：wgs84（天地图/GPS）、gcj02（高德/腾讯）、bd09（百度）"
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ImportPublic,
    summary="登记招商意向",
    description="招商局登记一个投资意向（地块范围与用能需求），写入意向图层的新版本，供各专业提前布局；"
    "同一编号再次登记即更新。高德/百度坐标在入库前转换。",
)
def register_intent(
    body: IntentCreate,
    state: StateDep,
    p: Annotated[Principal, Depends(require_roles("investment"))],
) -> ImportPublic:
    """Add (or replace) one intent in the intents layer, as a new version."""
    try:
        geom = shape(body.geometry)
    except Exception as exc:  # any malformed GeoJSON (shapely raises many kinds): say so, 422
        msg = f"intent {body.intent_id}: geometry is not GeoJSON ({exc}); expected a Polygon"
        raise InputFormatError(msg) from exc
    row = {
        "intent_id": body.intent_id,
        "name": body.name,
        "expected_start": body.expected_start.isoformat(),
        "registered_by": p.name,
        "utilities": ",".join(body.utilities),
        **{
            k: getattr(body, k)
            for k in ("water_m3_day", "power_kva", "gas_m3_h", "steam_t_h")
            if getattr(body, k) is not None
        },
    }
    mine = gpd.GeoDataFrame([row], geometry=[geom], crs="EPSG:4326")
    if body.coordinates != "wgs84":
        from gis.crs import transform_china_offset

        mine = transform_china_offset(mine, body.coordinates)

    def add(stored: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame:
        """Return the stored intents with this one added (or replacing its namesake)."""
        if stored is None or not len(stored):
            return mine
        keep = stored[stored["intent_id"].astype(str) != body.intent_id].to_crs("EPSG:4326")
        return gpd.GeoDataFrame(pd.concat([keep, mine], ignore_index=True), crs="EPSG:4326")

    # read, change and store the layer with no other writer in between (no intent lost)
    result = state.store.update_layer(
        "intents", add, user=p.name, source=f"POST /intents {body.intent_id}"
    )
    return ImportPublic(**result.summary())


@router.get(
    "",
    summary="招商意向列表",
    description="当前意向图层的全部意向（GeoJSON，WGS84 经纬度）。",
)
def list_intents(state: StateDep, p: CurrentUser) -> dict[str, Any]:
    """Return the current intents as a GeoJSON FeatureCollection (CRS84)."""
    try:
        layer = state.store.layer("intents")
    except LayerNotFoundError:
        return {"type": "FeatureCollection", "features": []}
    return feature_collection(layer)
