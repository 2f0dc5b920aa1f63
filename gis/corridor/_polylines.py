"""Points, directions and sides along many lines at once (vectorised helper of the corridor)."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import shapely

__all__ = ["FloatArray", "Polylines"]

FloatArray = npt.NDArray[np.float64]


class Polylines:
    """Points and unit directions at positions along many lines, without per-line Python work.

    All vertices go into one array; a position ``t`` on line ``i`` is found by one
    ``searchsorted`` over keys ``i * scale + (distance of the vertex along line i)``.
    """

    def __init__(self, lines: npt.NDArray[Any]) -> None:
        coords, idx = shapely.get_coordinates(lines, return_index=True)
        n = len(lines)
        step = np.hypot(*np.diff(coords, axis=0).T)
        same = idx[1:] == idx[:-1]
        cum = np.concatenate([[0.0], np.cumsum(np.where(same, step, 0.0))])
        self.start = np.searchsorted(idx, np.arange(n), "left")
        self.end = np.searchsorted(idx, np.arange(n), "right") - 1
        self.along = cum - cum[self.start[idx]]
        self.length = self.along[self.end]
        self.scale = float(self.length.max(initial=0.0)) + 1.0
        self.key = idx * self.scale + self.along
        self.coords = coords

    def locate(self, line: npt.NDArray[np.int64], t: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Return the point at ``t`` on each ``line`` and the unit direction of the line there."""
        t = np.clip(t, 0.0, self.length[line])
        k = np.searchsorted(self.key, line * self.scale + t, "right") - 1
        k = np.clip(k, self.start[line], np.maximum(self.end[line] - 1, self.start[line]))
        vec = self.coords[np.minimum(k + 1, self.end[line])] - self.coords[k]
        seg = np.hypot(vec[:, 0], vec[:, 1])
        safe = np.where(seg > 0, seg, 1.0)
        frac = np.clip((t - self.along[k]) / safe, 0.0, 1.0)
        point = self.coords[k] + vec * frac[:, None]
        tangent = np.where((seg > 0)[:, None], vec / safe[:, None], [1.0, 0.0])
        return point, tangent

    def side_of(
        self, line: npt.NDArray[np.int64], t: FloatArray, pts: FloatArray
    ) -> npt.NDArray[np.int8]:
        """Return 0 (left) or 1 (right) for each point, relative to its line at ``t``."""
        foot, tan = self.locate(line, t)
        rel = pts - foot
        cross = tan[:, 0] * rel[:, 1] - tan[:, 1] * rel[:, 0]
        return np.where(cross >= 0, 0, 1).astype(np.int8)
