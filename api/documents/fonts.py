"""A Chinese font for the PDF documents, embedded so the documents print and search anywhere.

Lookup order (:func:`find_cjk_font`):

1. the path in the environment variable ``LINKPLAN_CJK_FONT`` (a ``.ttf`` or ``.ttc``), read
   when a document is made, or else the setting ``cjk_font`` (:mod:`api.settings`, which also
   reads it from ``.env``);
2. known Debian/Ubuntu paths (:data:`CANDIDATES`): 文泉驿微米黑 (``fonts-wqy-microhei``),
   文泉驿正黑 (``fonts-wqy-zenhei``), AR PL UMing (``fonts-arphic-uming``) and Droid Sans
   Fallback (``fonts-droid-fallback``).

reportlab embeds TrueType outlines only: OpenType fonts with PostScript (CFF) outlines, such as
the Noto CJK ``.ttc`` files, cannot be used and are skipped with a log message. A ``.ttc``
collection is registered with its first font (``subfontIndex=0``).

When no usable file is found, :func:`cjk_font` falls back to reportlab's built-in CID font
``STSong-Light`` and logs a warning: such a PDF names the font without embedding it, so it
displays only where the reader has a Chinese font (Adobe Reader's Asian font pack, most
Chinese-locale systems) and its text may not extract.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFError, TTFont

from api.settings import get_settings

__all__ = ["CANDIDATES", "CID_FALLBACK", "ENV_VAR", "CJKFont", "cjk_font", "find_cjk_font"]

log = logging.getLogger(__name__)

ENV_VAR = "LINKPLAN_CJK_FONT"
"""Environment variable (setting) with the path of a CJK TrueType font (.ttf/.ttc)."""

CANDIDATES: tuple[str, ...] = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/truetype/droid/DroidSansFallback.ttf",
)
"""Known paths of TrueType-outline CJK fonts on Debian/Ubuntu, in order of preference."""

CID_FALLBACK = "STSong-Light"
"""reportlab's built-in (not embedded) Simplified Chinese CID font, the last resort."""


@dataclass(frozen=True)
class CJKFont:
    """A registered reportlab font for Chinese text.

    Attributes
    ----------
    name
        The name registered with :mod:`reportlab.pdfbase.pdfmetrics` (use it in styles).
    path
        The font file, ``None`` for the CID fallback.
    embedded
        ``True`` when the PDF carries the font's glyphs (a TrueType file was found).
    """

    name: str
    path: Path | None
    embedded: bool


def _load(path: Path) -> TTFont | None:
    """Return the TrueType font at ``path`` (first of a collection), or ``None`` if unusable."""
    name = "LinkplanCJK-" + path.stem
    try:
        return TTFont(name, str(path), subfontIndex=0)
    except (TTFError, OSError, ValueError) as exc:
        log.info("CJK font %s cannot be embedded by reportlab: %s", path, exc)
        return None


def find_cjk_font(*, candidates: Sequence[str | Path] | None = None) -> Path | None:
    """Return the first usable CJK TrueType font file, or ``None``.

    Parameters
    ----------
    candidates
        Paths to try after ``$LINKPLAN_CJK_FONT`` (default :data:`CANDIDATES`).

    Returns
    -------
    Path or None
        A ``.ttf``/``.ttc`` that reportlab can embed (TrueType outlines, with CJK glyphs).
    """
    return _find(_configured(), tuple(str(c) for c in (candidates or CANDIDATES)))


def _configured() -> str:
    """Return the configured font path: the environment now, else the settings, else ''."""
    value = os.environ.get(ENV_VAR, "")
    if not value:
        setting = get_settings().cjk_font
        value = str(setting) if setting else ""
    return value


@lru_cache(maxsize=8)
def _find(env_value: str, candidates: tuple[str, ...]) -> Path | None:
    tried: list[str] = []
    if env_value:
        path = Path(env_value).expanduser()
        if not path.is_file():
            log.warning("%s=%s: no such font file; trying the known font paths", ENV_VAR, path)
        elif _usable(path):
            return path
        else:
            log.warning(
                "%s=%s: not a TrueType font reportlab can embed (CFF/OpenType outlines or no "
                "Chinese glyphs); trying the known font paths",
                ENV_VAR,
                path,
            )
        tried.append(str(path))
    for candidate in candidates:
        path = Path(candidate)
        tried.append(candidate)
        if path.is_file() and _usable(path):
            return path
    log.debug("no CJK TrueType font among %s", tried)
    return None


def _usable(path: Path) -> bool:
    font = _load(path)
    # a font without the common characters of the documents is no CJK font
    return font is not None and all(ord(c) in font.face.charToGlyph for c in "审批意见单")


def cjk_font(*, candidates: Sequence[str | Path] | None = None) -> CJKFont:
    """Register and return the CJK font of the PDF documents.

    The TrueType font of :func:`find_cjk_font` is registered once per file; without one,
    reportlab's CID font :data:`CID_FALLBACK` is registered and a warning is logged.

    Parameters
    ----------
    candidates
        Paths to try after ``$LINKPLAN_CJK_FONT`` (default :data:`CANDIDATES`).
    """
    path = find_cjk_font(candidates=candidates)
    if path is not None:
        return _register_ttf(path)
    env_value = _configured()
    tried = ([env_value] if env_value else []) + [str(c) for c in (candidates or CANDIDATES)]
    log.warning(
        "no CJK TrueType font found (set %s to a .ttf/.ttc path, or install fonts-wqy-microhei; "
        "tried %s): the PDF uses the non-embedded CID font %s, which shows only where the "
        "reader has a Chinese font",
        ENV_VAR,
        ", ".join(tried),
        CID_FALLBACK,
    )
    return _register_cid()


@lru_cache(maxsize=8)
def _register_ttf(path: Path) -> CJKFont:
    font = _load(path)
    if font is None:  # the file changed since it was found
        msg = f"CJK font {path} can no longer be read as a TrueType font"
        raise OSError(msg)
    pdfmetrics.registerFont(font)
    log.debug("PDF documents use the embedded CJK font %s (%s)", font.fontName, path)
    return CJKFont(font.fontName, path, embedded=True)


@lru_cache(maxsize=1)
def _register_cid() -> CJKFont:
    pdfmetrics.registerFont(UnicodeCIDFont(CID_FALLBACK))
    return CJKFont(CID_FALLBACK, None, embedded=False)
