"""Read vector files: GeoPackage, GeoJSON and ESRI Shapefile (plain or zipped).

Chinese Shapefiles are often written by desktop GIS in GBK (code page 936), sometimes with a
``.cpg`` file saying so and often without one. Without a ``.cpg`` GDAL falls back to
ISO-8859-1 and names such as 白云大道 come out as mojibake, so :func:`read_vector` decides the
encoding itself: a ``.cpg`` it understands wins; otherwise the text bytes of the ``.dbf`` are
decoded as strict UTF-8 and, if that fails, as GB18030 (a superset of GBK and GB2312); see
:func:`detect_dbf_encoding`.

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

from gis.errors import InputFormatError
from gis.io.safezip import DEFAULT_MAX_TOTAL_BYTES, SHAPEFILE_MAX_RATIO, check_zip

__all__ = ["detect_dbf_encoding", "list_vector_layers", "read_vector"]

EXPECTED_FORMATS = (
    "a GeoPackage (.gpkg), GeoJSON (.geojson/.json), Shapefile (.shp) "
    "or zipped Shapefile (.zip holding .shp/.shx/.dbf)"
)
"""What :func:`read_vector` accepts, for error messages."""

_DBF_SCAN_BYTES = 64 * 1024 * 1024
"""Encoding detection reads at most this much of a ``.dbf``."""

_GDAL_ERRORS = (DataSourceError, DataLayerError, OSError, UnicodeDecodeError)


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


def _zip_shapefiles(path: Path) -> tuple[dict[str, str], list[str]]:
    """Return the ``.shp`` members of a zip by stem, and all member names."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError) as exc:
        msg = f"{str(path)!r} is not a readable zip archive ({exc}): expected {EXPECTED_FORMATS}"
        raise InputFormatError(msg) from exc
    # path traversal, links and decompression bombs are refused before GDAL opens anything
    check_zip(path, max_total_bytes=DEFAULT_MAX_TOTAL_BYTES, max_ratio=SHAPEFILE_MAX_RATIO)
    shapefiles: dict[str, str] = {}
    for name in names:
        member = PurePosixPath(name)
        if member.suffix.lower() == ".shp" and "__MACOSX" not in member.parts:
            shapefiles.setdefault(member.stem, name)
    if not shapefiles:
        msg = (
            f"zip archive {str(path)!r} contains no .shp file (members: {names[:10]}): "
            f"expected a zipped Shapefile"
        )
        raise InputFormatError(msg)
    return shapefiles, names


def _pick_layer(path: Path, layer: str | None, available: list[str]) -> str:
    """Return the layer of ``available`` that ``layer`` names (exact, then case-insensitive)."""
    if layer is None:
        if len(available) == 1:
            return available[0]
        msg = (
            f"{str(path)!r} holds {len(available)} layers {available}: "
            "expected layer= to name one of them"
        )
        raise InputFormatError(msg)
    if layer in available:
        return layer
    folded = [name for name in available if name.casefold() == layer.casefold()]
    if len(folded) == 1:
        return folded[0]
    msg = f"{str(path)!r} has no layer {layer!r}: expected one of {available}"
    raise InputFormatError(msg)


def _sibling(members: list[str], shp: str, suffix: str) -> str | None:
    """Return the member next to ``shp`` with ``suffix`` (any case), if there is one."""
    stem = str(PurePosixPath(shp).with_suffix("")).casefold()
    for name in members:
        member = PurePosixPath(name)
        if member.suffix.lower() == suffix and str(member.with_suffix("")).casefold() == stem:
            return name
    return None


def list_vector_layers(path: str | os.PathLike[str]) -> list[str]:
    """List the layers of a vector file: names to pass as ``layer=`` to :func:`read_vector`.

    Parameters
    ----------
    path
        A GeoPackage, GeoJSON, Shapefile or zip of Shapefiles.

    Returns
    -------
    list of str
        Layer names; for a zip the stems of its ``.shp`` members.

    Raises
    ------
    InputFormatError
        If the file does not exist or GDAL cannot open it.
    """
    p = _require_path(path)
    if p.suffix.lower() == ".zip":
        return list(_zip_shapefiles(p)[0])
    try:
        layers = pyogrio.list_layers(p)
    except _GDAL_ERRORS as exc:
        msg = f"cannot read {str(p)!r} as a vector file ({exc}): expected {EXPECTED_FORMATS}"
        raise InputFormatError(msg) from exc
    return [str(name) for name in layers[:, 0]]


def read_vector(
    path: str | os.PathLike[str], *, layer: str | None = None, encoding: str | None = None
) -> gpd.GeoDataFrame:
    """Read one layer of a vector file into a GeoDataFrame in the file's own CRS.

    Parameters
    ----------
    path
        A GeoPackage (``.gpkg``), GeoJSON (``.geojson``/``.json``), Shapefile (``.shp``) or a
        zip archive of one or more Shapefiles (``.zip``). Other formats GDAL opens also work.
    layer
        Layer to read: for a GeoPackage its table name, for a zip the stem of a ``.shp``
        member (case-insensitive). Required when the file holds more than one layer.
    encoding
        Text encoding of the attributes, e.g. ``"GBK"``. By default a Shapefile's encoding
        comes from its ``.cpg`` or, without one, is detected from the ``.dbf`` content
        (:func:`detect_dbf_encoding`); other formats use what GDAL reports (UTF-8).

    Returns
    -------
    geopandas.GeoDataFrame
        The features with their attributes; ``crs`` is the file's CRS (``None`` if the file
        declares none, e.g. a Shapefile without ``.prj``).

    Raises
    ------
    InputFormatError
        If the file is missing or unreadable, the layer is ambiguous or not found, or it has no
        geometry column.
    """
    p = _require_path(path)
    suffix = p.suffix.lower()
    source: str | Path = p
    read_layer: str | None = layer
    if suffix == ".zip":
        shapefiles, members = _zip_shapefiles(p)
        stem = _pick_layer(p, layer, list(shapefiles))
        shp = shapefiles[stem]
        if encoding is None:

            def from_zip(ext: str) -> bytes | None:
                member = _sibling(members, shp, ext)
                if member is None:
                    return None
                with zipfile.ZipFile(p) as archive, archive.open(member) as handle:
                    return handle.read(_DBF_SCAN_BYTES)

            encoding = _shapefile_encoding(f"{p}!{shp}", from_zip)
        source = f"/vsizip/{p.resolve()}/{shp}"
        read_layer = None
    elif suffix == ".shp":
        _pick_layer(p, layer, [p.stem])
        if encoding is None:
            folder = [f.name for f in p.parent.iterdir()]

            def from_folder(ext: str) -> bytes | None:
                member = _sibling(folder, p.name, ext)
                if member is None:
                    return None
                with (p.parent / member).open("rb") as handle:
                    return handle.read(_DBF_SCAN_BYTES)

            encoding = _shapefile_encoding(str(p), from_folder)
        read_layer = None
    else:
        read_layer = _pick_layer(p, layer, list_vector_layers(p))
    try:
        gdf = pyogrio.read_dataframe(source, layer=read_layer, encoding=encoding)
    except _GDAL_ERRORS as exc:
        where = f"{str(p)!r}" + (f" layer {read_layer!r}" if read_layer else "")
        msg = f"cannot read {where} as a vector file ({exc}): expected {EXPECTED_FORMATS}"
        raise InputFormatError(msg) from exc
    if not isinstance(gdf, gpd.GeoDataFrame):
        msg = f"{str(p)!r} layer {read_layer or p.stem!r} has no geometry: expected a vector layer"
        raise InputFormatError(msg)
    return gdf
