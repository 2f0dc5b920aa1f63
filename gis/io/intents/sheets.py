"""Reading the cells of an intents file: an Excel workbook or a CSV file in a Chinese encoding.

Files are recognised by content, not by suffix: an ``.xlsx``/``.xlsm`` workbook (its first sheet
with a recognisable header row, or the sheet asked for), or CSV text in UTF-8 (with or without
byte-order mark), UTF-16 with byte-order mark, or GBK/GB18030. Old ``.xls`` workbooks are refused.
"""

from __future__ import annotations

import codecs
import csv
import io
import warnings
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException

from gis.errors import InputFormatError
from gis.io.intents.header import _header_index

_XLSX_MAGIC = b"PK\x03\x04"
_XLS_MAGIC = b"\xd0\xcf\x11\xe0"


def _read_rows(path: Path, sheet: str | int | None) -> list[list[Any]]:
    """Return the cells of the sheet or CSV file, one list per row (blank rows kept)."""
    if not path.is_file():
        msg = f"intents file {str(path)!r} not found: expected an .xlsx workbook or a .csv file"
        raise InputFormatError(msg)
    data = path.read_bytes()
    if data.startswith(_XLS_MAGIC):
        msg = (
            f"{str(path)!r} is an old Excel 97-2003 (.xls) workbook: expected .xlsx or .csv; "
            "save it again as Excel 工作簿 (.xlsx)"
        )
        raise InputFormatError(msg)
    if data.startswith(_XLSX_MAGIC):
        return _pick_sheet(path, _read_workbook(path), sheet)
    if sheet is not None:
        msg = f"{str(path)!r} is a CSV file, which has no sheets: expected sheet=None"
        raise InputFormatError(msg)
    return _read_csv(path, data)


def _read_workbook(path: Path) -> dict[str, list[list[Any]]]:
    with warnings.catch_warnings():
        # openpyxl warns about workbook features it does not read (data validation, styles)
        warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")
        try:
            book = openpyxl.load_workbook(path, data_only=True)
        except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
            msg = f"cannot read {str(path)!r} as an Excel workbook ({exc}): expected an .xlsx file"
            raise InputFormatError(msg) from exc
    try:
        return {
            ws.title: [list(r) for r in ws.iter_rows(min_row=1, values_only=True)]
            for ws in book.worksheets
        }
    finally:
        book.close()


def _pick_sheet(
    path: Path, sheets: dict[str, list[list[Any]]], sheet: str | int | None
) -> list[list[Any]]:
    names = list(sheets)
    if not names:
        msg = f"{str(path)!r} has no worksheet: expected one listing the intents"
        raise InputFormatError(msg)
    if sheet is None:
        found = [n for n in names if _header_index(sheets[n], strict=True) is not None]
        return sheets[found[0] if found else names[0]]
    if isinstance(sheet, int) and not isinstance(sheet, bool):
        if 0 <= sheet < len(names):
            return sheets[names[sheet]]
        msg = f"{str(path)!r} has {len(names)} sheet(s) {names}: sheet={sheet} is out of range"
        raise InputFormatError(msg)
    folded = [n for n in names if n == sheet] or [
        n for n in names if n.strip().casefold() == str(sheet).strip().casefold()
    ]
    if len(folded) == 1:
        return sheets[folded[0]]
    msg = f"{str(path)!r} has no sheet {sheet!r}: expected one of {names}"
    raise InputFormatError(msg)


def _decode(path: Path, data: bytes) -> str:
    """Decode CSV bytes: a byte-order mark decides, else strict UTF-8, else GB18030 (GBK).

    Examples
    --------
    >>> _decode(Path("a.csv"), "意向编号".encode("gbk"))
    '意向编号'
    >>> _decode(Path("a.csv"), codecs.BOM_UTF8 + "意向编号".encode())
    '意向编号'
    """
    boms = (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    )
    for bom, encoding in boms:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding)
            except UnicodeDecodeError as exc:
                msg = f"{str(path)!r} starts with a {encoding} byte-order mark but is not {encoding} ({exc})"
                raise InputFormatError(msg) from exc
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    msg = (
        f"cannot decode {str(path)!r} as text: expected a CSV file in UTF-8 or GBK "
        "(or an .xlsx workbook)"
    )
    raise InputFormatError(msg)


def _read_csv(path: Path, data: bytes) -> list[list[Any]]:
    text = _decode(path, data)
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: first.count(d) for d in (",", "\t", ";")}
    delimiter = max(counts, key=lambda d: (counts[d], d == ","))
    try:
        return [list(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as exc:
        msg = f"cannot read {str(path)!r} as CSV ({exc}): expected comma-separated text"
        raise InputFormatError(msg) from exc
