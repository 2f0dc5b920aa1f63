"""GCJ-02 (高德/腾讯) and BD-09 (百度) coordinates, converted at the edge.

GCJ-02 is the obfuscated datum mandated for published Chinese web maps; BD-09 is Baidu's
further offset of it. Neither is in PROJ. The forward transforms (WGS84 → GCJ-02 → BD-09) are
the published algorithms; the inverses are solved by fixed-point iteration to well under a
millimetre. Points outside mainland China are passed through unchanged, as the GCJ-02
algorithm defines (its coarse bounding box: 72.004–137.8347 °E, 0.8293–55.8271 °N).

All functions are vectorised over NumPy arrays (longitude, latitude in degrees).

Examples
--------
>>> lon, lat = wgs84_to_gcj02(112.2, 31.0)
>>> round(float(lon - 112.2) * 1e5), round(float(lat - 31.0) * 1e5)  # about 550 m east, 250 m south
(582, -224)
>>> back = gcj02_to_wgs84(lon, lat)
>>> abs(float(back[0]) - 112.2) < 1e-8 and abs(float(back[1]) - 31.0) < 1e-8
True
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

__all__ = [
    "bd09_to_gcj02",
    "bd09_to_wgs84",
    "gcj02_to_bd09",
    "gcj02_to_wgs84",
    "in_china",
    "wgs84_to_bd09",
    "wgs84_to_gcj02",
]

ArrayLike = npt.ArrayLike
FloatArray = npt.NDArray[np.float64]

_A = 6378245.0  # Krasovsky 1940 semi-major axis used by the GCJ-02 algorithm
_EE = 0.00669342162296594323  # its first eccentricity squared
_X_PI = np.pi * 3000.0 / 180.0  # BD-09 constant


def in_china(lon: ArrayLike, lat: ArrayLike) -> npt.NDArray[np.bool_]:
    """Return whether points fall in the GCJ-02 algorithm's bounding box of China.

    Examples
    --------
    >>> bool(in_china(112.2, 31.0)), bool(in_china(2.35, 48.85))
    (True, False)
    """
    x = np.asarray(lon, dtype=float)
    y = np.asarray(lat, dtype=float)
    return (x >= 72.004) & (x <= 137.8347) & (y >= 0.8293) & (y <= 55.8271)


def _delta(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    x = lon - 105.0
    y = lat - 35.0
    dlat = (
        -100.0
        + 2.0 * x
        + 3.0 * y
        + 0.2 * y * y
        + 0.1 * x * y
        + 0.2 * np.sqrt(np.abs(x))
        + (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
        + (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
        + (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    )
    dlon = (
        300.0
        + x
        + 2.0 * y
        + 0.1 * x * x
        + 0.1 * x * y
        + 0.1 * np.sqrt(np.abs(x))
        + (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
        + (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
        + (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    )
    radlat = lat / 180.0 * np.pi
    magic = 1.0 - _EE * np.sin(radlat) ** 2
    sqrtmagic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrtmagic) * np.pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * np.cos(radlat) * np.pi)
    return dlon, dlat


def _as_arrays(lon: ArrayLike, lat: ArrayLike) -> tuple[FloatArray, FloatArray]:
    x, y = np.broadcast_arrays(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    return x.astype(float, copy=True), y.astype(float, copy=True)


def wgs84_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Offset WGS84 (or CGCS2000) longitude/latitude to GCJ-02; outside China unchanged."""
    x, y = _as_arrays(lon, lat)
    inside = in_china(x, y)
    dlon, dlat = _delta(x, y)
    return np.where(inside, x + dlon, x), np.where(inside, y + dlat, y)


def gcj02_to_wgs84(
    lon: ArrayLike, lat: ArrayLike, *, tolerance_deg: float = 1e-10, max_iter: int = 30
) -> tuple[FloatArray, FloatArray]:
    """Invert :func:`wgs84_to_gcj02` by fixed-point iteration (error < 1e-10° ≈ 0.01 mm)."""
    gx, gy = _as_arrays(lon, lat)
    return _invert(wgs84_to_gcj02, gx, gy, gx.copy(), gy.copy(), tolerance_deg, max_iter)


Forward = Callable[[ArrayLike, ArrayLike], tuple[FloatArray, FloatArray]]


def _invert(
    forward: Forward,
    tx: FloatArray,
    ty: FloatArray,
    x: FloatArray,
    y: FloatArray,
    tolerance_deg: float,
    max_iter: int,
) -> tuple[FloatArray, FloatArray]:
    """Solve ``forward(x, y) = (tx, ty)`` by fixed-point iteration from ``(x, y)``."""
    for _ in range(max_iter):
        fx, fy = forward(x, y)
        ex, ey = fx - tx, fy - ty
        x = x - ex
        y = y - ey
        if np.all(np.abs(ex) < tolerance_deg) and np.all(np.abs(ey) < tolerance_deg):
            break
    return x, y


def gcj02_to_bd09(lon: ArrayLike, lat: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Offset GCJ-02 to BD-09 (Baidu); outside China unchanged."""
    x, y = _as_arrays(lon, lat)
    inside = in_china(x, y)
    z = np.sqrt(x * x + y * y) + 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * _X_PI)
    bx = z * np.cos(theta) + 0.0065
    by = z * np.sin(theta) + 0.006
    return np.where(inside, bx, x), np.where(inside, by, y)


def bd09_to_gcj02(
    lon: ArrayLike, lat: ArrayLike, *, tolerance_deg: float = 1e-10, max_iter: int = 30
) -> tuple[FloatArray, FloatArray]:
    """Invert :func:`gcj02_to_bd09` by fixed-point iteration; outside China unchanged."""
    bx, by = _as_arrays(lon, lat)
    # the published closed-form approximation is the starting point
    x = bx - 0.0065
    y = by - 0.006
    z = np.sqrt(x * x + y * y) - 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _X_PI)
    gx, gy = _invert(
        gcj02_to_bd09, bx, by, z * np.cos(theta), z * np.sin(theta), tolerance_deg, max_iter
    )
    inside = in_china(bx, by)
    return np.where(inside, gx, bx), np.where(inside, gy, by)


def wgs84_to_bd09(lon: ArrayLike, lat: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """WGS84 → GCJ-02 → BD-09."""
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def bd09_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """BD-09 → GCJ-02 → WGS84."""
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))
