"""The window's red line (用地红线): pasted, drawn, uploaded; checked; added without loss.

Every parser is fed a hand-made 100 m × 50 m rectangle (5,000 m², by hand) in the working CRS
EPSG:4546, written in the input's own coordinates; the polygon read back must have its corners
and its area.
"""

from __future__ import annotations

import io
import json
import zipfile

import ezdxf
import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely import Polygon

from api.process.parcels import ParcelInput, add_site, preview_parcel, read_parcel
from gis.chinacoords import wgs84_to_gcj02
from gis.crs import transformer
from gis.errors import ValidationError
from gis.parcels import parse_points
from tests.service import client_fixture

CRS = "EPSG:4546"
X0, Y0 = 613_000.0, 3_418_000.0  # in the demo scope (掇刀区), 200 m from a road, on no site
CORNERS = [(X0, Y0), (X0 + 100, Y0), (X0 + 100, Y0 + 50), (X0, Y0 + 50)]
AREA = 100 * 50

client = client_fixture()


def _lonlat() -> list[tuple[float, float]]:
    t = transformer(CRS, "EPSG:4326")
    return [tuple(t.transform(x, y)) for x, y in CORNERS]


def _corners_of(polygon: Polygon) -> np.ndarray:
    """The corners in a fixed order (a Shapefile turns rings clockwise)."""
    return np.array(sorted(polygon.exterior.coords[:-1], key=lambda c: (round(c[0]), round(c[1]))))


def _assert_rectangle(polygon: Polygon, *, tol: float = 0.01) -> None:
    assert polygon.area == pytest.approx(AREA, abs=0.5)
    assert np.abs(_corners_of(polygon) - np.array(sorted(CORNERS))).max() < tol


def _pasted(points, system: str) -> Polygon:
    text = "\n".join(f"{x:.10f},{y:.10f}" for x, y in points)
    return read_parcel(ParcelInput(pasted=text, system=system), working_crs=CRS)


# ----------------------------------------------------------------------------- pasted points


def test_pasted_wgs84_gives_the_rectangle():
    _assert_rectangle(_pasted(_lonlat(), "wgs84"))


def test_pasted_gcj02_is_converted_back_by_its_known_offset():
    lon, lat = zip(*_lonlat())
    glon, glat = wgs84_to_gcj02(np.array(lon), np.array(lat))
    gcj = list(zip(glon.tolist(), glat.tolist()))
    _assert_rectangle(_pasted(gcj, "gcj02"))
    # the same numbers taken as WGS84 land a few hundred metres off (GCJ-02's offset here)
    shifted = _pasted(gcj, "wgs84")
    offset = shapely.distance(shapely.centroid(shifted), shapely.centroid(Polygon(CORNERS)))
    assert 300 < offset < 800


def test_pasted_cgcs2000_degrees_and_surveyors_metres():
    _assert_rectangle(_pasted(_lonlat(), "cgcs2000"), tol=0.05)  # CGCS2000 ≈ WGS84 (cm)
    # projected metres given as surveyors write them: X (northing) first, Y (easting) second
    swapped = [(y, x) for x, y in CORNERS]
    _assert_rectangle(_pasted(swapped, "cgcs2000"), tol=1e-6)


def test_every_bad_line_is_named_at_once():
    with pytest.raises(ValidationError) as err:
        parse_points("112.2,31.0\n112.3\nabc,31\n112.2,31.1\n")
    values = [p.value for p in err.value.problems]
    assert values == ["第 2 行「112.3」", "第 3 行「abc,31」"]
    assert all(p.field == "coordinates" for p in err.value.problems)


def test_self_intersecting_red_line_is_refused():
    a, b, c, d = CORNERS
    with pytest.raises(ValidationError) as err:
        _pasted([a, c, b, d], "cgcs2000")  # a bow-tie
    (problem,) = err.value.problems
    assert problem.code == "self_intersection" and "自相交" in problem.value


def test_degrees_declared_as_metres_are_refused():
    with pytest.raises(ValidationError) as err:
        _pasted(CORNERS, "wgs84")
    assert err.value.problems[0].code == "not_degrees"


# ----------------------------------------------------------------------------- drawn and files


def test_drawn_geojson_in_wgs84():
    ring = [*_lonlat(), _lonlat()[0]]
    drawn = json.dumps({"type": "Polygon", "coordinates": [ring]})
    _assert_rectangle(read_parcel(ParcelInput(drawn=drawn), working_crs=CRS))


def test_kml_file():
    coords = " ".join(f"{x:.10f},{y:.10f},0" for x, y in [*_lonlat(), _lonlat()[0]])
    kml = (
        '<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2">'
        "<Document><Placemark><name>红线</name><Polygon><outerBoundaryIs><LinearRing>"
        f"<coordinates>{coords}</coordinates></LinearRing></outerBoundaryIs></Polygon>"
        "</Placemark></Document></kml>"
    ).encode()
    _assert_rectangle(read_parcel(ParcelInput(upload=("红线.kml", kml)), working_crs=CRS))


def test_kml_with_entities_is_refused():
    kml = b'<?xml version="1.0"?><!DOCTYPE kml [<!ENTITY x "y">]><kml>&x;</kml>'
    with pytest.raises(ValidationError) as err:
        read_parcel(ParcelInput(upload=("bad.kml", kml)), working_crs=CRS)
    assert "DOCTYPE" in err.value.problems[0].value


def test_zipped_shapefile(tmp_path):
    gpd.GeoDataFrame({"name": ["红线"]}, geometry=[Polygon(CORNERS)], crs=CRS).to_file(
        tmp_path / "parcel.shp", encoding="utf-8"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for part in ("shp", "shx", "dbf", "prj", "cpg"):
            if (tmp_path / f"parcel.{part}").exists():
                z.write(tmp_path / f"parcel.{part}", f"parcel.{part}")
    source = ParcelInput(upload=("用地.zip", buffer.getvalue()))
    _assert_rectangle(read_parcel(source, working_crs=CRS), tol=1e-6)


def test_dxf_closed_polyline_in_cgcs2000(tmp_path):
    doc = ezdxf.new()
    doc.modelspace().add_lwpolyline(CORNERS, close=True, dxfattribs={"layer": "红线"})
    doc.modelspace().add_line((0, 0), (10, 10), dxfattribs={"layer": "标注"})  # not closed
    doc.saveas(tmp_path / "site.dxf")
    source = ParcelInput(upload=("site.dxf", (tmp_path / "site.dxf").read_bytes()))
    _assert_rectangle(read_parcel(source, working_crs=CRS), tol=1e-6)


def test_unknown_file_type_names_the_file():
    with pytest.raises(ValidationError) as err:
        read_parcel(ParcelInput(upload=("site.exe", b"MZ")), working_crs=CRS)
    assert err.value.problems[0].field == "file" and err.value.problems[0].value == "site.exe"


# ----------------------------------------------------------------------------- stored


def _sites(client) -> gpd.GeoDataFrame:
    return client.app.state.linkplan.store.layer("sites")


def test_overlap_warning_names_the_other_project(client):
    state = client.app.state.linkplan
    other = _sites(client).set_index("project_id").loc["JM-2026-003"]
    square = shapely.box(*other.geometry.centroid.buffer(20).bounds)  # 40 m × 40 m inside it
    t = transformer(CRS, "EPSG:4326")
    drawn = json.dumps(shapely.geometry.mapping(shapely.transform(square, t.transform, interleaved=False)))
    preview = preview_parcel(state, ParcelInput(drawn=drawn))
    (overlap,) = [w for w in preview.warnings if w.code == "overlap"]
    assert f"JM-2026-003「{other['name']}」" in overlap.value
    assert "1,600 m²" in overlap.value
    assert preview.area_m2 == pytest.approx(1600, abs=0.5)
    # an applicant is told the overlap, not whose land it is
    hidden = preview_parcel(state, ParcelInput(drawn=drawn), reveal_names=False)
    (told,) = [w for w in hidden.warnings if w.code == "overlap"]
    assert told.value == "与已登记的其他项目用地重叠 约 1,600 m²"
    assert "JM-2026-003" not in str(told) and other["name"] not in str(told)


def test_adding_a_parcel_keeps_every_other_site(client):
    state = client.app.state.linkplan
    before = _sites(client)
    result = add_site(
        state, Polygon(CORNERS), project_id="JM-2026-900", name="测试地块",
        enterprise_type="industrial", user="intake",
    )
    after = _sites(client)
    assert len(after) == len(before) + 1
    assert set(after["project_id"]) == set(before["project_id"]) | {"JM-2026-900"}
    assert result.added == ["JM-2026-900"] and result.removed == [] and result.changed == []
    # a second site with the same id is refused, and nothing changes
    with pytest.raises(ValidationError):
        add_site(state, Polygon(CORNERS), project_id="JM-2026-900", name="重复",
                 enterprise_type="industrial", user="intake")
    assert len(_sites(client)) == len(after)


def test_a_failing_project_step_stores_no_site(client):
    state = client.app.state.linkplan
    before = len(_sites(client))

    def fail(_session):
        raise RuntimeError("project refused")

    with pytest.raises(RuntimeError):
        add_site(state, Polygon(CORNERS).buffer(-1), project_id="JM-2026-901", name="回滚",
                 enterprise_type="industrial", user="intake", then=fail)
    assert len(_sites(client)) == before




def test_implausible_parcels_are_warned_about(demo_ws):
    from gis.parcels import parcel_findings

    layers = {n: demo_ws.layer(n) for n in ("sites", "scope", "roads")}
    far = shapely.box(640_000, 3_440_000, 640_010, 3_440_010)  # 100 m², 20 km+ away
    codes = {p.code for p in parcel_findings(far, **layers)}
    assert codes == {"outside_scope", "far_from_roads", "implausible_area"}
    fine = parcel_findings(Polygon(CORNERS), **layers)  # 5,000 m², 200 m from a road, in scope
    assert fine == []
