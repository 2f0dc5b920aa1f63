"""Cross-section check of one shared trench (planning.cross_section; issue 4 item 2).

The profile is ``gis/profiles/clearances.yaml``. The widths the hand computations use:

    working space 0.3 m each side (GB 50268-2008 表4.3.2)
    water DN200 → ductile iron OD 222 mm = 0.222 m      gas dn160 → 0.160 m, dn110 → 0.110 m
    power 10 kV duct bank 0.6 m      telecom duct bank 0.5 m
    heat hot water (pre-insulated pair) 1.0 m, steam 0.9 m

Clearances (GB 50289-2016 表4.1.9 / GB 50028-2006 表6.3.3-1): power–telecom 0.5, telecom–water
1.0, water–gas (low/medium) 0.5, gas(medium)–heat(direct buried) 1.0, power–heat 2.0,
water–heat 1.5, telecom–heat 1.0, water–power 0.5, gas(low/medium)–power 0.5 direct buried,
1.0 in ducts; gas(low/medium)–telecom 1.0 in ducts.

Each pipe's left edge is the largest of (right edge of every pipe before it + their clearance),
counted from the inner edge of the working space on the red-line side.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

import gis.profile
from gis.errors import ProfileError
from gis.profile import Profile, load_profile
from planning.cross_section import (
    Clearance,
    CrossSectionError,
    Pipe,
    _partitions,
    check_section,
    clearance,
    order_pipes,
    pipe_for,
)

CLEARANCES = Path(gis.profile.__file__).with_name("profiles") / "clearances.yaml"


@pytest.fixture(scope="module")
def profile() -> Profile:
    return load_profile(str(CLEARANCES))


def water(p: Profile, dn: float = 200, asset_id: str | None = None) -> Pipe:
    return pipe_for(
        "water", {"diameter_mm": dn, "status": "existing"}, profile=p, asset_id=asset_id
    )


def gas(p: Profile, cls: str = "medium_a", d: float = 160, **extra: object) -> Pipe:
    return pipe_for("gas", {"pressure_class": cls, "diameter_mm": d, **extra}, profile=p)


def power(p: Profile, kv: float = 10, **extra: object) -> Pipe:
    return pipe_for("power", {"voltage_kv": kv, **extra}, profile=p)


def telecom(p: Profile, asset_id: str | None = None) -> Pipe:
    return pipe_for("telecom", {"operator": "china_telecom"}, profile=p, asset_id=asset_id)


def heat(p: Profile, medium: str = "hot_water") -> Pipe:
    return pipe_for(
        "heat", {"medium": medium, "pressure_mpa": 1.0, "temperature_c": 130}, profile=p
    )


def test_widths_from_attributes(profile: Profile) -> None:
    assert water(profile).width_m == 0.222  # GB/T 13295 DN200 → DE 222
    assert water(profile, 180).width_m == 0.222  # between rows: the next size up
    assert water(profile, 1200).width_m == pytest.approx(1.248)  # beyond: DN1000's +48 mm
    assert gas(profile, d=160).width_m == 0.16
    assert power(profile, 0.4).width_m == 0.4
    assert power(profile, 10).width_m == 0.6
    assert power(profile, 110).width_m == 1.2
    assert telecom(profile).width_m == 0.5
    assert heat(profile).width_m == 1.0
    assert heat(profile, "steam").width_m == 0.9
    explicit = pipe_for("power", {"voltage_kv": 10, "width_m": 0.45}, profile=profile)
    assert explicit.width_m == 0.45
    assert power(profile).attrs["laying"] == "duct"  # profile default_laying
    assert heat(profile).attrs["laying"] == "direct_buried"


def test_water_and_telecom_fit_in_2_5_m(profile: Profile) -> None:
    # telecom [0, 0.5]; water at 0.5 + 1.0 = 1.5 → [1.5, 1.722]
    # width = 0.3 + 1.722 + 0.3 = 2.322 m ≤ 2.5 m
    check = check_section([water(profile), telecom(profile)], available_m=2.5, profile=profile)
    assert [p.utility for p in check.order] == ["telecom", "water"]  # telecom nearer the red line
    assert check.width_m == pytest.approx(2.322)
    assert check.offsets_m == pytest.approx((0.3, 1.8))
    assert check.available_m == 2.5
    assert check.fits
    assert check.split == ()
    (c,) = check.clearances
    assert (c.a, c.b, c.metres) == ("telecom", "water", 1.0)
    assert "GB 50289-2016 表4.1.9" in c.source
    assert check.message == "需 2.33 m，可用 2.5 m，可同槽敷设；净距 通信–给水 1.0 m"


def test_five_utilities_do_not_fit_and_are_split(profile: Profile) -> None:
    pipes = [gas(profile), power(profile), water(profile), telecom(profile), heat(profile)]
    check = check_section(pipes, available_m=2.5, profile=profile)
    # power   [0, 0.6]
    # telecom 0.6 + 0.5 = 1.1                              → [1.1, 1.6]
    # water   max(0.6 + 0.5, 1.6 + 1.0) = 2.6              → [2.6, 2.822]
    # gas     max(0.6 + 1.0, 1.6 + 1.0, 2.822 + 0.5) = 3.322 → [3.322, 3.482]
    # heat    max(0.6 + 2.0, 1.6 + 1.0, 2.822 + 1.5, 3.482 + 1.0) = 4.482 → [4.482, 5.482]
    # width = 0.3 + 5.482 + 0.3 = 6.082 m > 2.5 m
    assert [p.utility for p in check.order] == ["power", "telecom", "water", "gas", "heat"]
    assert check.width_m == pytest.approx(6.082)
    assert check.offsets_m == pytest.approx((0.3, 1.4, 2.9, 3.622, 4.782))
    assert not check.fits
    assert [(c.a, c.b, c.metres) for c in check.clearances] == [
        ("power", "telecom", 0.5),
        ("telecom", "water", 1.0),
        ("water", "gas", 0.5),
        ("gas", "heat", 1.0),
    ]
    assert "gas.pressure_class=medium_a" in check.clearances[2].source
    # alone: power 1.2, telecom 1.1, water 0.822, gas 0.76, heat 1.6 (all fit)
    # pairs that fit: power+telecom 2.2, power+water 1.922, power+gas 0.6+1.0+0.16+0.6 = 2.36,
    #   telecom+water 2.322, telecom+gas 0.5+1.0+0.16+0.6 = 2.26, water+gas 1.482;
    #   every pair with heat is too wide (gas+heat 0.16+1.0+1.0+0.6 = 2.76), so heat is alone
    # no triple of power/telecom/water/gas fits (power+water+gas: gas at max(1.6, 1.322+0.5)
    #   = 1.822 → 0.3 + 1.982 + 0.3 = 2.582), so 3 trenches; the two pairs with least width:
    #   power+telecom + water+gas = 3.682 < power+water + telecom+gas = 4.182 < 4.682
    assert check.split == (("power", "telecom"), ("water", "gas"), ("heat",))
    assert [g.width_m for g in check.groups] == pytest.approx([2.2, 1.482, 1.6])
    assert all(g.fits and g.available_m == 2.5 for g in check.groups)
    assert check.message == (
        "需 6.09 m，可用 2.5 m；净距 电力–通信 0.5 m、通信–给水 1.0 m、给水–燃气 0.5 m、"
        "燃气–热力 1.0 m；建议分 3 条沟槽：电力+通信 2.2 m、给水+燃气 1.49 m、热力 1.6 m"
    )


def test_order_matches_gb50289(profile: Profile) -> None:
    # §4.1.3: 电力、通信、给水（配水）、燃气（配气）、热力、燃气（输气）、给水（输水）
    pipes = [
        water(profile, 200, "W-dist"),
        water(profile, 800, "W-trunk"),
        gas(profile, "medium_b"),
        gas(profile, "subhigh_b", 300),
        heat(profile),
        power(profile),
        telecom(profile),
    ]
    expected = [
        "power",
        "telecom",
        "water:W-dist",
        "gas",
        "heat",
        "gas",
        "water:W-trunk",
    ]
    rng = random.Random(7)
    for _ in range(5):
        shuffled = pipes[:]
        rng.shuffle(shuffled)
        ordered = order_pipes(shuffled, profile=profile)
        assert [p.label for p in ordered] == expected
        assert ordered[3].attrs["pressure_class"] == "medium_b"  # 配气 before 热力, 输气 after


def test_same_place_keeps_given_order(profile: Profile) -> None:
    a, b = telecom(profile, "T-2"), telecom(profile, "T-1")
    assert [p.label for p in order_pipes([a, power(profile), b], profile=profile)] == [
        "power",
        "telecom:T-2",
        "telecom:T-1",
    ]


def test_clearance_from_a_pipe_further_left_binds(profile: Profile) -> None:
    pipes = [
        heat(profile, "steam"),
        gas(profile, "low", 110),
        power(profile, laying="direct_buried"),
    ]
    check = check_section(pipes, available_m=5.0, profile=profile)
    # power (direct buried) [0, 0.6]; gas low: 0.6 + 0.5 = 1.1 → [1.1, 1.21]
    # steam: max(1.21 + 1.0, 0.6 + 2.0) = 2.6 → [2.6, 3.5]: power–heat binds, not gas–heat
    # width = 0.3 + 3.5 + 0.3 = 4.1 m
    assert check.width_m == pytest.approx(4.1)
    assert check.fits
    assert [(c.a, c.b, c.metres) for c in check.clearances] == [
        ("power", "gas", 0.5),
        ("power", "heat", 2.0),
    ]


def test_gas_pressure_class_and_laying_change_the_clearance(profile: Profile) -> None:
    w = water(profile)
    assert clearance(w, gas(profile, "medium_b"), profile=profile).metres == 0.5
    assert clearance(gas(profile, "subhigh_b"), w, profile=profile).metres == 1.0
    assert clearance(w, gas(profile, "subhigh_a"), profile=profile).metres == 1.5
    duct, buried = power(profile), power(profile, laying="direct_buried")
    assert clearance(gas(profile), duct, profile=profile).metres == 1.0  # 在导管内
    assert clearance(gas(profile), buried, profile=profile).metres == 0.5  # 直埋
    assert clearance(gas(profile, "subhigh_a"), buried, profile=profile).metres == 1.5
    trench = pipe_for("heat", {"medium": "steam", "laying": "trench"}, profile=profile)
    c = clearance(gas(profile, "subhigh_a"), trench, profile=profile)
    assert c == Clearance("gas", "heat", 4.0, c.source)  # 热力管沟, GB 50028 表6.3.3-1
    assert "heat.laying=trench" in c.source
    with pytest.raises(ProfileError, match=r"gas\.pressure_class = 'high_b'"):
        clearance(w, gas(profile, "high_b"), profile=profile)


def test_profile_override_of_one_clearance(profile: Profile, tmp_path: Path) -> None:
    city = tmp_path / "city-clearances.yaml"
    city.write_text(
        f"name: city\nextends: {CLEARANCES}\n"
        "cross_section:\n  clearance_m:\n    water-telecom:\n"
        "      value: 1.5\n      source: city table (test)\n",
        encoding="utf-8",
    )
    override = load_profile(str(city))
    pipes = [water(profile), telecom(profile)]
    check = check_section(pipes, available_m=2.5, profile=override)
    # telecom [0, 0.5]; water at 0.5 + 1.5 = 2.0 → [2.0, 2.222]; 0.3 + 2.222 + 0.3 = 2.822 > 2.5
    assert check.width_m == pytest.approx(2.822)
    assert not check.fits
    assert check.clearances == (Clearance("telecom", "water", 1.5, "city table (test)"),)
    assert check.split == (("telecom",), ("water",))  # 1.1 m and 0.822 m
    assert check.message.startswith("需 2.83 m，可用 2.5 m；净距 通信–给水 1.5 m；建议分 2 条沟槽")
    # the other pairs still come from the base table
    assert clearance(water(override), power(override), profile=override).metres == 0.5


def test_single_pipe_wider_than_available(profile: Profile) -> None:
    check = check_section([heat(profile), water(profile)], available_m=1.5, profile=profile)
    # heat alone 0.3 + 1.0 + 0.3 = 1.6 m > 1.5 m: no split can help
    assert not check.fits
    assert check.split == ()
    assert "单独敷设仍需 热力 1.6 m" in check.message
    assert "无法分槽" in check.message


def test_unknown_utility_is_a_clear_error(profile: Profile) -> None:
    with pytest.raises(CrossSectionError, match=r"unknown utility 'sewer'.*water, gas, heat"):
        pipe_for("sewer", {"diameter_mm": 400}, profile=profile)
    rogue = Pipe("sewer", "S-1", 0.4, {})
    with pytest.raises(ValueError, match="unknown utility 'sewer'"):
        check_section([water(profile), rogue], available_m=3.0, profile=profile)


def test_bad_attributes_are_named(profile: Profile) -> None:
    with pytest.raises(CrossSectionError, match=r"water pipe W-9: field 'diameter_mm' is missing"):
        pipe_for("water", {"asset_id": "W-9"}, profile=profile)
    with pytest.raises(CrossSectionError, match=r"field 'pressure_class' is 'medium'.*medium_b"):
        pipe_for("gas", {"pressure_class": "medium", "diameter_mm": 160}, profile=profile)
    with pytest.raises(CrossSectionError, match=r"field 'laying' is 'aerial'"):
        pipe_for("power", {"voltage_kv": 10, "laying": "aerial"}, profile=profile)
    with pytest.raises(CrossSectionError, match=r"field 'medium' is None"):
        pipe_for("heat", {}, profile=profile)
    with pytest.raises(CrossSectionError, match="available width"):
        check_section([water(profile)], available_m=0, profile=profile)
    with pytest.raises(CrossSectionError, match="at least one pipe"):
        check_section([], available_m=2.0, profile=profile)
    with pytest.raises(CrossSectionError, match="telecom appear more than once"):
        check_section([telecom(profile), telecom(profile)], available_m=5.0, profile=profile)


def test_missing_pair_is_a_profile_error(profile: Profile) -> None:
    with pytest.raises(ProfileError, match="给水–给水"):
        check_section(
            [water(profile, 200, "W-1"), water(profile, 300, "W-2")],
            available_m=5.0,
            profile=profile,
        )


def test_many_pipes_use_first_fit(profile: Profile) -> None:
    pipes = [telecom(profile, f"T-{i}") for i in range(9)]
    # two duct banks: 0.3 + 0.5 + 0.5 + 0.5 + 0.3 = 2.1 m; three: 3.1 m > 2.1 m
    check = check_section(pipes, available_m=2.1, profile=profile)
    assert not check.fits
    assert [len(g) for g in check.split] == [2, 2, 2, 2, 1]
    assert all(g.fits for g in check.groups)


def test_partitions_of_five_is_bell_52() -> None:
    parts = list(_partitions(list(range(5))))
    assert len(parts) == 52
    assert len({tuple(sorted(tuple(sorted(g)) for g in p)) for p in parts}) == 52
