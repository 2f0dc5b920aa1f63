"""Check that an input file is what it claims to be before any reader (GDAL above all) opens it.

GDAL opens a file with whichever of its drivers recognises the content, whatever the file is
called. An OGR VRT (an XML file) named ``network.geojson`` is opened as VRT, and a VRT can read
other files, run SQL against other databases and make GDAL fetch URLs (``/vsicurl/``). So every
file from outside is first checked here against the format its name declares, and refused with
an :class:`~gis.errors.InputFormatError` naming the file, the declared format, what the content
looks like (:func:`describe`) and what was expected:

- GeoJSON (:func:`check_geojson`): UTF-8 JSON whose top-level ``type`` is a GeoJSON type, with
  no ``crs`` GDAL would fetch (``"type": "link"``) and no GDAL virtual path (``/vsi...``);
- GeoPackage (:func:`check_geopackage`): an SQLite file with the GeoPackage ``application_id``
  holding tables only: no views, no virtual tables but the R-tree index, no triggers but
  GeoPackage's and GDAL's own, no generated columns (all of which run SQL when read);
- Shapefile (:func:`check_shapefile`): ``.shp``/``.shx`` with the Shapefile magic number and a
  well-formed ``.dbf`` (:func:`dbf_problem`: a damaged one is named as such);
- DXF, EPANET ``.inp``, OSM GraphML, OSM PBF/XML: their own signatures (:func:`check_dxf`,
  :func:`check_epanet`, :func:`check_graphml`, :func:`check_osm`).

The readers then open a checked file with the one GDAL driver of its format (``GeoJSON:`` and
``GPKG:`` prefixes, see :func:`gdal_source`) and inside :func:`gdal_offline`, which keeps GDAL
from making any network request while it reads.
"""

from __future__ import annotations

import json
import re
import sqlite3
import struct
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pyogrio

from gis.errors import InputFormatError

__all__ = [
    "check_dxf",
    "check_epanet",
    "check_geojson",
    "check_geopackage",
    "check_graphml",
    "check_osm",
    "check_shapefile",
    "dbf_problem",
    "describe",
    "gdal_offline",
    "gdal_source",
]

_HEAD = 64 * 1024
"""Bytes read from the start of a file to recognise it."""

_CHUNK = 1024 * 1024

GEOJSON_TYPES = frozenset(
    {
        "FeatureCollection",
        "Feature",
        "Point",
        "MultiPoint",
        "LineString",
        "MultiLineString",
        "Polygon",
        "MultiPolygon",
        "GeometryCollection",
    }
)
"""The top-level ``type`` values of a GeoJSON document."""

GPKG_APPLICATION_IDS = (b"GPKG", b"GP10", b"GP11")
"""The SQLite ``application_id`` of a GeoPackage (1.2+ and the older 1.0/1.1 values)."""

SHAPEFILE_MAGIC = struct.pack(">i", 9994)
"""First four bytes of a ``.shp`` and a ``.shx`` (big-endian 9994)."""

PBF_SIGNATURE = b"\n\tOSMHeader"
"""What follows the 4-byte length at the start of an ``.osm.pbf``: the first blob's type."""

_VSI = re.compile(rb"/vsi[a-z0-9_]*", re.IGNORECASE)
_CRS_NAME = re.compile(
    r"(?:urn:ogc:def:crs:[\w.:-]+|(?:EPSG|ESRI|IAU_2015|OGC):\w+|CRS84"
    r"|https?://www\.opengis\.net/def/crs/[\w./-]+)",
    re.IGNORECASE,
)
_DXF_SECTION = re.compile(r"^\s*0\s*\r?\n\s*SECTION\s*\r?$", re.MULTILINE)
_DXF_BINARY = b"AutoCAD Binary DXF\r\n\x1a\x00"
_INP_SECTION = re.compile(
    r"^\s*\[(TITLE|JUNCTIONS|RESERVOIRS|TANKS|PIPES|PUMPS|VALVES|OPTIONS|COORDINATES)\]",
    re.MULTILINE | re.IGNORECASE,
)
_XML_PROLOGUE = r"^\ufeff?\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--.*?-->\s*)*"
_XML_REFUSED = (b"<!doctype", b"<!entity", b"ogrvrtdatasource", b"vrtdataset")
"""Refused anywhere in an XML input: entity declarations and anything GDAL's VRT drivers open."""

_GPKG_TRIGGER = re.compile(
    r"(?:rtree_.+_(?:insert|update\d?|delete)|trigger_(?:insert|delete)_feature_count_.+"
    r"|gpkg_.+)",
    re.IGNORECASE,
)
"""Trigger names GeoPackage and GDAL write (R-tree upkeep, feature counts, spec checks).

Triggers run on writes only and a GeoPackage is opened read-only, so this is belt and braces.
"""

_DBF_VERSIONS = frozenset({0x02, 0x03, 0x04, 0x05, 0x30, 0x31, 0x32, 0x43, 0x63, 0x83, 0x8B})
_DBF_VERSIONS |= {0x8E, 0xCB, 0xE5, 0xF5, 0xFB}
_DBF_FIELD_TYPES = frozenset("CNFLDMIOBTY@+0GVPW")


# ------------------------------------------------------------------------------- describing


def describe(head: bytes) -> str:
    r"""Say what the first bytes of a file look like, for error messages.

    Examples
    --------
    >>> describe(b'<OGRVRTDataSource><OGRVRTLayer name="w">')
    'an OGR VRT (XML) data source'
    >>> describe(b"SQLite format 3\x00" + bytes(52) + b"GPKG")
    'a GeoPackage'
    >>> describe(b'{"type": "Topology"}'), describe(b"\x00\x01 junk \xff")
    ('JSON', 'binary data')
    """
    lowered = head[:_HEAD].lower()
    text = lowered.lstrip(b"\xef\xbb\xbf \t\r\n")
    for needle, what in (
        (b"ogrvrtdatasource", "an OGR VRT (XML) data source"),
        (b"vrtdataset", "a GDAL raster VRT (XML)"),
    ):
        if needle in lowered:
            return what
    signatures = (
        (
            head.startswith(b"SQLite format 3\x00") and head[68:72] in GPKG_APPLICATION_IDS,
            "a GeoPackage",
        ),
        (head.startswith(b"SQLite format 3\x00"), "an SQLite database (not a GeoPackage)"),
        (head.startswith(b"PK\x03\x04"), "a zip archive"),
        (head.startswith(SHAPEFILE_MAGIC), "an ESRI Shapefile geometry file (.shp/.shx)"),
        (head[4:15] == PBF_SIGNATURE, "an OSM PBF extract"),
        (head.startswith(_DXF_BINARY), "a binary DXF drawing"),
        (head.startswith(b"%PDF"), "a PDF document"),
        (head.startswith(b"\x1f\x8b"), "a gzip archive"),
        (text.startswith(b"<"), "XML"),
        (text.startswith((b"{", b"[")), "JSON"),
    )
    for matched, what in signatures:
        if matched:
            return what
    try:
        decoded = head[:_HEAD].decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not only a character cut at the end of the sample
            return "binary data"
        decoded = head[: exc.start].decode("utf-8")
    if _DXF_SECTION.search(decoded):
        return "a DXF drawing"
    if "\x00" in decoded:
        return "binary data"
    return "text" if decoded.strip() else "an empty file"


def _refused(label: str, declared: str, seen: str, expected: str) -> InputFormatError:
    msg = (
        f"文件 {label!r} 声明为 {declared}，但内容是 {seen}，已拒绝 "
        f"(file {label!r} declared as {declared} looks like {seen}: expected {expected})"
    )
    return InputFormatError(msg)


def _head(path: Path, size: int = _HEAD) -> bytes:
    with path.open("rb") as handle:
        return handle.read(size)


def _scan(path: Path, needles: tuple[bytes, ...]) -> bytes | None:
    """Return the first of ``needles`` found in the file (case-insensitive), else ``None``."""
    keep = max(len(n) for n in needles) - 1
    tail = b""
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            window = (tail + chunk).lower()
            for needle in needles:
                if needle in window:
                    return needle
            tail = window[-keep:] if keep else b""
    return None


# ------------------------------------------------------------------------------- GeoJSON

_GEOJSON_EXPECTED = "a GeoJSON FeatureCollection, Feature or geometry (UTF-8 JSON)"


def check_geojson(path: Path, *, label: str | None = None) -> None:
    """Refuse a file that is not a plain GeoJSON document GDAL can read without reaching out.

    Parameters
    ----------
    path
        The file.
    label
        The name to give in messages (an upload's own name); default ``path``.

    Raises
    ------
    InputFormatError
        If the content is not UTF-8 JSON (nested no deeper than Python parses) with a
        GeoJSON ``type``, declares its CRS by a link
        (GDAL would fetch it) or by an unknown name, or holds a GDAL virtual path (``/vsi...``).
    """
    where = label or str(path)
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _refused(where, "GeoJSON", describe(raw), _GEOJSON_EXPECTED) from None
    if not text.lstrip().startswith("{"):
        raise _refused(where, "GeoJSON", describe(raw), _GEOJSON_EXPECTED)
    try:
        document = json.loads(text)
    except ValueError as exc:
        seen = f"JSON that does not parse ({exc})"
        raise _refused(where, "GeoJSON", seen, _GEOJSON_EXPECTED) from None
    except RecursionError:  # arrays or objects nested deeper than any geometry (a JSON bomb)
        seen = "JSON nested too deeply to parse"
        raise _refused(where, "GeoJSON", seen, _GEOJSON_EXPECTED) from None
    kind = document.get("type") if isinstance(document, dict) else None
    if kind not in GEOJSON_TYPES:
        seen = f"JSON whose top-level type is {kind!r}"
        raise _refused(where, "GeoJSON", seen, _GEOJSON_EXPECTED)
    _check_geojson_crs(where, document)
    found = _VSI.search(raw)
    if found:
        value = found.group().decode("ascii", errors="replace")
        seen = f"GeoJSON holding a GDAL virtual file path {value!r}"
        expected = "plain values: no /vsi... paths, which make GDAL read other files or URLs"
        raise _refused(where, "GeoJSON", seen, expected)


def _check_geojson_crs(where: str, document: dict[str, Any]) -> None:
    """Refuse a ``crs`` member (top level or in a feature) that is not a plain CRS name."""
    holders = [document]
    features = document.get("features")
    if isinstance(features, list):
        holders.extend(f for f in features if isinstance(f, dict))
    for holder in holders:
        crs = holder.get("crs")
        if crs is None:
            continue
        if not _plain_crs(crs):
            shown = json.dumps(crs, ensure_ascii=False)[:120]
            seen = f"GeoJSON whose crs is {shown}"
            expected = (
                'a crs of type "name" such as urn:ogc:def:crs:EPSG::4490 (a "link" crs makes '
                "GDAL fetch a URL or read a file)"
            )
            raise _refused(where, "GeoJSON", seen, expected)


def _plain_crs(crs: Any) -> bool:
    """Whether a GeoJSON ``crs`` member names a CRS (no link, no file).

    Examples
    --------
    >>> _plain_crs({"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4546"}})
    True
    >>> _plain_crs({"type": "link", "properties": {"href": "http://x/crs.wkt"}})
    False
    >>> _plain_crs({"type": "name", "properties": {"name": "/etc/passwd"}})
    False
    """
    if not isinstance(crs, dict) or not isinstance(crs.get("properties"), dict):
        return False
    kind, props = str(crs.get("type", "")).lower(), crs["properties"]
    if kind == "name":
        name = props.get("name")
        return isinstance(name, str) and _CRS_NAME.fullmatch(name.strip()) is not None
    if kind == "epsg":
        return isinstance(props.get("code"), int)
    return False


# ------------------------------------------------------------------------------- GeoPackage

_GPKG_EXPECTED = "a GeoPackage (.gpkg): an SQLite file with application_id GPKG"


def check_geopackage(path: Path, *, label: str | None = None) -> None:
    """Refuse a file that is not a plain GeoPackage.

    Parameters
    ----------
    path
        The file.
    label
        The name to give in messages; default ``path``.

    Raises
    ------
    InputFormatError
        If the file is not an SQLite database with a GeoPackage ``application_id``, or holds
        anything that runs SQL when read: a view, a virtual table other than an R-tree index,
        a trigger other than GeoPackage's and GDAL's own, or a generated column.
    """
    where = label or str(path)
    head = _head(path, 100)
    if not head.startswith(b"SQLite format 3\x00") or head[68:72] not in GPKG_APPLICATION_IDS:
        raise _refused(where, "GeoPackage", describe(_head(path)), _GPKG_EXPECTED)
    uri = f"file:{quote(str(path.resolve()))}?mode=ro&immutable=1"
    try:
        with sqlite3.connect(uri, uri=True) as db:
            db.execute("PRAGMA trusted_schema = OFF")
            rows = db.execute("SELECT type, name, sql FROM sqlite_master").fetchall()
            problems = [p for row in rows for p in _schema_problems(db, *row)]
    except sqlite3.DatabaseError as exc:
        seen = f"a damaged SQLite database ({exc})"
        raise _refused(where, "GeoPackage", seen, _GPKG_EXPECTED) from None
    if problems:
        shown = "; ".join(problems[:5]) + ("; ..." if len(problems) > 5 else "")
        msg = (
            f"GeoPackage {where!r} 含有读取时会执行 SQL 或访问其他数据的对象，已拒绝 "
            f"(GeoPackage {where!r} refused: it holds {shown}; expected feature tables only: "
            "views, virtual tables other than the R-tree index, foreign triggers and "
            "generated columns run SQL or reach other data when the file is read)"
        )
        raise InputFormatError(msg)


def _schema_problems(db: sqlite3.Connection, kind: str, name: str, sql: str | None) -> list[str]:
    """Say what in one ``sqlite_master`` row is not plain GeoPackage content."""
    text = sql or ""
    if _VSI.search(text.encode()):
        return [f"{kind} {name!r} naming a GDAL virtual path"]
    if kind == "view":
        return [f"view {name!r}"]
    if kind == "trigger" and not _GPKG_TRIGGER.fullmatch(name):
        return [f"trigger {name!r}"]
    if kind != "table":
        return []
    virtual = re.match(r"\s*CREATE\s+VIRTUAL\s+TABLE\s.*?\bUSING\s+(\w+)", text, re.I | re.S)
    if virtual:
        module = virtual.group(1)
        return [] if module.lower() == "rtree" else [f"virtual table {name!r} using {module}"]
    columns = db.execute("SELECT name, hidden FROM pragma_table_xinfo(?)", (name,)).fetchall()
    return [f"generated column {col!r} in table {name!r}" for col, hidden in columns if hidden > 1]


# ------------------------------------------------------------------------------- Shapefile


def dbf_problem(data: bytes, size: int) -> str | None:
    r"""Say why a dBASE table (``.dbf``) is damaged, or ``None`` if its structure holds.

    Parameters
    ----------
    data
        The file's first bytes: at least its header (up to 64 KiB).
    size
        The file's full size in bytes.

    Examples
    --------
    >>> head = bytes([3, 126, 1, 1]) + struct.pack("<IHH", 2, 65, 9) + bytes(20)
    >>> field = b"NAME".ljust(11, b"\0") + b"C" + bytes(4) + bytes([8, 0]) + bytes(14)
    >>> dbf = head + field + b"\r" + b" NAME0001" + b" NAME0002"
    >>> dbf_problem(dbf, len(dbf)) is None
    True
    >>> dbf_problem(dbf[:-5], len(dbf) - 5)  # doctest: +ELLIPSIS
    'it is cut short: its header says 2 records of 9 bytes ... (83 bytes), but the file has 78'
    """
    if size < 33:
        return f"it has {size} bytes, fewer than a dBASE header (33)"
    if data[0] not in _DBF_VERSIONS:
        return f"its first byte 0x{data[0]:02X} is not a dBASE version"
    n_records = struct.unpack_from("<I", data, 4)[0]
    header_len, record_len = struct.unpack_from("<HH", data, 8)
    if header_len < 33 or record_len < 1 or header_len > size:
        return f"its header length {header_len} or record length {record_len} is impossible"
    widths = 1  # the deletion flag
    pos = 32
    while pos + 32 <= min(header_len, len(data)) and data[pos] != 0x0D:
        kind = chr(data[pos + 11])
        if kind not in _DBF_FIELD_TYPES:
            return f"field {(pos - 32) // 32 + 1} has the unknown type {kind!r}"
        width = data[pos + 16] + ((data[pos + 17] << 8) if kind == "C" else 0)
        widths += width
        pos += 32
    if pos >= min(header_len, len(data)) or data[pos] != 0x0D:
        return "its field list has no end marker (0x0D) inside the header"
    if widths != record_len:
        return f"its fields add up to {widths} bytes but its records are {record_len} bytes"
    needed = header_len + n_records * record_len
    if size < needed:
        return (
            f"it is cut short: its header says {n_records:,} records of {record_len} bytes "
            f"after a {header_len}-byte header ({needed:,} bytes), but the file has {size:,}"
        )
    return None


def check_shapefile(label: str, parts: Mapping[str, tuple[bytes, int] | None]) -> None:
    """Refuse a Shapefile whose parts are not what their extensions say.

    Parameters
    ----------
    label
        The ``.shp`` as named in messages (``roads.zip!roads.shp`` for a zip member).
    parts
        ``".shp"``, ``".shx"``, ``".dbf"``, ``".prj"``, ``".cpg"`` → (first bytes, full size),
        ``None`` for a part that is missing.

    Raises
    ------
    InputFormatError
        If the ``.shp`` or ``.shx`` lacks the Shapefile magic number, the ``.dbf`` is damaged
        (:func:`dbf_problem`) or a text part names a GDAL virtual path.
    """
    for suffix in (".shp", ".shx"):
        part = parts.get(suffix)
        if part is None:
            if suffix == ".shp":
                raise _refused(label, "Shapefile", "a missing file", "a .shp geometry file")
            continue
        head, size = part
        if not head.startswith(SHAPEFILE_MAGIC) or size < 100:
            seen = describe(head)
            expected = f"a Shapefile {suffix} starting with the file code 9994"
            raise _refused(_with(label, suffix), f"Shapefile {suffix}", seen, expected)
    dbf = parts.get(".dbf")
    if dbf is not None:
        problem = dbf_problem(*dbf)
        if problem is not None:
            name = _with(label, ".dbf")
            msg = (
                f"属性表 {name!r} 已损坏或不是 dBASE 文件 (the .dbf attribute table {name!r} is "
                f"corrupt: {problem}; expected the dBASE table of the Shapefile)"
            )
            raise InputFormatError(msg)
    for suffix in (".prj", ".cpg"):
        part = parts.get(suffix)
        if part is not None and _VSI.search(part[0]):
            seen = "text naming a GDAL virtual path (/vsi...)"
            raise _refused(_with(label, suffix), f"Shapefile {suffix}", seen, "plain text")


def _with(label: str, suffix: str) -> str:
    """``label`` with its ``.shp`` replaced by ``suffix``."""
    return label[:-4] + suffix if label.lower().endswith(".shp") else label + suffix


# ------------------------------------------------------------------------------- other formats


def check_dxf(path: Path) -> None:
    """Refuse a file that is neither an ASCII DXF (``0`` / ``SECTION``) nor a binary DXF."""
    head = _head(path)
    if head.startswith(_DXF_BINARY):
        return
    if not _DXF_SECTION.search(head.decode("latin-1")):
        expected = "an ASCII DXF starting with a SECTION, or a binary DXF"
        raise _refused(str(path), "DXF", describe(head), expected)


def check_epanet(path: Path) -> None:
    """Refuse a file that is not an EPANET input text with ``[SECTION]`` headers."""
    head = _head(path)
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith((b"<", b"{")) or not _INP_SECTION.search(
        head.decode("latin-1")
    ):
        expected = "an EPANET .inp text with sections such as [JUNCTIONS] and [PIPES]"
        raise _refused(str(path), "EPANET .inp", describe(head), expected)


def check_graphml(path: Path) -> None:
    """Refuse a file that is not GraphML XML, or that declares entities or holds a VRT."""
    head = _head(path)
    root = re.match(_XML_PROLOGUE + r"<graphml[\s>]", head.decode("latin-1"), re.S)
    if root is None:
        raise _refused(str(path), "OSM GraphML", describe(head), "GraphML XML (<graphml> root)")
    _refuse_xml_extras(path, "OSM GraphML")


def check_osm(path: Path) -> None:
    """Refuse a file that is neither an OSM PBF extract nor OSM XML (``<osm>`` root)."""
    head = _head(path)
    if head[4:15] == PBF_SIGNATURE:
        return
    if re.match(_XML_PROLOGUE + r"<osm[\s>]", head.decode("latin-1"), re.S) is None:
        expected = "an OpenStreetMap extract: .osm.pbf (OSMHeader blob) or OSM XML (<osm> root)"
        raise _refused(str(path), "OSM PBF", describe(head), expected)
    _refuse_xml_extras(path, "OSM XML")


def _refuse_xml_extras(path: Path, declared: str) -> None:
    found = _scan(path, _XML_REFUSED)
    if found is not None:
        seen = f"XML holding {found.decode()!r}"
        expected = "plain XML without DOCTYPE, entities or GDAL VRT elements"
        raise _refused(str(path), declared, seen, expected)


# ------------------------------------------------------------------------------- opening with GDAL

_OFFLINE_OPTIONS = {
    # /vsicurl/ and its kin may open this one (impossible) file name only: no request at all
    "CPL_VSIL_CURL_ALLOWED_FILENAME": "/vsicurl/linkplan-no-network-while-reading-input",
    # any other HTTP request of GDAL goes to a proxy on port 0, which refuses every connection
    "GDAL_HTTP_PROXY": "127.0.0.1:0",
    "GDAL_HTTPS_PROXY": "127.0.0.1:0",
    "GDAL_HTTP_MAX_RETRY": "0",
    "GDAL_HTTP_TIMEOUT": "1",
    # SQL in the schema (views, triggers) may call only functions marked harmless
    "OGR_SQLITE_PRAGMA": "trusted_schema=OFF",
}
_offline_lock = threading.Lock()
_offline_depth = 0
_offline_saved: dict[str, Any] = {}


@contextmanager
def gdal_offline() -> Iterator[None]:
    """Keep GDAL from reaching the network while the block reads files from outside.

    GDAL's options are process-wide: they are set when the first reader enters and restored
    when the last one leaves, so concurrent reads (web requests in threads) stay covered.
    """
    global _offline_depth, _offline_saved  # GDAL's configuration is process-wide
    with _offline_lock:
        if _offline_depth == 0:
            _offline_saved = {k: pyogrio.get_gdal_config_option(k) for k in _OFFLINE_OPTIONS}
            pyogrio.set_gdal_config_options(dict(_OFFLINE_OPTIONS))
        _offline_depth += 1
    try:
        yield
    finally:
        with _offline_lock:
            _offline_depth -= 1
            if _offline_depth == 0:
                pyogrio.set_gdal_config_options(dict(_offline_saved))


def gdal_source(path: Path, driver: str) -> str:
    """Return the name under which GDAL opens ``path`` with ``driver`` and no other.

    ``GeoJSON:`` and ``GPKG:`` force those drivers; other drivers have no such prefix and
    are only used on content checked here first.

    Examples
    --------
    >>> gdal_source(Path("/tmp/a.geojson"), "GeoJSON"), gdal_source(Path("/a.shp"), "ESRI Shapefile")
    ('GeoJSON:/tmp/a.geojson', '/a.shp')
    """
    if driver in ("GeoJSON", "GPKG") and ":" not in str(path):
        return f"{driver}:{path}"
    return str(path)
