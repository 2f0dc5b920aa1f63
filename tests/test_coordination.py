"""Coordination across projects (planning.coordination): rules R9 shared construction (seed 三6), R10 dig-once.

Every expected figure is worked out by hand in the comments. Dates are in 2024 (a leap year:
January 31 days, February 29, so 1 Jan → 1 Mar is 60 days and 1 Jan → 1 May is 121 days).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import geopandas as gpd
import networkx as nx
import pandas as pd
import pyogrio
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely import LineString

from gis.errors import ProfileError, ValidationError
from gis.profile import Profile, load_profile
from planning.coordination import CoordinationResult, coordinate_works, packages_to_gdf


@pytest.fixture
def profile(tmp_path: Path) -> Profile:
    path = tmp_path / "coord.yaml"
    path.write_text(
        "name: coord-test\n"
        "coordination:\n"
        "  window_days: {value: 90, source: 'issue 4 default (test copy)'}\n",
        encoding="utf-8",
    )
    return load_profile(str(path))


def work(
    work_id: str,
    project: str,
    utility: str,
    seg: int,
    side: str | None,
    span: tuple[float, float],
    window: tuple[Any, Any],
) -> dict[str, Any]:
    """Return one row of a works table: ``span`` is ``(t0, t1)``, ``window`` ``(start, end)``."""
    (t0, t1), (start, end) = span, window
    return {
        "work_id": work_id,
        "project_id": project,
        "utility": utility,
        "seg": seg,
        "road_id": f"road-{seg}",
        "side": side,
        "t0": t0,
        "t1": t1,
        "start": start,
        "end": end,
    }


def table(*rows: dict[str, Any]) -> pd.DataFrame:
    return pd.DataFrame(list(rows))


def groups(result: CoordinationResult) -> list[tuple[str, ...]]:
    return [p.works for p in result.packages]


def figures(result: CoordinationResult) -> tuple[int, int, float, float]:
    return (
        result.excavations_without,
        result.excavations_with,
        result.metres_without,
        result.metres_with,
    )


# ------------------------------------------------------------------ one package / two packages


def test_month_apart_one_package_digs_overlap_once(profile: Profile) -> None:
    works = table(
        work("w1", "A", "water", 7, "L", (0, 100), ("2024-03-01", "2024-03-20")),
        work("w2", "B", "gas", 7, "L", (50, 150), ("2024-04-01", "2024-04-20")),
    )
    result = coordinate_works(works, profile=profile)
    assert result.window_days == 90  # read from the profile
    # windows 12 days apart (20 Mar → 1 Apr) ≤ 90; intervals overlap on [50, 100]
    (p,) = result.packages
    assert p.package_id == "P0001"
    assert p.works == ("w1", "w2")
    assert p.projects == ("A", "B")
    assert p.utilities == ("gas", "water")
    assert p.segments == ((7, "L"),)
    assert (p.start, p.end) == (date(2024, 3, 1), date(2024, 4, 20))
    assert p.is_joint
    # without: 2 excavations, 100 + 100 = 200 m; with: one trench over [0, 150] = 150 m
    assert (p.excavations_without, p.dug_m_without, p.excavations, p.dug_m) == (2, 200.0, 1, 150.0)
    assert figures(result) == (2, 1, 200.0, 150.0)
    assert (result.excavations_avoided, result.metres_avoided) == (1, 50.0)
    assert result.package_of() == {"w1": "P0001", "w2": "P0001"}


def test_six_months_apart_two_packages(profile: Profile) -> None:
    works = table(
        work("w1", "A", "water", 7, "L", (0, 100), ("2024-03-01", "2024-03-20")),
        work("w2", "B", "gas", 7, "L", (50, 150), ("2024-09-20", "2024-10-10")),
    )
    result = coordinate_works(works, profile=profile)
    # 20 Mar → 20 Sep = 184 days > 90: nothing linked, nothing avoided
    assert groups(result) == [("w1",), ("w2",)]
    assert [p.package_id for p in result.packages] == ["P0001", "P0002"]
    assert not result.packages[0].is_joint
    assert figures(result) == (2, 2, 200.0, 200.0)
    assert (result.excavations_avoided, result.metres_avoided) == (0, 0.0)


def test_window_gap_limit_is_inclusive(profile: Profile) -> None:
    first = work("w1", "A", "water", 1, "R", (0, 50), ("2024-01-01", "2024-01-10"))
    # 10 Jan + 90 days = 9 Apr: linked; 10 Apr (91 days): not linked
    linked = coordinate_works(
        table(first, work("w2", "B", "power", 1, "R", (0, 50), ("2024-04-09", "2024-04-20"))),
        profile=profile,
    )
    apart = coordinate_works(
        table(first, work("w2", "B", "power", 1, "R", (0, 50), ("2024-04-10", "2024-04-20"))),
        profile=profile,
    )
    assert groups(linked) == [("w1", "w2")]
    assert groups(apart) == [("w1",), ("w2",)]


def test_keyword_overrides_profile_window(profile: Profile) -> None:
    works = table(
        work("w1", "A", "water", 7, "L", (0, 100), ("2024-03-01", "2024-03-20")),
        work("w2", "B", "gas", 7, "L", (50, 150), ("2024-09-20", "2024-10-10")),
    )
    # 184 days apart: one package with a 200-day window, two with the profile's 90
    assert groups(coordinate_works(works, profile=profile, window_days=200)) == [("w1", "w2")]
    assert len(coordinate_works(works, profile=profile).packages) == 2


def test_profile_without_window_is_an_error() -> None:
    works = table(work("w1", "A", "water", 7, "L", (0, 100), ("2024-03-01", "2024-03-20")))
    bare = Profile.from_data("bare", {})
    with pytest.raises(ProfileError, match=r"coordination\.window_days"):
        coordinate_works(works, profile=bare)
    bad = Profile.from_data("bad", {"coordination": {"window_days": {"value": -3, "source": "x"}}})
    with pytest.raises(ProfileError, match="whole number of days"):
        coordinate_works(works, profile=bad)
    with pytest.raises(ValueError, match="window_days"):
        coordinate_works(works, profile=bare, window_days=-1)
    # the explicit keyword needs no profile key
    assert len(coordinate_works(works, profile=bare, window_days=30).packages) == 1


# ------------------------------------------------------------------ places: sides and crossings


def test_sides_and_crossings_are_separate_places(profile: Profile) -> None:
    when = ("2024-05-01", "2024-05-31")
    works = table(
        work("left", "A", "water", 3, "L", (0, 100), when),
        work("right", "B", "gas", 3, "R", (0, 100), when),
        work("cross1", "C", "power", 3, None, (40, 56), when),
        # a second crossing of block 3 overlapping the first: same place, linked
        work("cross2", "D", "telecom", 3, None, (50, 66), when),
        # a crossing of another block at the same position: another place
        work("cross3", "E", "telecom", 4, None, (40, 56), when),
    )
    result = coordinate_works(works, profile=profile)
    # L and R of block 3 are not merged, and the crossings of block 3 (in the carriageway)
    # link with each other only, not with either sidewalk: four packages
    assert sorted(groups(result)) == [("cross1", "cross2"), ("cross3",), ("left",), ("right",)]
    crossings = next(p for p in result.packages if p.works == ("cross1", "cross2"))
    assert crossings.segments == ((3, None),)
    # crossings count with their length as given: 16 + 16 → union [40, 66] = 26 m
    assert (crossings.excavations_without, crossings.dug_m_without) == (2, 32.0)
    assert (crossings.excavations, crossings.dug_m) == (1, 26.0)
    # totals: 5 → 4 excavations, 100 + 100 + 16 + 16 + 16 = 248 → 242 m
    assert figures(result) == (5, 4, 248.0, 242.0)


def test_touching_links_and_gap_from_profile_or_keyword(tmp_path: Path, profile: Profile) -> None:
    when = ("2024-05-01", "2024-05-31")
    touching = table(
        work("w1", "A", "water", 9, "L", (0, 50), when),
        work("w2", "B", "gas", 9, "L", (50, 80), when),
    )
    result = coordinate_works(touching, profile=profile)
    # [0, 50] and [50, 80] touch: one trench of 80 m instead of 50 + 30
    assert groups(result) == [("w1", "w2")]
    assert figures(result) == (2, 1, 80.0, 80.0)

    apart = table(
        work("w1", "A", "water", 9, "L", (0, 50), when),
        work("w2", "B", "gas", 9, "L", (51, 80), when),
    )
    assert len(coordinate_works(apart, profile=profile).packages) == 2  # 1 m apart, gap 0
    path = tmp_path / "gap.yaml"
    path.write_text(
        "name: gap-test\ncoordination:\n"
        "  window_days: {value: 90, source: test}\n"
        "  max_gap_m: {value: 1.0, source: test}\n",
        encoding="utf-8",
    )
    for result in (
        coordinate_works(apart, profile=load_profile(str(path))),
        coordinate_works(apart, profile=profile, gap_m=1.0),
    ):
        # within the 1 m gap: one package, one excavation; metres dug are still 50 + 29
        assert result.gap_m == 1.0
        assert groups(result) == [("w1", "w2")]
        assert figures(result) == (2, 1, 79.0, 79.0)


# ------------------------------------------------------------------ chains


CHAIN = (
    work("A", "pA", "water", 5, "L", (0, 100), ("2024-01-01", "2024-01-10")),
    work("B", "pB", "gas", 5, "L", (50, 150), ("2024-03-01", "2024-03-10")),
    work("C", "pC", "power", 5, "L", (100, 200), ("2024-05-01", "2024-05-10")),
)


def test_chain_is_split_so_every_pair_is_within_window(profile: Profile) -> None:
    result = coordinate_works(table(*CHAIN), profile=profile)
    # links: A–B (10 Jan → 1 Mar = 50 days), B–C (10 Mar → 1 May = 52 days); A–C touch at 100
    # but 10 Jan → 1 May = 111 days > 90: no link. The connected component {A, B, C} would put
    # A and C, 111 days apart, in one package; in start order B joins A (1 Mar − 10 Jan = 50)
    # and C (1 May − 10 Jan = 111 > 90) opens its own package, cutting the B–C link.
    assert groups(result) == [("A", "B"), ("C",)]
    first, second = result.packages
    assert (first.start, first.end) == (date(2024, 1, 1), date(2024, 3, 10))
    assert (second.start, second.end) == (date(2024, 5, 1), date(2024, 5, 10))
    # without: 3 × 100 m; with: [0, 150] = 150 m and [100, 200] = 100 m
    assert figures(result) == (3, 2, 300.0, 250.0)
    assert (result.excavations_avoided, result.metres_avoided) == (1, 50.0)


def test_long_chain_every_pair_within_window(profile: Profile) -> None:
    # twelve works a month apart, each trench overlapping the next: one connected component
    rows = [
        work(f"m{m:02d}", f"p{m}", "water", 2, "R", (40.0 * m, 40.0 * m + 60), (f"2024-{m:02d}-01", f"2024-{m:02d}-10"))
        for m in range(1, 13)
    ]  # fmt: skip
    result = coordinate_works(table(*rows), profile=profile)
    by_id = {r["work_id"]: r for r in rows}
    for p in result.packages:
        latest_start = max(date.fromisoformat(by_id[w]["start"]) for w in p.works)
        earliest_end = min(date.fromisoformat(by_id[w]["end"]) for w in p.works)
        assert (latest_start - earliest_end).days <= 90
    # Jan–Apr (1 Apr − 10 Jan = 82), May–Aug, Sep–Dec
    assert groups(result) == [
        ("m01", "m02", "m03", "m04"),
        ("m05", "m06", "m07", "m08"),
        ("m09", "m10", "m11", "m12"),
    ]


def test_overlapping_windows_are_never_split(profile: Profile) -> None:
    works = table(
        work("year", "A", "gas", 5, "L", (0, 100), ("2024-01-01", "2024-12-31")),
        work("june", "B", "water", 5, "L", (50, 120), ("2024-06-01", "2024-06-10")),
    )
    # june starts 152 days after year starts, but inside year's window (gap 0): one package
    (p,) = coordinate_works(works, profile=profile).packages
    assert p.works == ("june", "year")
    assert (p.start, p.end) == (date(2024, 1, 1), date(2024, 12, 31))


def test_chain_within_window_is_the_connected_component(profile: Profile) -> None:
    result = coordinate_works(table(*CHAIN), profile=profile, window_days=130)
    # every link kept (A–C 111 days now too) and C starts 121 ≤ 130 days after A: one
    # package digging [0, 200] once
    assert groups(result) == [("A", "B", "C")]
    assert figures(result) == (3, 1, 300.0, 200.0)


def test_result_does_not_depend_on_row_order(profile: Profile) -> None:
    rng = random.Random(4)
    rows = [
        work(f"w{k:02d}", f"p{k % 5}", "water", rng.randrange(3), rng.choice(["L", "R"]), (t, t + 60), (f"2024-{rng.randrange(1, 13):02d}-01", f"2024-{rng.randrange(1, 13):02d}-28"))
        for k in range(30)
        for t in [float(rng.randrange(0, 100))]
    ]  # fmt: skip
    for row in rows:  # keep end ≥ start
        row["start"], row["end"] = sorted([row["start"], row["end"]])
    expected = coordinate_works(table(*rows), profile=profile)
    rng.shuffle(rows)
    assert coordinate_works(table(*rows), profile=profile) == expected


def test_work_over_several_blocks(profile: Profile) -> None:
    when = ("2024-06-01", "2024-06-30")
    works = table(
        # one gas work along the whole of block 1 and the start of block 2
        work("g", "A", "gas", 1, "L", (0, 120), when),
        work("g", "A", "gas", 2, "L", (0, 40), when),
        # a water work of another project on block 2 only
        work("w", "B", "water", 2, "L", (20, 90), when),
    )
    (p,) = coordinate_works(works, profile=profile).packages
    assert p.segments == ((1, "L"), (2, "L"))
    # without: (g,1,L) 120 m, (g,2,L) 40 m, (w,2,L) 70 m = 3 excavations, 230 m
    # with: block 1 [0, 120] and block 2 [0, 90] = 2 excavations, 210 m
    assert (p.excavations_without, p.dug_m_without, p.excavations, p.dug_m) == (3, 230.0, 2, 210.0)


def test_far_apart_pieces_on_one_side_stay_two_excavations(profile: Profile) -> None:
    when = ("2024-06-01", "2024-06-30")
    works = table(
        work("a", "A", "gas", 1, "L", (0, 50), when),
        work("a", "A", "gas", 2, "R", (0, 10), when),
        work("b", "B", "water", 1, "L", (40, 80), when),
        work("b", "B", "water", 2, "R", (100, 110), when),
    )
    result = coordinate_works(works, profile=profile)
    # a and b meet on (1, L); on (2, R) their 10 m pieces are 90 m apart: still two trenches
    assert groups(result) == [("a", "b")]
    assert figures(result) == (4, 3, 110.0, 100.0)


# ------------------------------------------------------------------ date filtering and types


def test_date_from_and_date_to_select_intersecting_windows(profile: Profile) -> None:
    works = table(
        work("jan", "A", "water", 1, "L", (0, 100), ("2024-01-05", "2024-01-25")),
        work("apr", "B", "gas", 1, "L", (50, 150), ("2024-04-10", "2024-05-05")),
        work("jun", "C", "power", 2, "R", (0, 80), ("2024-06-01", "2024-06-20")),
        work("dec", "D", "heat", 3, "L", (0, 60), ("2024-12-01", "2024-12-20")),
    )
    everything = coordinate_works(works, profile=profile)
    # jan–apr: 25 Jan → 10 Apr = 76 days, overlapping on block 1: one package
    assert groups(everything) == [("apr", "jan"), ("jun",), ("dec",)]
    picked = coordinate_works(
        works, profile=profile, date_from="2024-05-01", date_to=date(2024, 6, 1)
    )
    # apr ends 5 May ≥ 1 May and jun starts on 1 Jun ≤ 1 Jun; jan and dec are outside
    assert groups(picked) == [("apr",), ("jun",)]
    assert figures(picked) == (2, 2, 180.0, 180.0)
    assert groups(coordinate_works(works, profile=profile, date_from="2024-11-30")) == [("dec",)]
    assert groups(coordinate_works(works, profile=profile, date_to="2024-01-05")) == [("jan",)]
    with pytest.raises(ValueError, match="before date_from"):
        coordinate_works(works, profile=profile, date_from="2024-06-01", date_to="2024-05-01")


def test_date_types_are_equivalent(profile: Profile) -> None:
    as_text = table(
        work("w1", "A", "water", 7, "L", (0, 100), ("2024-03-01", "2024-03-20")),
        work("w2", "B", "gas", 7, "L", (50, 150), ("2024-04-01", "2024-04-20")),
    )
    as_objects = as_text.copy()
    as_objects["start"] = [date(2024, 3, 1), pd.Timestamp("2024-04-01")]
    as_objects["end"] = pd.to_datetime(as_text["end"])
    assert coordinate_works(as_objects, profile=profile) == coordinate_works(
        as_text, profile=profile
    )


def test_empty_table(profile: Profile) -> None:
    result = coordinate_works(
        pd.DataFrame(columns=list(work("x", "p", "u", 0, "L", (0, 1), ("", "")))), profile=profile
    )
    assert result.packages == []
    assert figures(result) == (0, 0, 0.0, 0.0)


# ------------------------------------------------------------------ invalid input


def codes(exc: pytest.ExceptionInfo[ValidationError]) -> list[tuple[str | None, str | None, str]]:
    return sorted(((p.feature or ""), p.field, p.code) for p in exc.value.problems)


def test_invalid_input_listed_all_at_once(profile: Profile) -> None:
    works = table(
        work("ok", "A", "water", 1, "L", (0, 10), ("2024-01-01", "2024-01-31")),
        work("late", "A", "water", 1, "L", (0, 10), ("2024-03-01", "2024-02-01")),  # end < start
        work("back", "B", "gas", 2, "R", (80, 20), ("2024-01-01", "2024-01-31")),  # t1 < t0
        work("side", "C", "power", 3, "X", (0, 10), ("2024-01-01", "2024-01-31")),  # unknown side
    ).drop(columns=["road_id"])  # missing column
    with pytest.raises(ValidationError) as exc:
        coordinate_works(works, profile=profile)
    assert codes(exc) == [
        ("", "road_id", "missing_field"),
        ("back", "t1", "reversed_interval"),
        ("late", "end", "reversed_window"),
        ("side", "side", "unknown_side"),
    ]
    assert all(p.layer == "works" for p in exc.value.problems)
    text = str(exc.value)
    assert "4 error(s)" in text
    assert "'X'" in text and "end ≥ start = 2024-03-01" in text and "t1 ≥ t0 = 80" in text


def test_more_invalid_values(profile: Profile) -> None:
    works = table(
        work("seg", "A", "water", 1, "L", (0, 10), ("2024-01-01", "2024-01-31")),
        work("t", "A", "water", 1, "L", (-5, "abc"), ("2024-01-01", "2024-01-31")),  # type: ignore[arg-type]
        work("date", "B", "gas", 2, "R", (0, 10), ("2024-02-30", None)),
        work("mixed", "C", "power", 3, "L", (0, 10), ("2024-01-01", "2024-01-31")),
        work("mixed", "D", "power", 4, "L", (0, 10), ("2024-01-01", "2024-01-31")),  # 2 projects
        work(None, "E", "heat", 5, "L", (0, 10), ("2024-01-01", "2024-01-31")),  # type: ignore[arg-type]
    )
    works["seg"] = works["seg"].astype(object)
    works.loc[0, "seg"] = 1.5
    same_block = table(
        work("r1", "F", "water", 6, "L", (0, 10), ("2024-01-01", "2024-01-31")),
        work("r2", "G", "gas", 6, "R", (0, 10), ("2024-01-01", "2024-01-31")),
    )
    same_block.loc[1, "road_id"] = "main-st"  # block 6 is road-6 in r1's row
    works = pd.concat([works, same_block], ignore_index=True)
    with pytest.raises(ValidationError) as exc:
        coordinate_works(works, profile=profile)
    assert codes(exc) == [
        ("date", "end", "missing_value"),
        ("date", "start", "invalid_date"),
        ("mixed", "project_id", "inconsistent_work"),
        ("r2", "road_id", "inconsistent_road"),
        ("row 5", "work_id", "missing_value"),
        ("seg", "seg", "invalid_seg"),
        ("t", "t0", "invalid_position"),
        ("t", "t1", "invalid_position"),
    ]


def test_not_a_table(profile: Profile) -> None:
    with pytest.raises(ValidationError, match="not a table"):
        coordinate_works([{"work_id": "x"}], profile=profile)  # type: ignore[arg-type]


# ------------------------------------------------------------------ packages as a layer


def test_packages_gdf_read_back_with_gdal(tmp_path: Path, profile: Profile) -> None:
    rows: Sequence[tuple[dict[str, Any], LineString]] = [
        (work("w1", "A", "water", 7, "L", (0, 100), ("2024-03-01", "2024-03-20")),
         LineString([(500000, 3400000), (500100, 3400000)])),
        (work("w2", "B", "gas", 7, "L", (50, 150), ("2024-04-01", "2024-04-20")),
         LineString([(500050, 3400000), (500150, 3400000)])),
        (work("w3", "C", "power", 8, "R", (0, 40), ("2024-09-01", "2024-09-10")),
         LineString([(500000, 3400100), (500000, 3400140)])),
        (work("w3", "C", "power", 9, "R", (0, 30), ("2024-09-01", "2024-09-10")),
         LineString([(500200, 3400100), (500200, 3400130)])),
    ]  # fmt: skip
    works = gpd.GeoDataFrame([r for r, _ in rows], geometry=[g for _, g in rows], crs="EPSG:4546")
    result = coordinate_works(works, profile=profile)
    gdf = packages_to_gdf(result, works)
    path = tmp_path / "packages.gpkg"
    pyogrio.write_dataframe(gdf, path, layer="packages")
    info = pyogrio.read_info(path, layer="packages")
    assert info["geometry_type"] == "MultiLineString"
    back = pyogrio.read_dataframe(path, layer="packages")
    assert back.crs.to_epsg() == 4546
    assert back["package_id"].tolist() == ["P0001", "P0002"]
    assert back["projects"].tolist() == ["A,B", "C"]
    assert back["utilities"].tolist() == ["gas,water", "power"]
    assert back[["start", "end"]].astype(str).values.tolist() == [
        ["2024-03-01", "2024-04-20"],
        ["2024-09-01", "2024-09-10"],
    ]
    assert back["n_works"].tolist() == [2, 1]
    assert back["dug_m"].tolist() == [150.0, 70.0]
    # geometry: the two overlapping trenches dissolve into 150 m; w3's two pieces stay apart
    assert back.geometry.length.round(6).tolist() == [150.0, 70.0]
    assert [len(shapely.get_parts(g)) for g in back.geometry] == [1, 2]
    assert shapely.equals(
        back.geometry[0], shapely.MultiLineString([[(500000, 3400000), (500150, 3400000)]])
    )


def test_packages_gdf_needs_geometry(profile: Profile) -> None:
    works = table(work("w1", "A", "water", 7, "L", (0, 100), ("2024-03-01", "2024-03-20")))
    with pytest.raises(ValidationError, match="geometry"):
        packages_to_gdf(coordinate_works(works, profile=profile), works)


# ------------------------------------------------------------------ properties against brute force


def brute_links(rows: Sequence[dict[str, Any]], window_days: int) -> set[tuple[str, str]]:
    """Every pair of pieces compared: same place, intervals meet, windows within the limit."""
    links = set()
    for a in rows:
        for b in rows:
            if a["work_id"] >= b["work_id"] or (a["seg"], a["side"]) != (b["seg"], b["side"]):
                continue
            meet = a["t0"] <= b["t1"] and b["t0"] <= a["t1"]
            gap = (max(a["start"], b["start"]) - min(a["end"], b["end"])).days
            if meet and gap <= window_days:
                links.add((a["work_id"], b["work_id"]))
    return links


piece = st.tuples(
    st.integers(0, 2),  # seg
    st.sampled_from(["L", "R", None]),
    st.integers(0, 10),  # t0 / 10 m
    st.integers(0, 5),  # length / 10 m
    st.integers(0, 300),  # start day of 2024
    st.integers(0, 40),  # duration
)


@settings(max_examples=150, deadline=None)
@given(st.lists(piece, min_size=1, max_size=14), st.integers(0, 120))
def test_packages_connected_and_pairwise_within_window(
    pieces: list[tuple[int, str | None, int, int, int, int]], window_days: int
) -> None:
    rows = [
        work(f"w{k:02d}", f"p{k % 3}", "water", seg, side, (10.0 * a, 10.0 * (a + n)), (date(2024, 1, 1) + timedelta(days=s), date(2024, 1, 1) + timedelta(days=s + d)))
        for k, (seg, side, a, n, s, d) in enumerate(pieces)
    ]  # fmt: skip
    result = coordinate_works(
        table(*rows), profile=Profile.from_data("p", {}), window_days=window_days
    )
    links = brute_links(rows, window_days)
    by_id = {r["work_id"]: r for r in rows}
    graph = nx.Graph(links)
    graph.add_nodes_from(by_id)
    assert sorted(w for p in result.packages for w in p.works) == sorted(by_id)
    for p in result.packages:
        # connected by links, and every pair of windows within the limit
        assert nx.is_connected(graph.subgraph(p.works))
        latest_start = max(by_id[w]["start"] for w in p.works)
        earliest_end = min(by_id[w]["end"] for w in p.works)
        assert (latest_start - earliest_end).days <= window_days
    components = sorted(tuple(sorted(c)) for c in nx.connected_components(graph))
    if all(
        (max(by_id[w]["start"] for w in c) - min(by_id[w]["end"] for w in c)).days <= window_days
        for c in components
    ):
        assert sorted(groups(result)) == components
    # coordination never digs more; one piece per work here, so without = rows and lengths
    assert result.excavations_without == len(rows)
    assert result.metres_without == pytest.approx(sum(r["t1"] - r["t0"] for r in rows))
    assert result.excavations_with <= result.excavations_without
    assert result.metres_with <= result.metres_without + 1e-9
