"""A real PostGIS over a real connection: SQLAlchemy 2 + GeoAlchemy2 + psycopg 3 + geopandas.

Every test here runs against the session's throwaway cluster (``tests/postgis.py``) in a schema
of its own, so ``LINKPLAN_TEST_DATABASE_URL`` may name a shared database. Coordinates are in the
working CRS EPSG:4546, in metres around ``tests.geometries.ORIGIN``, so lengths are worked out
by hand.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import geopandas as gpd
import psycopg.errors
import pytest
from geoalchemy2 import Geometry, WKBElement
from geoalchemy2.shape import from_shape, to_shape
from shapely import LineString, Point, Polygon, box
from shapely.affinity import translate
from sqlalchemy import (
    Engine,
    Index,
    String,
    create_engine,
    func,
    select,
    text,
)
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column
from sqlalchemy.sql.functions import Function

from tests.geometries import ORIGIN

pytest_plugins = ["pytester"]
pytestmark = pytest.mark.postgis

SRID = 4546


def at(geom: LineString | Point | Polygon) -> LineString | Point | Polygon:
    """Move local metres to EPSG:4546 around ``ORIGIN`` (a spot in 掇刀区)."""
    return translate(geom, *ORIGIN)


def local_box(minx: float, miny: float, maxx: float, maxy: float) -> Polygon:
    """A rectangle in local metres, moved to EPSG:4546."""
    moved = at(box(minx, miny, maxx, maxy))
    assert isinstance(moved, Polygon)
    return moved


def envelope(minx: float, miny: float, maxx: float, maxy: float) -> Function[Any]:
    """``ST_MakeEnvelope`` of a rectangle in local metres, in EPSG:4546."""
    x0, y0 = ORIGIN
    return func.ST_MakeEnvelope(x0 + minx, y0 + miny, x0 + maxx, y0 + maxy, SRID)


# Three mains, lengths by hand: an L of 300 m east then 400 m north (700 m), a 3-4-5 diagonal of
# 50 m and a straight 120 m main far to the north-east.
LINES: dict[str, LineString] = {
    "W-L": LineString([(0, 0), (300, 0), (300, 400)]),
    "W-D": LineString([(0, 100), (30, 140)]),
    "G-FAR": LineString([(10_000, 10_000), (10_000, 10_120)]),
}
LENGTHS_M = {"W-L": 700.0, "W-D": 50.0, "G-FAR": 120.0}
UTILITIES = {"W-L": "water", "W-D": "water", "G-FAR": "gas"}


class Base(DeclarativeBase):
    """Declarative base of the test tables (real storage models come with the web service)."""


class Main(Base):
    """A network main: the ``LineString`` layers of the workspace contract in PostGIS."""

    __tablename__ = "mains"
    __table_args__ = (Index("ix_mains_geom", "geom", postgresql_using="gist"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    asset_id: Mapped[str] = mapped_column(String(32), unique=True)
    utility: Mapped[str] = mapped_column(String(16))
    # The GiST index is declared above under a name of ours rather than by GeoAlchemy2.
    geom: Mapped[WKBElement] = mapped_column(
        Geometry("LINESTRING", srid=SRID, spatial_index=False), nullable=False
    )


def main_row(asset_id: str, line: LineString | Point, srid: int = SRID) -> Main:
    """A ``Main`` from a shapely geometry in local metres."""
    return Main(
        asset_id=asset_id,
        utility=UTILITIES.get(asset_id, "water"),
        geom=from_shape(at(line), srid=srid),
    )


@pytest.fixture(scope="module")
def schema(postgis_url: str) -> Iterator[str]:
    """A fresh schema for this module's tables, dropped with everything in it at the end."""
    name = f"linkplan_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgis_url)
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{name}"'))
        yield name
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
    finally:
        admin.dispose()


@pytest.fixture(scope="module")
def engine(postgis_url: str, schema: str) -> Iterator[Engine]:
    """An engine whose connections work in ``schema`` (PostGIS itself lives in ``public``)."""
    engine = create_engine(postgis_url, connect_args={"options": f"-c search_path={schema},public"})
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture
def tables(engine: Engine) -> Iterator[Engine]:
    """The test tables, empty, created for one test and dropped after it."""
    Base.metadata.create_all(engine)
    try:
        yield engine
    finally:
        Base.metadata.drop_all(engine)


@pytest.fixture
def mains(tables: Engine) -> Engine:
    """The three mains of ``LINES`` stored through the ORM."""
    with Session(tables) as session, session.begin():
        session.add_all(main_row(asset_id, line) for asset_id, line in LINES.items())
    return tables


def asset_ids(engine: Engine, *where: object) -> list[str]:
    """Sorted asset ids of the mains matching the SQL conditions ``where``."""
    with Session(engine) as session:
        return sorted(session.scalars(select(Main.asset_id).where(*where)))  # type: ignore[arg-type]


def test_the_database_has_postgis(engine: Engine) -> None:
    with engine.connect() as connection:
        version = connection.scalar(text("SELECT postgis_lib_version()"))
        srid = connection.scalar(
            text("SELECT auth_srid FROM spatial_ref_sys WHERE srid = :srid"), {"srid": SRID}
        )
    assert version is not None
    assert version.split(".")[0] == "3"
    assert srid == SRID


def test_the_geometry_column_has_a_gist_index_that_queries_use(mains: Engine, schema: str) -> None:
    with mains.connect() as connection:
        indexes: dict[str, str] = dict(
            connection.execute(
                text(
                    "SELECT indexname, indexdef FROM pg_indexes"
                    " WHERE schemaname = :schema AND tablename = 'mains'"
                ),
                {"schema": schema},
            ).all()
        )
        column = connection.execute(
            text(
                "SELECT type, srid FROM geometry_columns"
                " WHERE f_table_schema = :schema AND f_table_name = 'mains'"
            ),
            {"schema": schema},
        ).one()
        # With sequential scans priced out, the bbox filter must go through the index.
        connection.execute(text("SET LOCAL enable_seqscan = off"))
        plan = "\n".join(
            connection.scalars(
                text(
                    "EXPLAIN SELECT asset_id FROM mains"
                    " WHERE geom && ST_MakeEnvelope(0, 0, 1, 1, 4546)"
                )
            )
        )
    assert "ix_mains_geom" in indexes
    assert "USING gist (geom)" in indexes["ix_mains_geom"]
    assert tuple(column) == ("LINESTRING", SRID)
    assert "ix_mains_geom" in plan


def test_lengths_are_the_hand_computed_metres(mains: Engine) -> None:
    with Session(mains) as session:
        lengths: dict[str, float] = dict(
            session.execute(select(Main.asset_id, func.ST_Length(Main.geom))).all()
        )
    assert lengths == pytest.approx(LENGTHS_M, abs=1e-9)


def test_distance_and_intersection_queries(mains: Engine) -> None:
    # 150 m along the L's first leg and 50 m north of it: the L is 50 m away, the diagonal
    # (whose nearest end is 120 m west and 90 m north) 150 m.
    probe = from_shape(at(Point(150, 50)), srid=SRID)
    assert asset_ids(mains, func.ST_DWithin(Main.geom, probe, 60.0)) == ["W-L"]
    assert asset_ids(mains, func.ST_DWithin(Main.geom, probe, 150.5)) == ["W-D", "W-L"]
    assert asset_ids(mains, func.ST_DWithin(Main.geom, probe, 49.9)) == []

    # A parcel straddling the L's northern leg, and one between the two mains.
    straddling = from_shape(local_box(290, 200, 310, 220), srid=SRID)
    between = from_shape(local_box(100, 150, 200, 250), srid=SRID)
    assert asset_ids(mains, func.ST_Intersects(Main.geom, straddling)) == ["W-L"]
    assert asset_ids(mains, func.ST_Intersects(Main.geom, between)) == []


def test_bbox_filter_is_coarser_than_intersects(mains: Engine) -> None:
    # `&&` compares bounding boxes: the box between the mains lies inside the L's bounding box
    # (0..300 × 0..400) without touching the L, and inside the district box but far from G-FAR.
    district = envelope(-10, -10, 400, 500)
    inside_l_bbox = envelope(100, 150, 200, 250)
    assert asset_ids(mains, Main.geom.op("&&", is_comparison=True)(district)) == ["W-D", "W-L"]
    assert asset_ids(mains, Main.geom.op("&&", is_comparison=True)(inside_l_bbox)) == ["W-L"]
    assert asset_ids(mains, func.ST_Intersects(Main.geom, inside_l_bbox)) == []


def test_orm_reads_back_the_same_geometries(mains: Engine) -> None:
    with Session(mains) as session:
        stored = {main.asset_id: main for main in session.scalars(select(Main))}
        shapes = {asset_id: to_shape(main.geom) for asset_id, main in stored.items()}
        srids = {main.geom.srid for main in stored.values()}
    assert srids == {SRID}
    assert shapes.keys() == LINES.keys()
    for asset_id, line in LINES.items():
        assert shapes[asset_id].equals_exact(at(line), tolerance=0.0), asset_id


def test_geopandas_reads_postgis_with_crs_and_exact_geometries(mains: Engine) -> None:
    with mains.connect() as connection:
        frame = gpd.read_postgis(
            text("SELECT asset_id, utility, geom FROM mains ORDER BY asset_id"),
            connection,
            geom_col="geom",
        )
    assert frame.crs is not None
    assert frame.crs.to_epsg() == SRID
    assert list(frame["asset_id"]) == sorted(LINES)
    assert list(frame["utility"]) == [UTILITIES[a] for a in sorted(LINES)]
    expected = gpd.GeoSeries([at(LINES[a]) for a in sorted(LINES)], crs=f"EPSG:{SRID}")
    assert frame.geometry.geom_equals_exact(expected, tolerance=0.0).all()
    assert frame.geometry.length.tolist() == pytest.approx(
        [LENGTHS_M[a] for a in sorted(LINES)], abs=1e-9
    )


@pytest.mark.parametrize(
    ("second", "error", "words"),
    [
        pytest.param(
            lambda: main_row("W-L", LineString([(0, 0), (10, 0)])),
            psycopg.errors.UniqueViolation,
            "duplicate key",
            id="duplicate-asset-id",
        ),
        pytest.param(
            lambda: main_row("W-P", Point(5, 5)),
            psycopg.errors.InvalidParameterValue,
            "Geometry type (Point) does not match column type (LineString)",
            id="point-in-linestring-column",
        ),
        pytest.param(
            lambda: Main(
                asset_id="W-4326",
                utility="water",
                geom=from_shape(LineString([(112.2, 30.95), (112.21, 30.95)]), srid=4326),
            ),
            psycopg.errors.InvalidParameterValue,
            "Geometry SRID (4326) does not match column SRID (4546)",
            id="wgs84-in-4546-column",
        ),
    ],
)
def test_a_transaction_failing_midway_leaves_the_table_unchanged(
    mains: Engine, second: Callable[[], Main], error: type[Exception], words: str
) -> None:
    before = asset_ids(mains)
    with pytest.raises(DBAPIError) as raised, Session(mains) as session, session.begin():
        session.add(main_row("W-NEW", LineString([(0, 500), (100, 500)])))
        session.flush()  # the first insert reaches the database...
        session.add(second())
        session.flush()  # ...and the second one fails, so the whole transaction rolls back
    assert isinstance(raised.value.orig, error)
    assert words in str(raised.value.orig)
    assert asset_ids(mains) == before
    with Session(mains) as session:
        assert session.scalar(select(func.count()).select_from(Main)) == len(LINES)


INNER_TEST = """
import pytest

@pytest.mark.postgis
def test_needs_postgis():
    pytest.skip("no PostGIS here")

def test_unrelated():
    pytest.skip("skipped for another reason")
"""


def run_inner(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    """Run a tiny suite whose ``postgis`` test skips, with this plugin loaded."""
    pytester.makepyfile(test_inner=INNER_TEST)
    return pytester.runpytest("-p", "tests.postgis", "-p", "no:cacheprovider", *args)


@pytest.mark.parametrize(
    ("variable", "workers"),
    [("CI", ()), ("LINKPLAN_REQUIRE_POSTGIS", ()), ("CI", ("-n", "2"))],
    ids=["CI", "LINKPLAN_REQUIRE_POSTGIS", "CI-two-workers"],
)
def test_a_skipped_postgis_test_fails_the_run_in_ci(
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    variable: str,
    workers: tuple[str, ...],
) -> None:
    """Also with the tests spread over pytest-xdist workers, as ``make test`` runs them."""
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("LINKPLAN_REQUIRE_POSTGIS", raising=False)
    monkeypatch.setenv(variable, "1")
    result = run_inner(pytester, *workers)
    result.assert_outcomes(skipped=2)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(
        [
            "*PostGIS tests skipped*",
            "*test_inner.py::test_needs_postgis: Skipped: no PostGIS here",
        ]
    )
    # A skip of an unmarked test does not count.
    result.stdout.no_fnmatch_line("*test_inner.py::test_unrelated:*")


@pytest.mark.parametrize("ci", [None, "", "0", "false"])
def test_a_skipped_postgis_test_passes_outside_ci(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, ci: str | None
) -> None:
    monkeypatch.delenv("LINKPLAN_REQUIRE_POSTGIS", raising=False)
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    result = run_inner(pytester)
    result.assert_outcomes(skipped=2)
    assert result.ret == pytest.ExitCode.OK
    result.stdout.no_fnmatch_line("*PostGIS tests skipped*")
