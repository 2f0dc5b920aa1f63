"""Read vector files: GeoPackage, GeoJSON and ESRI Shapefile (plain or zipped).

Chinese Shapefiles are often written by desktop GIS in GBK (code page 936), sometimes with a
``.cpg`` file saying so and often without one. Without a ``.cpg`` GDAL falls back to
ISO-8859-1 and names such as 白云大道 come out as mojibake, so :func:`read_vector` decides the
encoding itself: a ``.cpg`` it understands wins; otherwise the text bytes of the ``.dbf`` are
decoded as strict UTF-8 and, if that fails, as GB18030 (a superset of GBK and GB2312); see
:func:`detect_dbf_encoding`.

Files come from outside, so each is opened only as the format its extension declares, after
its content was checked to be that format (:mod:`gis.io.sniff`), with that format's GDAL
driver and with GDAL kept off the network: an OGR VRT called ``network.geojson`` (which could
read other files and databases or fetch URLs) is refused, whatever its name.

Layers come back in their source CRS; reproject with :func:`gis.crs.to_working_crs`.
"""

from __future__ import annotations

import codecs
import os
import re
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath

import geopandas as gpd
import pyogrio
from pyogrio.errors import DataLayerError, DataSourceError
from shapely.errors import GEOSException

from gis.errors import InputFormatError
from gis.io.safezip import DEFAULT_MAX_TOTAL_BYTES, SHAPEFILE_MAX_RATIO, check_zip
from gis.io.sniff import (
    check_geojson,
    check_geopackage,
    check_shapefile,
    gdal_offline,
    gdal_source,
)

__all__ = ["SHAPEFILE_PARTS", "detect_dbf_encoding", "list_vector_layers", "read_vector"]

EXPECTED_FORMATS = (
    "a GeoPackage (.gpkg), GeoJSON (.geojson/.json), Shapefile (.shp) "
    "or zipped Shapefile (.zip holding .shp/.shx/.dbf)"
)
"""What :func:`read_vector` accepts, for error messages."""

_DBF_SCAN_BYTES = 64 * 1024 * 1024
"""Encoding detection reads at most this much of a ``.dbf``."""

_PART_HEAD = 70 * 1024
"""Bytes read from each Shapefile part to check it (a ``.dbf`` header is at most 64 KiB)."""

SHAPEFILE_PARTS = frozenset(
    {".shp", ".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx", ".xml", ".fix"}
)
"""The members a zipped Shapefile may hold (``.shp.xml`` metadata included)."""

_Part = tuple[bytes, int]
"""A file's first bytes and its full size."""

_DRIVERS = {".gpkg": "GPKG", ".geojson": "GeoJSON", ".json": "GeoJSON"}
"""The one GDAL driver each declared format is opened with (Shapefiles: ESRI Shapefile)."""

_GDAL_ERRORS = (DataSourceError, DataLayerError, OSError, UnicodeDecodeError, GEOSException)
"""What reading a checked file may raise: GDAL's errors and GEOS refusing a geometry (a line
of one point)."""


def detect_dbf_encoding(dbf: bytes) -> str | None:
    r"""Guess the text encoding of a dBASE (``.dbf``) file from its field names and text values.

    Every non-ASCII field name and character (``C``) value is decoded as strict UTF-8 (a
    multi-byte character cut at the end of a field is tolerated); if all decode, the file is
    UTF-8. Otherwise it is GB18030 (superset of GBK/GB2312, what Chinese desktop GIS write)
    if that decodes, else ISO-8859-1.

    Parameters
    ----------
    dbf
        The file's bytes (or its first part: header plus some records).

    Returns
    -------
    str or None
        ``"UTF-8"``, ``"GB18030"`` or ``"ISO-8859-1"``; ``None`` if ``dbf`` is not a dBASE
        file. Pure ASCII content gives ``"UTF-8"``.

    Examples
    --------
    >>> head = bytes([3, 126, 1, 1]) + struct.pack("<IHH", 1, 65, 9) + bytes(20)
    >>> field = b"NAME".ljust(11, b"\0") + b"C" + bytes(4) + bytes([8, 0]) + bytes(14)
    >>> dbf = head + field + b"\r" + b" " + "白云大道".encode("gbk")
    >>> detect_dbf_encoding(dbf)
    'GB18030'
    >>> detect_dbf_encoding(dbf.replace("白云大道".encode("gbk"), b"Baiyun  "))
    'UTF-8'
    """
    texts = _dbf_texts(dbf)
    if texts is None:
        return None
    non_ascii = [t for t in texts if not t.isascii()]
    for encoding in ("UTF-8", "GB18030"):
        try:
            for text in non_ascii:
                # final=False: a character truncated by the field width is not an error
                codecs.getincrementaldecoder(encoding)("strict").decode(text, final=False)
        except UnicodeDecodeError:
            continue
        return encoding
    return "ISO-8859-1"


def _dbf_texts(dbf: bytes) -> list[bytes] | None:
    """Return the field names and text values of a ``.dbf``, or ``None`` if it is not one."""
    if len(dbf) < 33:
        return None
    n_records = struct.unpack_from("<I", dbf, 4)[0]
    header_len, record_len = struct.unpack_from("<HH", dbf, 8)
    if header_len < 33 or record_len < 1:
        return None
    texts: list[bytes] = []
    text_fields: list[tuple[int, int]] = []
    offset = 1  # each record starts with the deletion flag
    pos = 32
    while pos + 32 <= min(header_len, len(dbf)) and dbf[pos] != 0x0D:
        descriptor = dbf[pos : pos + 32]
        texts.append(descriptor[:11].split(b"\0", 1)[0])
        kind = chr(descriptor[11])
        width = descriptor[16]
        if kind == "C":  # shapelib: character fields keep the high byte of the width in 17
            width += descriptor[17] << 8
            text_fields.append((offset, width))
        offset += width
        pos += 32
    for record in range(n_records):
        start = header_len + record * record_len
        if start + record_len > len(dbf):
            break
        for field_offset, width in text_fields:
            value = dbf[start + field_offset : start + field_offset + width].rstrip(b" \0")
            if value:
                texts.append(value)
    return texts


def _cpg_encoding(cpg: str) -> str | None:
    """Translate the content of a ``.cpg`` file to an encoding name, ``None`` if unknown.

    Examples
    --------
    >>> [_cpg_encoding(t) for t in ("GBK", "936", "ANSI 936", "UTF-8", "88591", "System")]
    ['gbk', 'gbk', 'gbk', 'utf-8', 'iso8859-1', None]
    """
    text = cpg.strip().strip("\0").strip()
    if not text:
        return None
    number = re.fullmatch(r"(?:ANSI|CP|WINDOWS)?[\s_-]*(\d+)", text, flags=re.IGNORECASE)
    if number:
        digits = number.group(1)
        text = f"ISO-8859-{digits[4:]}" if digits.startswith("8859") else f"CP{digits}"
    try:
        return codecs.lookup(text).name
    except LookupError:
        return None


def _shapefile_encoding(path: str, read_sidecar: Callable[[str], bytes | None]) -> str | None:
    """Decide the encoding of a Shapefile's ``.dbf`` from its ``.cpg`` or its content."""
    cpg = read_sidecar(".cpg")
    if cpg is not None:
        declared = _cpg_encoding(cpg.decode("ascii", errors="replace"))
        if declared is not None:
            return declared
    dbf = read_sidecar(".dbf")
    if dbf is None:
        return None
    detected = detect_dbf_encoding(dbf)
    if detected is None:
        msg = f"{path}: the .dbf is not a dBASE table; expected the attribute table of a Shapefile"
        raise InputFormatError(msg)
    return detected


def existing_file(path: str | os.PathLike[str], *, kind: str, expected: str) -> Path:
    """Return ``path`` as a :class:`~pathlib.Path` if it is an existing file, else raise.

    Examples
    --------
    >>> existing_file("/no/such.dxf", kind="DXF file", expected="an existing .dxf file")
    Traceback (most recent call last):
    ...
    gis.errors.InputFormatError: DXF file '/no/such.dxf' not found: expected an existing .dxf file
    """
    p = Path(path)
    if not p.is_file():
        msg = f"{kind} {str(p)!r} not found: expected {expected}"
        raise InputFormatError(msg)
    return p


def _require_path(path: str | os.PathLike[str]) -> Path:
    return existing_file(path, kind="vector file", expected=EXPECTED_FORMATS)


def _unsupported(where: str, suffix: str) -> InputFormatError:
    msg = (
        f"文件 {where!r} 的格式 {suffix or '(无扩展名)'} 不受支持 "
        f"(file {where!r}: format {suffix or '(no extension)'!r} is not accepted; "
        f"expected {EXPECTED_FORMATS})"
    )
    return InputFormatError(msg)


def _zip_shapefiles(path: Path, where: str) -> tuple[dict[str, str], list[str]]:
    """Return the ``.shp`` members of a zip by stem, and all member names.

    Every member must be a part of a Shapefile (:data:`SHAPEFILE_PARTS`); AppleDouble files
    under ``__MACOSX/`` are allowed and never read.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError) as exc:
        msg = f"{where!r} is not a readable zip archive ({exc}): expected {EXPECTED_FORMATS}"
        raise InputFormatError(msg) from exc
    # path traversal, links and decompression bombs are refused before GDAL opens anything
    check_zip(path, max_total_bytes=DEFAULT_MAX_TOTAL_BYTES, max_ratio=SHAPEFILE_MAX_RATIO)
    shapefiles: dict[str, str] = {}
    for name in names:
        member = PurePosixPath(name)
        if name.endswith("/") or "__MACOSX" in member.parts:
            continue
        if member.suffix.lower() not in SHAPEFILE_PARTS:
            msg = (
                f"压缩包 {where!r} 含有非 Shapefile 文件 {name!r}，已拒绝 (zip archive {where!r} "
                f"holds {name!r}, which is not part of a Shapefile: expected only "
                f"{', '.join(sorted(SHAPEFILE_PARTS))} members)"
            )
            raise InputFormatError(msg)
        if member.suffix.lower() == ".shp":
            shapefiles.setdefault(member.stem, name)
    if not shapefiles:
        msg = (
            f"zip archive {where!r} contains no .shp file (members: {names[:10]}): "
            f"expected a zipped Shapefile"
        )
        raise InputFormatError(msg)
    return shapefiles, names


def _pick_layer(where: str, layer: str | None, available: list[str]) -> str:
    """Return the layer of ``available`` that ``layer`` names (exact, then case-insensitive)."""
    if layer is None:
        if len(available) == 1:
            return available[0]
        msg = (
            f"{where!r} holds {len(available)} layers {available}: "
            "expected layer= to name one of them"
        )
        raise InputFormatError(msg)
    if layer in available:
        return layer
    folded = [name for name in available if name.casefold() == layer.casefold()]
    if len(folded) == 1:
        return folded[0]
    msg = f"{where!r} has no layer {layer!r}: expected one of {available}"
    raise InputFormatError(msg)


def _sibling(members: list[str], shp: str, suffix: str) -> str | None:
    """Return the member next to ``shp`` with ``suffix`` (any case), if there is one."""
    stem = str(PurePosixPath(shp).with_suffix("")).casefold()
    for name in members:
        member = PurePosixPath(name)
        if member.suffix.lower() == suffix and str(member.with_suffix("")).casefold() == stem:
            return name
    return None


def _checked_shapefile(label: str, read_part: Callable[[str, int], _Part | None]) -> None:
    """Check the parts of one Shapefile (``read_part(suffix, n)`` → first bytes and size)."""
    suffixes = (".shp", ".shx", ".dbf", ".prj", ".cpg")
    check_shapefile(label, {suffix: read_part(suffix, _PART_HEAD) for suffix in suffixes})


def _zip_source(
    p: Path, where: str, layer: str | None, encoding: str | None
) -> tuple[str, str | None]:
    """Check the zipped Shapefile ``layer`` names; return its ``/vsizip/`` path and encoding."""
    shapefiles, members = _zip_shapefiles(p, where)
    shp = shapefiles[_pick_layer(where, layer, list(shapefiles))]

    def from_zip(ext: str, limit: int) -> _Part | None:
        member = _sibling(members, shp, ext)
        if member is None:
            return None
        with zipfile.ZipFile(p) as archive, archive.open(member) as handle:
            return handle.read(limit), archive.getinfo(member).file_size

    _checked_shapefile(f"{where}!{shp}", from_zip)
    if encoding is None:
        encoding = _shapefile_encoding(
            f"{where}!{shp}", lambda ext: _data(from_zip(ext, _DBF_SCAN_BYTES))
        )
    return f"/vsizip/{p.resolve()}/{shp}", encoding


def _shp_source(p: Path, where: str, layer: str | None, encoding: str | None) -> str | None:
    """Check a ``.shp`` and its siblings in its folder; return the ``.dbf`` encoding."""
    _pick_layer(where, layer, [p.stem])
    folder = [f.name for f in p.parent.iterdir()]

    def from_folder(ext: str, limit: int) -> _Part | None:
        member = p.name if ext == ".shp" else _sibling(folder, p.name, ext)
        if member is None:
            return None
        with (p.parent / member).open("rb") as handle:
            return handle.read(limit), (p.parent / member).stat().st_size

    _checked_shapefile(where, from_folder)
    if encoding is None:
        encoding = _shapefile_encoding(where, lambda ext: _data(from_folder(ext, _DBF_SCAN_BYTES)))
    return encoding


def _data(part: _Part | None) -> bytes | None:
    return None if part is None else part[0]


def _checked_source(p: Path, where: str) -> tuple[str, str]:
    """Check a GeoPackage or GeoJSON against its extension; return its GDAL name and driver."""
    driver = _DRIVERS.get(p.suffix.lower())
    if driver == "GPKG":
        check_geopackage(p, label=where)
    elif driver == "GeoJSON":
        check_geojson(p, label=where)
    else:
        raise _unsupported(where, p.suffix.lower())
    return gdal_source(p, driver), driver


def list_vector_layers(path: str | os.PathLike[str], *, label: str | None = None) -> list[str]:
    """List the layers of a vector file: names to pass as ``layer=`` to :func:`read_vector`.

    Parameters
    ----------
    path
        A GeoPackage, GeoJSON, Shapefile or zip of Shapefiles.
    label
        The file's name in messages (an upload's own name); default ``path``.

    Returns
    -------
    list of str
        Layer names; for a zip the stems of its ``.shp`` members.

    Raises
    ------
    InputFormatError
        If the file does not exist, is not the format its extension declares or GDAL cannot
        open it.
    """
    p = _require_path(path)
    where = label or str(p)
    suffix = p.suffix.lower()
    if suffix == ".zip":
        return list(_zip_shapefiles(p, where)[0])
    if suffix == ".shp":
        return [p.stem]
    source, _ = _checked_source(p, where)
    try:
        with gdal_offline():
            layers = pyogrio.list_layers(source)
    except _GDAL_ERRORS as exc:
        msg = f"cannot read {where!r} as a vector file ({exc}): expected {EXPECTED_FORMATS}"
        raise InputFormatError(msg) from exc
    return [str(name) for name in layers[:, 0]]


def read_vector(
    path: str | os.PathLike[str],
    *,
    layer: str | None = None,
    encoding: str | None = None,
    label: str | None = None,
) -> gpd.GeoDataFrame:
    """Read one layer of a vector file into a GeoDataFrame in the file's own CRS.

    The file is opened only as the format its extension declares, and only after its content
    was checked to be that format (:mod:`gis.io.sniff`): an OGR VRT or any other file GDAL
    would open is refused whatever it is called, and GDAL makes no network request meanwhile.

    Parameters
    ----------
    path
        A GeoPackage (``.gpkg``), GeoJSON (``.geojson``/``.json``), Shapefile (``.shp``) or a
        zip archive of one or more Shapefiles (``.zip``, Shapefile parts only).
    layer
        Layer to read: for a GeoPackage its table name, for a zip the stem of a ``.shp``
        member (case-insensitive). Required when the file holds more than one layer.
    encoding
        Text encoding of the attributes, e.g. ``"GBK"``. By default a Shapefile's encoding
        comes from its ``.cpg`` or, without one, is detected from the ``.dbf`` content
        (:func:`detect_dbf_encoding`); other formats use what GDAL reports (UTF-8).
    label
        The file's name in messages (an upload's own name); default ``path``.

    Returns
    -------
    geopandas.GeoDataFrame
        The features with their attributes; ``crs`` is the file's CRS (``None`` if the file
        declares none, e.g. a Shapefile without ``.prj``).

    Raises
    ------
    InputFormatError
        If the file is missing, unreadable or not the format its extension declares (a
        damaged ``.dbf`` is named as such), the layer is ambiguous or not found, or it has no
        geometry column.
    """
    p = _require_path(path)
    where = label or str(p)
    suffix = p.suffix.lower()
    driver = "ESRI Shapefile"
    read_layer: str | None = None
    if suffix == ".zip":
        source, encoding = _zip_source(p, where, layer, encoding)
    elif suffix == ".shp":
        source, encoding = str(p), _shp_source(p, where, layer, encoding)
    else:
        source, driver = _checked_source(p, where)
        read_layer = _pick_layer(where, layer, list_vector_layers(p, label=where))
    return _read_checked(source, driver, where, read_layer, encoding)


def _read_checked(
    source: str, driver: str, where: str, layer: str | None, encoding: str | None
) -> gpd.GeoDataFrame:
    """Read a checked source with GDAL offline, refusing any driver but ``driver``."""
    try:
        with gdal_offline():
            # GeoJSON and GPKG are forced by their prefix; a Shapefile has none, so check
            opened_by = (
                driver if driver != "ESRI Shapefile" else pyogrio.read_info(source)["driver"]
            )
            if opened_by != driver:
                msg = (
                    f"文件 {where!r} 被 GDAL 识别为 {opened_by}，已拒绝 (file {where!r} opens "
                    f"as {opened_by!r}: expected the {driver!r} driver only)"
                )
                raise InputFormatError(msg)
            gdf = pyogrio.read_dataframe(source, layer=layer, encoding=encoding)
    except _GDAL_ERRORS as exc:
        shown = f"{where!r}" + (f" layer {layer!r}" if layer else "")
        msg = f"cannot read {shown} as a vector file ({exc}): expected {EXPECTED_FORMATS}"
        raise InputFormatError(msg) from exc
    if not isinstance(gdf, gpd.GeoDataFrame):
        msg = f"{where!r} layer {layer or ''!r} has no geometry: expected a vector layer"
        raise InputFormatError(msg)
    return gdf
