r"""Check zip archives before anything reads or extracts them: path traversal, links and bombs.

A zipped Shapefile comes from outside (an upload, a colleague's mail), so before GDAL or
Linkplan opens a member, :func:`check_zip` refuses, with an
:class:`~gis.errors.InputFormatError` that names the member and the reason:

- member names that would land outside the destination folder: absolute paths (``/etc/x``,
  ``\x``), drive letters (``C:x``), ``..`` components (also written ``..\``), and any backslash
  (zip names separate folders with ``/``; Windows tools also take ``\`` for one);
- symbolic links and other special files (from the Unix mode in ``external_attr``) and
  Windows reparse points;
- encrypted members and compression methods other than stored and deflated (the two that
  GDAL's ``/vsizip/`` reads);
- duplicate names (also differing only in case) and members whose data overlap (the
  "non-recursive" zip bomb) or whose local header names another file than the central
  directory;
- too many members, a compression ratio over the limit for a member above
  :data:`RATIO_MIN_BYTES`, a declared uncompressed total over the limit;
- and, because headers can lie, the **actual** data: every member is decompressed as a stream
  with a counter (never more than 64 KiB at a time), and the archive is refused as soon as the
  bytes passed the limit, or when a member decompresses to another size or checksum than its
  header says.

:func:`safe_extract` extracts only after all those checks passed, only inside the destination,
never through an existing link and never over an existing file; on any failure it removes
what it wrote.
"""

from __future__ import annotations

import io
import os
import re
import stat
import struct
import zipfile
import zlib
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from gis.errors import InputFormatError

__all__ = [
    "DEFAULT_MAX_TOTAL_BYTES",
    "RATIO_MIN_BYTES",
    "SHAPEFILE_MAX_RATIO",
    "ZipSource",
    "check_zip",
    "safe_extract",
]

ZipSource = str | os.PathLike[str] | bytes | bytearray
"""A zip archive: its path, or its content."""

DEFAULT_MAX_TOTAL_BYTES = 2 * 1024**3
"""A sensible uncompressed limit for local files (2 GiB): more than a city's networks."""

RATIO_MIN_BYTES = 8 * 1024
"""Members that decompress to at most this many bytes are not checked for their ratio."""

SHAPEFILE_MAX_RATIO = 500.0
"""A ratio limit that real Shapefiles pass.

An ArcGIS ``.dbf`` pads every text field to its width (often 254) with spaces and deflates at
about 110:1, over the usual 100:1; a member of zeros deflates at about 1030:1 (DEFLATE's
ceiling), so 500:1 still refuses it.
"""

_CHUNK = 64 * 1024
_STORED_OR_DEFLATED = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
_METHOD_NAMES = {
    zipfile.ZIP_BZIP2: "bzip2",
    zipfile.ZIP_LZMA: "LZMA",
    9: "deflate64",
    93: "zstandard",
}
_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")
_LOCAL_SIGNATURE = b"PK\x03\x04"
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")  # zipfile.structCentralDir
_CENTRAL_SIGNATURE = b"PK\x01\x02"
_END = struct.Struct("<4s4H2LH")  # zipfile.structEndArchive
_END_SIGNATURE = b"PK\x05\x06"
_LOCATOR = struct.Struct("<4sLQL")  # zipfile.structEndArchive64Locator
_LOCATOR_SIGNATURE = b"PK\x06\x07"
_END64 = struct.Struct("<4sQ2H2L4Q")  # zipfile.structEndArchive64
_END64_SIGNATURE = b"PK\x06\x06"
_UTF8_NAME_FLAG = 0x800
_ENCRYPTED_FLAG = 0x1
_WINDOWS_REPARSE_POINT = 0x400
_DRIVE = re.compile(r"^[A-Za-z]:")


@dataclass(frozen=True)
class _Limits:
    max_total_bytes: int
    max_ratio: float
    max_files: int


def check_zip(
    source: ZipSource,
    *,
    max_total_bytes: int,
    max_ratio: float = 100.0,
    max_files: int = 1000,
    label: str | None = None,
) -> list[zipfile.ZipInfo]:
    """Refuse a zip archive that is unsafe to read or extract; return its members otherwise.

    Parameters
    ----------
    source
        The archive's path, or its bytes.
    max_total_bytes
        Largest uncompressed size of all members together, as declared by the headers and as
        actually decompressed.
    max_ratio
        Largest compression ratio (uncompressed / compressed) of a member above
        :data:`RATIO_MIN_BYTES`. Pass :data:`SHAPEFILE_MAX_RATIO` for Shapefiles written by
        desktop GIS.
    max_files
        Largest number of members (folders included).
    label
        How messages name the archive (default: its path, or ``zip archive (N bytes)``).

    Returns
    -------
    list of zipfile.ZipInfo
        The members, in the archive's order.

    Raises
    ------
    InputFormatError
        Naming the member and the reason (see the module docstring), or the archive if it is
        missing or not a zip archive.

    Examples
    --------
    >>> buf = io.BytesIO()
    >>> with zipfile.ZipFile(buf, "w") as z:
    ...     z.writestr("../evil.shp", b"x")
    >>> check_zip(buf.getvalue(), max_total_bytes=1024, label="upload.zip")
    Traceback (most recent call last):
    ...
    gis.errors.InputFormatError: upload.zip: member '../evil.shp' refused: its name has a '..' component, which would write outside the destination folder
    """
    limits = _Limits(int(max_total_bytes), float(max_ratio), int(max_files))
    with _opened(source, label) as (handle, where), _zipfile(handle, where, limits) as archive:
        infos = archive.infolist()
        _verify(handle, infos, where, limits)
    return infos

def safe_extract(
    source: ZipSource,
    dest: str | os.PathLike[str],
    *,
    max_total_bytes: int,
    max_ratio: float = 100.0,
    max_files: int = 1000,
    label: str | None = None,
) -> list[Path]:
    """Extract a zip archive into ``dest`` after :func:`check_zip` accepted it.

    Files are created new (an existing file or link at a member's place is refused, so nothing
    is written through a link), each resolved path must lie inside ``dest``, and the data are
    decompressed with the same counters as in the check. On any failure everything this call
    created is removed again.

    Parameters
    ----------
    source
        The archive's path, or its bytes.
    dest
        Destination folder (created if missing).
    max_total_bytes, max_ratio, max_files, label
        As for :func:`check_zip`.

    Returns
    -------
    list of pathlib.Path
        The extracted files (not the folders), in the archive's order.

    Raises
    ------
    InputFormatError
        If :func:`check_zip` refuses the archive (nothing is written), or if a member's place
        in ``dest`` is taken or leads outside it (what was written is removed).
    """
    limits = _Limits(int(max_total_bytes), float(max_ratio), int(max_files))
    created: list[Path] = []
    written: list[Path] = []
    with _opened(source, label) as (handle, where), _zipfile(handle, where, limits) as archive:
        infos = archive.infolist()
        _verify(handle, infos, where, limits)  # refuses before anything is written
        try:
            root = Path(dest)
            _mkdir(root, created)
            base = root.resolve(strict=True)
            for info, chunks in _members(handle, infos, where, limits):
                target = base.joinpath(*PurePosixPath(info.filename).parts)
                if info.is_dir():
                    _mkdir(target, created)
                    _inside(target, base, info, where)
                    continue
                _mkdir(target.parent, created)
                _inside(target.parent, base, info, where)
                try:
                    out = target.open("xb")
                except FileExistsError as exc:
                    msg = f"{where}: member {info.filename!r} not extracted: {target} exists already"
                    raise InputFormatError(msg) from exc
                written.append(target)
                with out:
                    for chunk in chunks:
                        out.write(chunk)
        except BaseException:
            for path in reversed(written):
                path.unlink(missing_ok=True)
            for folder in reversed(created):
                with suppress(OSError):
                    folder.rmdir()
            raise
    return written


# ------------------------------------------------------------------------------- internals


@contextmanager
def _opened(source: ZipSource, label: str | None) -> Iterator[tuple[BinaryIO, str]]:
    if isinstance(source, bytes | bytearray):
        yield io.BytesIO(bytes(source)), label or f"zip archive ({len(source):,} bytes)"
        return
    path = Path(source)
    where = label or repr(str(path))
    if not path.is_file():
        msg = f"zip archive {where} not found: expected an existing .zip file"
        raise InputFormatError(msg)
    with path.open("rb") as handle:
        yield handle, where


@contextmanager
def _zipfile(handle: BinaryIO, where: str, limits: _Limits) -> Iterator[zipfile.ZipFile]:
    """Open the archive, counting its central directory first (zipfile would parse it all)."""
    if (_count_entries(handle, stop_after=limits.max_files) or 0) > limits.max_files:
        raise _too_many(where, limits)
    handle.seek(0)
    try:
        archive = zipfile.ZipFile(handle)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        msg = f"{where} is not a readable zip archive ({exc}): expected a .zip file"
        raise InputFormatError(msg) from exc
    with archive:
        yield archive


def _too_many(where: str, limits: _Limits) -> InputFormatError:
    msg = f"{where} holds more than {limits.max_files:,} members: at most {limits.max_files:,} are accepted"
    return InputFormatError(msg)


def _count_entries(handle: BinaryIO, *, stop_after: int) -> int | None:
    """Count the central directory's entries (up to ``stop_after + 1``), ``None`` if not found.

    The count stored in the end record is not trusted (zipfile itself reads entries until the
    directory's size is used up): the entries are walked, 46 bytes each plus their lengths.
    """
    size = handle.seek(0, os.SEEK_END)
    tail_len = min(size, _END.size + 0xFFFF)
    handle.seek(size - tail_len)
    tail = handle.read(tail_len)
    at = tail.rfind(_END_SIGNATURE)
    if at < 0 or len(tail) - at < _END.size:
        return None
    end = size - tail_len + at
    cd_size = _END.unpack_from(tail, at)[5]
    if end >= _LOCATOR.size:  # zip64: the locator just before the end record
        handle.seek(end - _LOCATOR.size)
        locator = handle.read(_LOCATOR.size)
        if locator[:4] == _LOCATOR_SIGNATURE:
            end = _LOCATOR.unpack(locator)[2]
            handle.seek(end)
            record = handle.read(_END64.size)
            if len(record) < _END64.size or record[:4] != _END64_SIGNATURE:
                return None
            cd_size = _END64.unpack(record)[8]
    pos = end - cd_size
    count = 0
    while count <= stop_after and pos >= 0 and pos + _CENTRAL.size <= end:
        handle.seek(pos)
        entry = handle.read(_CENTRAL.size)
        if entry[:4] != _CENTRAL_SIGNATURE:
            break
        fields = _CENTRAL.unpack(entry)
        count += 1
        pos += _CENTRAL.size + fields[12] + fields[13] + fields[14]
    return count


def _refuse(where: str, info: zipfile.ZipInfo, reason: str) -> InputFormatError:
    return InputFormatError(f"{where}: member {info.filename!r} refused: {reason}")


def _name_problem(name: str) -> str | None:
    r"""Say why a member name is unsafe, or ``None``.

    Examples
    --------
    >>> [_name_problem(n) is None for n in ("roads/roads.shp", "./a.dbf", "a..b.shp")]
    [True, True, True]
    >>> _name_problem("..\\evil.shp")
    "its name has a '..' component, which would write outside the destination folder"
    >>> _name_problem("C:evil.shp")
    'its name starts with a drive letter'
    """
    if not name:
        return "its name is empty"
    if "\x00" in name:
        return "its name holds a NUL character"
    if name.startswith(("/", "\\")):
        return "its name is an absolute path"
    if _DRIVE.match(name):
        return "its name starts with a drive letter"
    if ".." in re.split(r"[\\/]", name):
        return "its name has a '..' component, which would write outside the destination folder"
    if "\\" in name:
        return (
            "its name holds a backslash: zip names separate folders with '/', and '\\' "
            "separates folders on Windows"
        )
    return None


def _kind_problem(info: zipfile.ZipInfo) -> str | None:
    mode = info.external_attr >> 16
    kind = stat.S_IFMT(mode)
    if stat.S_ISLNK(mode):
        return "it is a symbolic link, which could point outside the destination folder"
    if kind not in (0, stat.S_IFREG, stat.S_IFDIR):
        return "it is a special file (device, FIFO or socket)"
    if info.create_system == 0 and info.external_attr & _WINDOWS_REPARSE_POINT:
        return "it is a Windows reparse point (a link)"
    return None


def _check_headers(infos: list[zipfile.ZipInfo], where: str, limits: _Limits) -> None:
    """Check what the central directory declares, before any data is read."""
    if len(infos) > limits.max_files:
        raise _too_many(where, limits)
    seen: dict[str, str] = {}
    offsets: dict[int, str] = {}
    total = 0
    for info in infos:
        problem = _name_problem(info.filename) or _kind_problem(info)
        if problem is None and info.flag_bits & _ENCRYPTED_FLAG:
            problem = "it is encrypted"
        if problem is None and info.compress_type not in _STORED_OR_DEFLATED:
            method = _METHOD_NAMES.get(info.compress_type, "unknown")
            problem = (
                f"it uses compression method {info.compress_type} ({method}): expected stored "
                "or deflated, the methods GDAL reads"
            )
        folded = info.filename.rstrip("/").casefold()
        if problem is None and folded in seen:
            problem = f"another member has the same name ({seen[folded]!r})"
        if problem is None and info.header_offset in offsets:
            problem = (
                f"its data are those of member {offsets[info.header_offset]!r} "
                "(overlapping members: a zip-bomb construction)"
            )
        if (
            problem is None
            and info.file_size > RATIO_MIN_BYTES
            and info.file_size > limits.max_ratio * info.compress_size
        ):
            ratio = info.file_size / max(info.compress_size, 1)
            problem = (
                f"its compression ratio is {ratio:,.0f}:1 ({info.file_size:,} bytes from "
                f"{info.compress_size:,}), over the limit of {limits.max_ratio:g}:1"
            )
        total += info.file_size
        if problem is None and total > limits.max_total_bytes:
            problem = (
                f"the members up to it declare {total:,} bytes uncompressed, over the limit "
                f"of {limits.max_total_bytes:,} bytes"
            )
        if problem is not None:
            raise _refuse(where, info, problem)
        seen[folded] = info.filename
        offsets[info.header_offset] = info.filename


def _verify(handle: BinaryIO, infos: list[zipfile.ZipInfo], where: str, limits: _Limits) -> None:
    """Check the headers, then decompress every member (discarding the data) with counters."""
    _check_headers(infos, where, limits)
    for _, chunks in _members(handle, infos, where, limits):
        deque(chunks, maxlen=0)


@dataclass
class _Counter:
    """Bytes decompressed so far, for the whole archive, against its limit."""

    limit: int
    used: int = 0


def _members(
    handle: BinaryIO, infos: list[zipfile.ZipInfo], where: str, limits: _Limits
) -> Iterator[tuple[zipfile.ZipInfo, Iterator[bytes]]]:
    """Yield each member with the stream of its decompressed data, counted against the limits.

    The counter is shared by all members; each stream must be consumed before the next member.
    """
    counter = _Counter(limits.max_total_bytes)
    starts = _data_starts(handle, infos, where)
    for info in infos:
        yield info, _data(handle, info, starts[info.header_offset], where, counter)


def _data_starts(handle: BinaryIO, infos: list[zipfile.ZipInfo], where: str) -> dict[int, int]:
    """Return header offset → data offset of every member; refuse overlaps and name clashes."""
    starts: dict[int, int] = {}
    previous: tuple[int, zipfile.ZipInfo] | None = None
    for info in sorted(infos, key=lambda i: i.header_offset):
        handle.seek(info.header_offset)
        header = handle.read(_LOCAL_HEADER.size)
        if len(header) < _LOCAL_HEADER.size or header[:4] != _LOCAL_SIGNATURE:
            raise _refuse(where, info, "its local header is missing (a damaged archive)")
        fields = _LOCAL_HEADER.unpack(header)
        flags, name_len, extra_len = fields[2], fields[10], fields[11]
        raw = handle.read(name_len)
        local = raw.decode("utf-8" if flags & _UTF8_NAME_FLAG else "cp437", errors="replace")
        if local != info.orig_filename:
            problem = (
                f"its local header names {local!r}: an archive whose two directories "
                "disagree is read differently by different tools"
            )
            raise _refuse(where, info, problem)
        start = info.header_offset + _LOCAL_HEADER.size + name_len + extra_len
        if previous is not None and info.header_offset < previous[0]:
            problem = (
                f"its data overlap those of member {previous[1].filename!r} "
                "(overlapping members: a zip-bomb construction)"
            )
            raise _refuse(where, info, problem)
        starts[info.header_offset] = start
        previous = (start + info.compress_size, info)
    return starts


def _data(
    handle: BinaryIO, info: zipfile.ZipInfo, start: int, where: str, counter: _Counter
) -> Iterator[bytes]:
    """Yield a member's data in chunks of at most 64 KiB, checking size, limit and CRC-32."""
    handle.seek(start)
    blocks = _compressed(handle, info, where)
    chunks = blocks if info.compress_type == zipfile.ZIP_STORED else _inflated(blocks, info, where)
    produced = 0
    crc = 0
    for chunk in chunks:
        produced += len(chunk)
        counter.used += len(chunk)
        if counter.used > counter.limit:
            problem = (
                f"its data decompress past the limit of {counter.limit:,} bytes for the whole "
                f"archive, though its header says {info.file_size:,} bytes"
            )
            raise _refuse(where, info, problem)
        crc = zlib.crc32(chunk, crc)
        yield chunk
    if produced != info.file_size:
        problem = f"its data decompress to {produced:,} bytes but its header says {info.file_size:,}"
        raise _refuse(where, info, problem)
    if crc != info.CRC:
        raise _refuse(where, info, "its CRC-32 does not match its data (damaged or altered)")


def _compressed(handle: BinaryIO, info: zipfile.ZipInfo, where: str) -> Iterator[bytes]:
    """Yield the member's stored bytes (``compress_size`` of them) in blocks of 64 KiB."""
    left = info.compress_size
    while left > 0:
        block = handle.read(min(_CHUNK, left))
        if not block:
            raise _refuse(where, info, "its data end before the size its header says")
        left -= len(block)
        yield block


def _inflated(blocks: Iterator[bytes], info: zipfile.ZipInfo, where: str) -> Iterator[bytes]:
    """Inflate raw deflate blocks, never producing more than 64 KiB at a time."""
    inflate = zlib.decompressobj(-zlib.MAX_WBITS)
    try:
        for block in blocks:
            data = block
            while data and not inflate.eof:
                yield inflate.decompress(data, _CHUNK)
                data = inflate.unconsumed_tail
            if inflate.eof:
                return
        while not inflate.eof:  # input used up: what the inflater still holds
            out = inflate.decompress(b"", _CHUNK)
            if not out:
                raise _refuse(where, info, "its deflate stream is cut short (a damaged archive)")
            yield out
    except zlib.error as exc:
        raise _refuse(where, info, f"its data cannot be inflated ({exc})") from exc


def _mkdir(folder: Path, created: list[Path]) -> None:
    """Create ``folder`` and its missing parents, remembering each one created."""
    missing = []
    for candidate in (folder, *folder.parents):
        if candidate.exists() or candidate.is_symlink():
            break
        missing.append(candidate)
    for candidate in reversed(missing):
        candidate.mkdir()
        created.append(candidate)


def _inside(folder: Path, base: Path, info: zipfile.ZipInfo, where: str) -> None:
    """Refuse a folder that resolves outside ``base`` (through a link already in ``dest``)."""
    if not folder.resolve(strict=True).is_relative_to(base):
        msg = f"{where}: member {info.filename!r} not extracted: {folder} leads outside the destination"
        raise InputFormatError(msg)
