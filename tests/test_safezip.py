"""Zipped Shapefiles from outside: real malicious archives are refused before anything is written.

Every archive here is built byte for byte in the test: traversal names, an absolute path, a
symbolic link, a 200 MB member of zeros, a header that lies about the size, overlapping
members. Each refusal is checked for its exact message and for leaving the file system as it
was (nothing in the destination, nothing beside it).
"""

from __future__ import annotations

import io
import re
import stat
import struct
import tracemalloc
import zipfile
import zlib
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from gis.errors import InputFormatError
from gis.io.files import read_vector
from gis.io.safezip import SHAPEFILE_MAX_RATIO, check_zip, safe_extract

MB = 1024 * 1024


# ------------------------------------------------------------------------------- helpers


def _zip(members: dict[str, bytes], *, method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def _tree(root: Path) -> list[str]:
    """Every file and folder under ``root`` (links too), relative, sorted."""
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


def _refused(tmp_path: Path, archive: bytes | Path, message: str, **limits) -> None:
    """Assert that both the check and the extraction refuse with ``message`` and write nothing."""
    limits.setdefault("max_total_bytes", 10 * MB)
    limits.setdefault("label", "upload.zip")
    with pytest.raises(InputFormatError) as checked:
        check_zip(archive, **limits)
    assert str(checked.value) == message
    before = _tree(tmp_path)
    dest = tmp_path / "out" / "dest"
    with pytest.raises(InputFormatError) as extracted:
        safe_extract(archive, dest, **limits)
    assert str(extracted.value) == message
    assert _tree(tmp_path) == before
    assert not dest.exists()


def _central_entry(data: bytes, name: str) -> int:
    """Offset of ``name``'s entry in the central directory."""
    raw = name.encode()
    for m in re.finditer(b"PK\x01\x02", data):
        p = m.start()
        n = struct.unpack_from("<H", data, p + 28)[0]
        if data[p + 46 : p + 46 + n] == raw:
            return p
    raise AssertionError(name)


# central directory entry: flags +8 (2 bytes), CRC +16, sizes +20/+24, local header
# offset +42 (4 bytes each); local header: CRC +14, uncompressed size +22 (4 bytes each)
CD_FLAGS, CD_CRC, CD_CSIZE, CD_USIZE, CD_OFFSET = 8, 16, 20, 24, 42
LH_CRC, LH_USIZE = 14, 22
_TWO_BYTE_CD_FIELDS = {CD_FLAGS}


def _patch(data: bytes, name: str, *, central: dict[int, int], local: dict[int, int]) -> bytes:
    """Overwrite fields (offset → value) of a member's central-directory and local headers."""
    out = bytearray(data)
    cd = _central_entry(data, name)
    for offset, value in central.items():
        struct.pack_into("<H" if offset in _TWO_BYTE_CD_FIELDS else "<L", out, cd + offset, value)
    lh = zipfile.ZipFile(io.BytesIO(data)).getinfo(name).header_offset
    for offset, value in local.items():
        struct.pack_into("<L", out, lh + offset, value)
    return bytes(out)


def _zeros_zip(path: Path, name: str, size: int) -> None:
    """A member of ``size`` zero bytes, written as a stream (never all in memory)."""
    block = bytes(MB)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z, z.open(name, "w") as out:
        for _ in range(size // MB):
            out.write(block)


# ------------------------------------------------------------------------------- good input


@pytest.fixture
def shapefile_zip(tmp_path: Path) -> Path:
    """A real zipped Shapefile with Chinese names, written by pyogrio (UTF-8 with .cpg)."""
    folder = tmp_path / "shp"
    folder.mkdir()
    roads = gpd.GeoDataFrame(
        {"road_id": ["R1", "R2"], "name": ["掇刀路", "白云大道"], "road_class": ["arterial", "branch"]},
        geometry=[
            shapely.LineString([(500000, 3400000), (500300, 3400000)]),
            shapely.LineString([(500300, 3400000), (500300, 3400400)]),
        ],
        crs="EPSG:4546",
    )
    roads.to_file(folder / "roads.shp", engine="pyogrio")
    archive = tmp_path / "roads.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        for f in sorted(folder.iterdir()):
            z.write(f, f"roads/{f.name}")
    return archive


def test_good_shapefile_is_accepted_and_extracted_inside_dest(shapefile_zip, tmp_path):
    infos = check_zip(shapefile_zip, max_total_bytes=MB)
    assert sorted(i.filename for i in infos) == [
        "roads/roads.cpg",
        "roads/roads.dbf",
        "roads/roads.prj",
        "roads/roads.shp",
        "roads/roads.shx",
    ]
    dest = tmp_path / "x" / "unpacked"
    files = safe_extract(shapefile_zip, dest, max_total_bytes=MB)
    assert [f.relative_to(dest.resolve()).as_posix() for f in files] == [i.filename for i in infos]
    assert all(f.resolve().is_relative_to(dest.resolve()) for f in files)
    with zipfile.ZipFile(shapefile_zip) as z:
        assert all(f.read_bytes() == z.read(i) for f, i in zip(files, infos))
    extracted = read_vector(dest / "roads" / "roads.shp")
    zipped = read_vector(shapefile_zip)
    assert list(extracted["name"]) == list(zipped["name"]) == ["掇刀路", "白云大道"]


def test_extract_refuses_an_existing_file_and_removes_what_it_wrote(shapefile_zip, tmp_path):
    dest = tmp_path / "d"
    (dest / "roads").mkdir(parents=True)
    (dest / "roads" / "roads.shp").write_bytes(b"mine")
    before = _tree(tmp_path)
    with pytest.raises(InputFormatError, match=r"member 'roads/roads.shp' not extracted: .* exists already"):
        safe_extract(shapefile_zip, dest, max_total_bytes=MB)
    assert _tree(tmp_path) == before  # roads.cpg/.dbf/.prj, extracted before it, are gone again
    assert (dest / "roads" / "roads.shp").read_bytes() == b"mine"


def test_extract_never_writes_through_a_link_already_in_dest(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    dest = tmp_path / "dest"
    dest.mkdir()
    (dest / "sub").symlink_to(outside, target_is_directory=True)
    before = _tree(tmp_path)
    archive = _zip({"ok.txt": b"fine", "sub/x.shp": b"evil"})
    with pytest.raises(InputFormatError, match=r"member 'sub/x.shp' not extracted: .* leads outside"):
        safe_extract(archive, dest, max_total_bytes=MB)
    assert _tree(tmp_path) == before
    assert list(outside.iterdir()) == []


# ------------------------------------------------------------------------------- names


def test_parent_component_is_refused(tmp_path):
    _refused(
        tmp_path,
        _zip({"roads.shp": b"x", "../evil.shp": b"evil"}),
        "upload.zip: member '../evil.shp' refused: its name has a '..' component, which would "
        "write outside the destination folder",
    )


def test_absolute_path_is_refused(tmp_path):
    name = str(tmp_path / "abs_evil.shp")  # where a naive extraction would write it
    _refused(
        tmp_path,
        _zip({name: b"evil"}),
        f"upload.zip: member {name!r} refused: its name is an absolute path",
    )
    assert not Path(name).exists()


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("..\\evil.shp", "its name has a '..' component, which would write outside the destination folder"),
        ("roads\\..\\..\\evil.shp", "its name has a '..' component, which would write outside the destination folder"),
        ("\\evil.shp", "its name is an absolute path"),
        ("C:\\evil.shp", "its name starts with a drive letter"),
        ("C:evil.shp", "its name starts with a drive letter"),
        (
            "roads\\roads.shp",
            "its name holds a backslash: zip names separate folders with '/', and '\\' "
            "separates folders on Windows",
        ),
    ],
)
def test_windows_tricks_are_refused(tmp_path, name, reason):
    _refused(tmp_path, _zip({name: b"evil"}), f"upload.zip: member {name!r} refused: {reason}")


def test_names_differing_only_in_case_are_refused(tmp_path):
    _refused(
        tmp_path,
        _zip({"roads.shp": b"a", "ROADS.SHP": b"b"}),
        "upload.zip: member 'ROADS.SHP' refused: another member has the same name ('roads.shp')",
    )


# ------------------------------------------------------------------------------- kinds


def test_symlink_member_is_refused(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("roads.shp", b"x")
        link = zipfile.ZipInfo("roads.dbf")
        link.create_system = 3
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        z.writestr(link, "/etc/passwd")
    _refused(
        tmp_path,
        buf.getvalue(),
        "upload.zip: member 'roads.dbf' refused: it is a symbolic link, which could point "
        "outside the destination folder",
    )


def test_fifo_member_is_refused(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        fifo = zipfile.ZipInfo("pipe")
        fifo.external_attr = (stat.S_IFIFO | 0o644) << 16
        z.writestr(fifo, b"")
    _refused(
        tmp_path,
        buf.getvalue(),
        "upload.zip: member 'pipe' refused: it is a special file (device, FIFO or socket)",
    )


def test_encrypted_member_is_refused(tmp_path):
    data = _zip({"roads.shp": b"x" * 100})
    data = _patch(data, "roads.shp", central={CD_FLAGS: 1}, local={})
    _refused(tmp_path, data, "upload.zip: member 'roads.shp' refused: it is encrypted")


def test_bzip2_member_is_refused(tmp_path):
    _refused(
        tmp_path,
        _zip({"roads.shp": b"x" * 100}, method=zipfile.ZIP_BZIP2),
        "upload.zip: member 'roads.shp' refused: it uses compression method 12 (bzip2): "
        "expected stored or deflated, the methods GDAL reads",
    )


def test_too_many_members_are_refused(tmp_path):
    _refused(
        tmp_path,
        _zip({f"f{i}.txt": b"" for i in range(11)}),
        "upload.zip holds more than 10 members: at most 10 are accepted",
        max_files=10,
    )


def test_members_are_counted_before_zipfile_parses_the_directory(monkeypatch):
    """The end record says 1 member; the directory holds 2,000 (zipfile would read them all)."""
    data = bytearray(_zip({f"f{i}.txt": b"" for i in range(2000)}))
    end = data.rfind(b"PK\x05\x06")
    struct.pack_into("<HH", data, end + 8, 1, 1)
    assert len(zipfile.ZipFile(io.BytesIO(bytes(data))).infolist()) == 2000

    def no_parsing(*args, **kwargs):
        raise AssertionError("zipfile.ZipFile called")

    monkeypatch.setattr(zipfile, "ZipFile", no_parsing)
    with pytest.raises(InputFormatError, match=r"^zip archive \(.* bytes\) holds more than 1,000 members"):
        check_zip(bytes(data), max_total_bytes=MB)


# ------------------------------------------------------------------------------- bombs


@pytest.fixture(scope="module")
def zeros_200mb(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("bomb") / "bomb.zip"
    _zeros_zip(path, "roads.dbf", 200 * MB)
    return path


def test_200mb_of_zeros_is_refused_for_its_ratio(tmp_path, zeros_200mb):
    info = zipfile.ZipFile(zeros_200mb).getinfo("roads.dbf")
    assert info.file_size == 200 * MB and info.compress_size < 250_000
    ratio = info.file_size / info.compress_size
    _refused(
        tmp_path,
        zeros_200mb,
        f"upload.zip: member 'roads.dbf' refused: its compression ratio is {ratio:,.0f}:1 "
        f"(209,715,200 bytes from {info.compress_size:,}), over the limit of 100:1",
        max_total_bytes=1024 * MB,
    )
    # the Shapefile ratio (500:1) refuses it as well: zeros deflate at DEFLATE's ceiling
    with pytest.raises(InputFormatError, match="over the limit of 500:1"):
        check_zip(zeros_200mb, max_total_bytes=1024 * MB, max_ratio=SHAPEFILE_MAX_RATIO)


def test_200mb_of_zeros_is_refused_for_its_declared_size(tmp_path, zeros_200mb):
    _refused(
        tmp_path,
        zeros_200mb,
        "upload.zip: member 'roads.dbf' refused: the members up to it declare 209,715,200 "
        "bytes uncompressed, over the limit of 104,857,600 bytes",
        max_total_bytes=100 * MB,
        max_ratio=2000,
    )


@pytest.fixture
def lying_zip() -> bytes:
    """2 MiB of zeros whose two headers say 10,000 bytes (the CRC is the real one)."""
    data = _zip({"roads.shp": b"shp", "roads.dbf": bytes(2 * MB)})
    return _patch(data, "roads.dbf", central={CD_USIZE: 10_000}, local={LH_USIZE: 10_000})


def test_header_lying_about_the_size_passes_the_headers_but_not_the_counter(tmp_path, lying_zip):
    info = zipfile.ZipFile(io.BytesIO(lying_zip)).getinfo("roads.dbf")
    assert info.file_size == 10_000  # what a check of the headers alone sees
    _refused(
        tmp_path,
        lying_zip,
        "upload.zip: member 'roads.dbf' refused: its data decompress past the limit of "
        "1,048,576 bytes for the whole archive, though its header says 10,000 bytes",
        max_total_bytes=MB,
    )
    _refused(
        tmp_path,
        lying_zip,
        "upload.zip: member 'roads.dbf' refused: its data decompress to 2,097,152 bytes but "
        "its header says 10,000",
        max_total_bytes=100 * MB,
    )


def test_overlapping_members_are_refused(tmp_path):
    """Two directory entries sharing one member's data (the non-recursive zip bomb)."""
    data = _zip({"a.shp": bytes(1000), "b.shp": bytes(1000)})
    data = _patch(data, "b.shp", central={CD_OFFSET: 0}, local={})
    _refused(
        tmp_path,
        data,
        "upload.zip: member 'b.shp' refused: its data are those of member 'a.shp' "
        "(overlapping members: a zip-bomb construction)",
    )


def test_local_header_naming_another_file_is_refused(tmp_path):
    data = bytearray(_zip({"a.shp": b"x", "b.shp": b"y"}))
    local = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo("b.shp").header_offset
    data[local + 30 : local + 35] = b"c.shp"
    _refused(
        tmp_path,
        bytes(data),
        "upload.zip: member 'b.shp' refused: its local header names 'c.shp': an archive whose "
        "two directories disagree is read differently by different tools",
    )


def test_altered_data_fail_the_crc(tmp_path):
    data = _zip({"roads.shp": b"abc" * 100})
    wrong = zlib.crc32(b"something else")
    data = _patch(data, "roads.shp", central={CD_CRC: wrong}, local={LH_CRC: wrong})
    _refused(
        tmp_path,
        data,
        "upload.zip: member 'roads.shp' refused: its CRC-32 does not match its data "
        "(damaged or altered)",
    )


def test_damaged_deflate_data_are_refused(tmp_path):
    data = bytearray(_zip({"roads.shp": bytes(range(256)) * 64}))
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo("roads.shp")
    start = info.header_offset + 30 + len("roads.shp")
    data[start : start + 8] = b"\xff" * 8
    with pytest.raises(InputFormatError, match=r"^upload.zip: member 'roads.shp' refused: its data cannot be inflated \(Error -3"):
        check_zip(bytes(data), max_total_bytes=MB, label="upload.zip")


def test_deflate_stream_cut_short_is_refused(tmp_path):
    data = _zip({"roads.shp": bytes(range(256)) * 64, "roads.dbf": b"x"})
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo("roads.shp")
    data = _patch(data, "roads.shp", central={CD_CSIZE: info.compress_size - 10}, local={})
    _refused(
        tmp_path,
        data,
        "upload.zip: member 'roads.shp' refused: its deflate stream is cut short (a damaged archive)",
    )


def test_not_a_zip_and_missing_file(tmp_path):
    with pytest.raises(InputFormatError, match=r"^zip archive \(5 bytes\) is not a readable zip archive"):
        check_zip(b"hello", max_total_bytes=MB)
    with pytest.raises(InputFormatError, match=r"zip archive '.*none.zip' not found"):
        check_zip(tmp_path / "none.zip", max_total_bytes=MB)


def test_arcgis_style_dbf_passes_at_the_shapefile_ratio(tmp_path):
    """Text fields padded with spaces to width 254 deflate past 100:1: real data, no bomb."""
    records = b"".join(
        b" "
        + str(i).rjust(10).encode()
        + ("掇刀路" if i % 3 else "白云大道").encode("gbk").ljust(254)
        + b" " * 254
        + b"arterial".ljust(50)
        for i in range(8000)
    )
    archive = _zip({"roads.dbf": records})
    info = zipfile.ZipFile(io.BytesIO(archive)).getinfo("roads.dbf")
    assert 100 < info.file_size / info.compress_size < SHAPEFILE_MAX_RATIO
    with pytest.raises(InputFormatError, match="over the limit of 100:1"):
        check_zip(archive, max_total_bytes=100 * MB)
    assert check_zip(archive, max_total_bytes=100 * MB, max_ratio=SHAPEFILE_MAX_RATIO)


def test_lying_bomb_is_streamed_in_small_chunks(zeros_200mb):
    """200 MB of zeros declared as 10,000 bytes: refused at the limit, never held in memory."""
    data = _patch(
        zeros_200mb.read_bytes(), "roads.dbf", central={CD_USIZE: 10_000}, local={LH_USIZE: 10_000}
    )
    tracemalloc.start()
    try:
        with pytest.raises(InputFormatError, match="decompress past the limit of 104,857,600 bytes"):
            check_zip(data, max_total_bytes=100 * MB)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < len(data) + 2 * MB


def test_read_vector_refuses_a_malicious_zip_before_gdal_reads_it(shapefile_zip, tmp_path):
    """``linkplan import ws.gpkg roads.zip`` runs the same checks (gis/io/files.py)."""
    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(shapefile_zip) as good, zipfile.ZipFile(evil, "w", zipfile.ZIP_DEFLATED) as z:
        for info in good.infolist():
            z.writestr(info.filename, good.read(info))
        z.writestr("../../evil.txt", b"evil")
    with pytest.raises(InputFormatError, match=r"member '\.\./\.\./evil\.txt' refused: its name has a '\.\.' component"):
        read_vector(evil)
    assert len(read_vector(shapefile_zip)) == 2
