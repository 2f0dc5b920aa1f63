"""Reading PDFs back in the tests (pypdfium2): their text, and how documents print a time."""

from __future__ import annotations

import re
from pathlib import Path

import pypdfium2 as pdfium

__all__ = ["pdf_text", "zh_minute"]


def pdf_text(source: bytes | Path, *, squeeze: bool = False) -> str:
    """Return the text of every page of a PDF (``squeeze``: with all white space removed)."""
    pdf = pdfium.PdfDocument(source)
    try:
        text = "".join(page.get_textpage().get_text_range() for page in pdf)
    finally:
        pdf.close()
    return re.sub(r"\s+", "", text) if squeeze else text


def zh_minute(iso: str) -> str:
    """Return a time as the documents print it: ``2026-12-07T21:05`` → ``2026年12月7日21:05``."""
    day, minute = iso.replace(" ", "T").split("T")
    y, m, d = (int(x) for x in day.split("-"))
    return f"{y}年{m}月{d}日{minute[:5]}"
