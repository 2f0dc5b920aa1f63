"""Benchmark: capacity checks by simulation on the city-size district, model reused vs rebuilt.

For each simulated utility the model is built once from the city-size district's layers (and
the ``sources`` rows its demo helpers place), then N site-utility checks run on it: a new
demand at a tap on a random existing main, the steady state of the tap's own connected network
(island / pressure-class network: built from the model on the first check that needs it, then
kept) run, the measures read, the demand removed (no rebuild). The same taps are then checked
again (their networks built: the time of a batch of sites on networks already used). The naive
baseline builds the model again for each check; it runs on a sample (every check would take
hours) and its time per check is printed beside the reused model's, with their ratio, in the
same run. Water: one EPANET network for the whole city (its 水厂 and supply points in the
city's ``sources``), solved by the toolkit kept open on it.

Run: ``.venv/bin/python -m bench.bench_capacity [--checks 1000] [--baseline 3]
[--utilities power,gas,water]`` (not in
``make test``; a few minutes on the city-size district).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from bench.city import build_city
from gis.profile import load_profile
from gis.simulation.pipes import GasModel, demo_sources
from gis.simulation.power import PowerModel, demo_substations

Builder = Callable[[], Any]


def _taps(mains: gpd.GeoDataFrame, n: int, seed: int) -> list[tuple[str, tuple[float, float]]]:
    """Return ``n`` taps: (asset id, the main's midpoint) of random existing mains."""
    rng = np.random.default_rng(seed)
    pick = mains.iloc[rng.choice(len(mains), size=n, replace=len(mains) < n)]
    mid = shapely.line_interpolate_point(np.asarray(pick.geometry.values), 0.5, normalized=True)
    xy = shapely.get_coordinates(mid)
    return [(str(a), (float(x), float(y))) for a, (x, y) in zip(pick["asset_id"], xy)]


def _builders(
    layers: dict[str, gpd.GeoDataFrame],
) -> dict[str, tuple[Builder, gpd.GeoDataFrame, float]]:
    """Return, per utility: how to build its model, the mains it can tap, a typical demand."""
    profile = load_profile("jingmen-2023")
    classes = tuple(profile.suitability.gas_tap_classes)
    power = layers["power"]
    substations = demo_substations(power)
    gas_sources = demo_sources(layers, tap_classes=classes)
    sources = gpd.GeoDataFrame(
        pd.concat([substations, gas_sources], ignore_index=True), crs=power.crs
    )
    pf = profile.capacity.power.power_factor
    gas = layers["gas"]
    out: dict[str, tuple[Builder, gpd.GeoDataFrame, float]] = {
        "power": (
            lambda: PowerModel.from_layers(power, sources, power_factor=pf),
            power[
                (power.status == "existing") & power.feeder_id.notna() & (power.voltage_kv == 10.0)
            ],
            800.0,  # kVA
        ),
        "gas": (
            lambda: GasModel.from_layers(gas, sources, tap_classes=classes),
            gas[(gas.status == "existing") & gas.pressure_class.isin(classes)],
            40.0,  # m³/h
        ),
    }
    water = _water_builder(layers, sources)
    if water is not None:
        out["water"] = water
    return out


def _water_builder(
    layers: dict[str, gpd.GeoDataFrame], sources: gpd.GeoDataFrame
) -> tuple[Builder, gpd.GeoDataFrame, float] | None:
    """Return the water model's builder (WNTR over the water layer and its sources)."""
    from gis.simulation.water import WaterModel

    water, plants = layers["water"], layers["sources"]
    profile = load_profile("jingmen-2023")
    return (
        lambda: WaterModel.from_layers(water, plants, profile=profile),
        water[(water.status == "existing") & (water.role == "distribution")],
        1.4,  # L/s (5 m³/h at the peak hour)
    )


def _time_checks(
    model: Any, taps: list[tuple[str, tuple[float, float]]], demand: float
) -> tuple[list[float], int]:
    """Run a check per tap on one model; return the times (s) and how many ran (others: no model)."""
    times, ran = [], 0
    for asset, xy in taps:
        t = time.perf_counter()
        try:
            model.check(asset, xy, demand)
            ran += 1
        except ValueError:  # ModelError: a main the model does not reach
            continue
        finally:
            times.append(time.perf_counter() - t)
    return times, ran


def _ms(values: list[float]) -> str:
    return f"median {statistics.median(values) * 1e3:,.1f} ms, p95 {np.percentile(values, 95) * 1e3:,.1f} ms"


def main() -> None:
    """Build the city, then time reused and rebuilt models for each simulated utility."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--checks", type=int, default=1000, help="site-utility checks per utility")
    ap.add_argument("--baseline", type=int, default=3, help="checks of the rebuild baseline")
    ap.add_argument(
        "--utilities", default="power,gas,water", help="comma-separated utilities to benchmark"
    )
    args = ap.parse_args()
    wanted = args.utilities.split(",")
    layers = build_city()
    for utility, (build, mains, demand) in _builders(layers).items():
        if utility not in wanted:
            continue
        taps = _taps(mains, args.checks, seed=11)
        # 1. the model built once, then every check on it, then the same taps again
        t = time.perf_counter()
        model = build()
        built = time.perf_counter() - t
        times, ran = _time_checks(model, taps, demand)
        again, _ = _time_checks(model, taps, demand)
        reused = sum(times) / len(times)
        # 2. the naive baseline: the model rebuilt for each check (a sample)
        naive = []
        for asset, xy in taps[: args.baseline]:
            t = time.perf_counter()
            _time_checks(build(), [(asset, xy)], demand)
            naive.append(time.perf_counter() - t)
        rebuilt = sum(naive) / len(naive)
        parts = len(getattr(model, "parts", {}))
        print(
            f"{utility:<6} {len(mains):,} mains; model built in {built:,.2f} s; "
            f"{len(taps):,} checks ({ran:,} on modelled mains, {parts:,} networks solved) "
            f"in {sum(times):,.1f} s: {reused * 1e3:,.1f} ms per check ({_ms(times)})"
        )
        print(
            f"       the same {len(taps):,} checks again (networks built): "
            f"{sum(again) / len(again) * 1e3:,.1f} ms per check ({_ms(again)})"
        )
        print(
            f"       rebuilt per check (baseline, {len(naive)} checks): {rebuilt * 1e3:,.0f} ms per check; "
            f"reused model {reused * 1e3:,.1f} ms per check: {rebuilt / reused:,.0f}× faster"
        )


if __name__ == "__main__":
    main()
