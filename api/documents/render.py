"""One small document model, rendered to self-contained HTML and to PDF (reportlab platypus).

A document is a list of blocks: headings, paragraphs, grids (form tables with spanned cells,
as the official forms are drawn) and vector figures (the route map). The same blocks give the HTML page (inline CSS,
``lang="zh-CN"``, A4 print layout, black cell borders) and the PDF (A4, the embedded CJK font
of :mod:`api.documents.fonts`), so the two never say different things.

Text in the model is plain text; each renderer escapes it.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal
from xml.sax.saxutils import escape as xml_escape

import jinja2
from reportlab.graphics.shapes import Circle, Drawing, Group, PolyLine, Rect, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import (
    Flowable,
    KeepInFrame,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from api.documents.fonts import CJKFont, cjk_font
from api.documents.texts import BLANK_DATE, PAGE_NUMBER

__all__ = [
    "BLANK_DATE",
    "Block",
    "Box",
    "Cell",
    "Document",
    "Dot",
    "Figure",
    "Grid",
    "Heading",
    "Para",
    "Shape",
    "Stroke",
    "Text",
    "cell",
    "label",
    "metres",
    "number",
    "rows",
    "to_html",
    "to_pdf",
    "zh_date",
    "zh_datetime",
]

Align = Literal["left", "center", "right"]
ParaKind = Literal["body", "note", "right", "center", "subtitle"]

_PT_MM = 25.4 / 72.0
"""Millimetres per typographic point."""

# ------------------------------------------------------------------------------ formatting


def number(x: float) -> str:
    """Format a quantity as written on a form: whole numbers without decimals, else ≤ 3.

    Examples
    --------
    >>> number(630.0), number(2.5), number(0.125), number(1e6)
    ('630', '2.5', '0.125', '1000000')
    """
    if math.isfinite(x) and float(x).is_integer():
        return str(int(x))
    return f"{x:.3f}".rstrip("0").rstrip(".")


def metres(x: float) -> str:
    """Format a length in metres to 0.1 m (``120.0``), as the assessment states lengths."""
    return f"{x:.1f}"


def zh_date(d: dt.date) -> str:
    """Format a date the Chinese way: ``2025年10月11日``."""
    return f"{d.year}年{d.month}月{d.day}日"


def zh_datetime(t: dt.datetime) -> str:
    """Format a time node: ``2025年10月11日18:00``."""
    return f"{zh_date(t)}{t:%H:%M}"


# ------------------------------------------------------------------------------ the model


@dataclass(frozen=True)
class Cell:
    """One cell of a form grid.

    Attributes
    ----------
    lines
        Paragraphs of the cell.
    colspan, rowspan
        Columns and rows the cell covers.
    label
        A printed label of the form (centred) rather than a filled-in value.
    align
        Alignment of a value cell.
    foot
        Lines at the bottom right of the cell (e.g. ``签批时间``).
    min_height_mm
        Least height of the cell, room for a handwritten opinion or signature.
    """

    lines: tuple[str, ...]
    colspan: int = 1
    rowspan: int = 1
    label: bool = False
    align: Align = "left"
    foot: tuple[str, ...] = ()
    min_height_mm: float = 0.0


def cell(*lines: str, colspan: int = 1, rowspan: int = 1, align: Align = "left", **kw: Any) -> Cell:
    """Return a value cell (see :class:`Cell`)."""
    return Cell(tuple(lines), colspan=colspan, rowspan=rowspan, align=align, **kw)


def label(*lines: str, colspan: int = 1, rowspan: int = 1) -> Cell:
    """Return a label cell of the form (centred)."""
    return Cell(tuple(lines), colspan=colspan, rowspan=rowspan, label=True, align="center")


@dataclass(frozen=True)
class Grid:
    """A bordered table of cells with spans; ``widths`` are relative column widths."""

    rows: tuple[tuple[Cell, ...], ...]
    widths: tuple[float, ...]
    head_rows: int = 0
    small: bool = False


@dataclass(frozen=True)
class Heading:
    """A heading: level 0 is the document title (centred), 1 a section."""

    text: str
    level: int = 1


@dataclass(frozen=True)
class Para:
    """A paragraph of plain text."""

    text: str
    kind: ParaKind = "body"


@dataclass(frozen=True)
class Stroke:
    """A polyline of a figure; coordinates in mm from the figure's bottom-left corner."""

    points: tuple[tuple[float, float], ...]
    colour: str
    width_mm: float
    dash: bool = False
    butt: bool = False
    """Square ends flush with the last point (roads cut at the map frame), else round."""


@dataclass(frozen=True)
class Dot:
    """A filled circle of a figure (mm)."""

    x: float
    y: float
    r_mm: float
    colour: str


@dataclass(frozen=True)
class Box:
    """A rectangle of a figure (mm), white-filled with a thin border (legends)."""

    x: float
    y: float
    w: float
    h: float


@dataclass(frozen=True)
class Text:
    """A text of a figure at ``(x, y)`` mm, rotated ``angle`` degrees anticlockwise."""

    x: float
    y: float
    text: str
    size_pt: float = 7.0
    colour: str = "#000000"
    anchor: Literal["start", "middle", "end"] = "start"
    angle: float = 0.0


Shape = Stroke | Dot | Box | Text


@dataclass(frozen=True)
class Figure:
    """A vector figure (a route map) of ``width_mm`` × ``height_mm``; shapes drawn in order."""

    width_mm: float
    height_mm: float
    shapes: tuple[Shape, ...] = ()
    caption: str = ""


Block = Heading | Para | Grid | Figure


@dataclass
class Document:
    """A document: its title (HTML ``<title>``, PDF metadata) and its blocks."""

    title: str
    blocks: list[Block] = field(default_factory=list)
    author: str = "Linkplan"
    running_head: str = ""
    """Printed at the top of every PDF page after the first (the form's title and project code),
    so a loose second page still says which form and project it belongs to."""
    one_page: bool = False
    """Shrink the PDF's content to fit one A4 page (a one-page form such as 附件2)."""


# ------------------------------------------------------------------------------ HTML
# The page's layout is the template ``templates/document.html.j2`` (blocks in
# ``templates/blocks.html.j2``, style sheet ``templates/document.css``); the code below only
# turns the blocks into the values it shows. The environment autoescapes every value.


@cache
def _templates() -> jinja2.Environment:
    """Return the environment of the document templates (HTML: every value escaped)."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("api.documents", "templates"),
        autoescape=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )


def _f(x: float) -> str:
    return f"{x:.2f}"


def _cell_view(c: Cell) -> dict[str, Any]:
    return {
        "colspan": c.colspan,
        "rowspan": c.rowspan,
        "css": "label" if c.label else (c.align if c.align != "left" else ""),
        "lines": c.lines,
        "boxed": bool(c.foot or c.min_height_mm),
        "foot": c.foot,
        "min_height": f"{c.min_height_mm:g}" if c.min_height_mm else "",
    }


def _grid_view(g: Grid) -> dict[str, Any]:
    total = sum(g.widths)
    return {
        "kind": "grid",
        "small": g.small,
        "cols": [f"{100 * w / total:.2f}" for w in g.widths],
        "rows": [
            {"head": i < g.head_rows, "cells": [_cell_view(c) for c in row]}
            for i, row in enumerate(g.rows)
        ],
    }


def _shape_view(shape: Shape, h: float) -> dict[str, Any]:
    """Return a figure's shape in SVG coordinates (y down from the top, as strings)."""
    if isinstance(shape, Stroke):
        return {
            "kind": "stroke",
            "points": " ".join(f"{_f(x)},{_f(h - y)}" for x, y in shape.points),
            "colour": shape.colour,
            "width": _f(shape.width_mm),
            "cap": "butt" if shape.butt else "round",
            "dash": shape.dash,
        }
    if isinstance(shape, Dot):
        return {
            "kind": "dot",
            "x": _f(shape.x),
            "y": _f(h - shape.y),
            "r": _f(shape.r_mm),
            "colour": shape.colour,
        }
    if isinstance(shape, Box):
        return {
            "kind": "box",
            "x": _f(shape.x),
            "y": _f(h - shape.y - shape.h),
            "w": _f(shape.w),
            "h": _f(shape.h),
        }
    top = h - shape.y
    return {
        "kind": "text",
        "x": _f(shape.x),
        "y": _f(top),
        "size": _f(shape.size_pt * _PT_MM),
        "colour": shape.colour,
        "anchor": shape.anchor,
        "rotate": f"{_f(-shape.angle)} {_f(shape.x)} {_f(top)}" if shape.angle else "",
        "text": shape.text,
    }


def _figure_view(f: Figure) -> dict[str, Any]:
    return {
        "kind": "figure",
        "width": _f(f.width_mm),
        "height": _f(f.height_mm),
        "caption": f.caption,
        "shapes": [_shape_view(shape, f.height_mm) for shape in f.shapes],
    }


def _block_view(b: Block) -> dict[str, Any]:
    if isinstance(b, Heading):
        return {"kind": "heading", "tag": "h1" if b.level <= 0 else "h2", "text": b.text}
    if isinstance(b, Para):
        return {"kind": "para", "css": b.kind if b.kind != "body" else "", "text": b.text}
    if isinstance(b, Figure):
        return _figure_view(b)
    return _grid_view(b)


def to_html(doc: Document) -> str:
    """Return the document as one self-contained HTML page (inline CSS, no scripts).

    Text is escaped by the template (autoescape): a name such as ``<b>`` or ``&`` is shown as
    typed.
    """
    template = _templates().get_template("document.html.j2")
    return template.render(
        title=doc.title, author=doc.author, body=[_block_view(b) for b in doc.blocks]
    )


# ------------------------------------------------------------------------------ PDF


@dataclass(frozen=True)
class _Styles:
    body: ParagraphStyle
    small: ParagraphStyle
    small_center: ParagraphStyle
    small_right: ParagraphStyle
    label: ParagraphStyle
    center: ParagraphStyle
    right: ParagraphStyle
    note: ParagraphStyle
    title: ParagraphStyle
    subtitle: ParagraphStyle
    heading: ParagraphStyle

    def cell(self, align: Align, *, small: bool) -> ParagraphStyle:
        """Return the style of a grid cell's text."""
        if small:
            return {"left": self.small, "center": self.small_center, "right": self.small_right}[
                align
            ]
        return {"left": self.body, "center": self.label, "right": self.right}[align]

    def para(self, kind: ParaKind) -> ParagraphStyle:
        return {
            "body": self.body,
            "note": self.note,
            "right": self.right,
            "center": self.center,
            "subtitle": self.subtitle,
        }[kind]


def _styles(font: str) -> _Styles:
    base = ParagraphStyle(
        "lp-body", fontName=font, fontSize=10.5, leading=15, wordWrap="CJK", spaceAfter=2
    )

    def like(name: str, **kw: Any) -> ParagraphStyle:
        return ParagraphStyle(f"lp-{name}", parent=base, **kw)

    return _Styles(
        body=base,
        small=like("small", fontSize=9, leading=12.5, spaceAfter=0),
        small_center=like("small-c", fontSize=9, leading=12.5, spaceAfter=0, alignment=TA_CENTER),
        small_right=like("small-r", fontSize=9, leading=12.5, spaceAfter=0, alignment=TA_RIGHT),
        label=like("label", alignment=TA_CENTER, spaceAfter=0),
        center=like("center", alignment=TA_CENTER),
        right=like("right", alignment=TA_RIGHT, spaceAfter=0),
        note=like("note", fontSize=8.5, leading=11.5, textColor=colors.HexColor("#333333")),
        title=like("title", fontSize=17, leading=24, alignment=TA_CENTER, spaceAfter=8),
        subtitle=like("subtitle", alignment=TA_CENTER, spaceAfter=8),
        heading=like("heading", fontSize=13, leading=18, spaceBefore=8, spaceAfter=4),
    )


_IDEOGRAPHIC_SPACE = "&nbsp;" * 3
"""reportlab collapses white space; a form's blank (U+3000) must keep its width."""


_STAND_INS = {"☑": "■", "☐": "□"}
"""Form boxes a CJK font may lack, and the boxes of Chinese forms that stand in for them
(■ ticked, □ not): WenQuanYi Micro Hei has no ☑/☐ and would print nothing."""


@cache
def _missing(font: str) -> dict[int, str]:
    """Return the stand-ins for the form boxes ``font`` has no glyph for (TrueType fonts)."""
    face = getattr(pdfmetrics.getFont(font), "face", None)
    glyphs = getattr(face, "charToGlyph", None)
    if glyphs is None:  # a CID font: nothing to check
        return {}
    return {ord(c): sub for c, sub in _STAND_INS.items() if ord(c) not in glyphs}


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    text = text.translate(_missing(style.fontName))
    markup = xml_escape(text).replace("\n", "<br/>").replace("\u3000", _IDEOGRAPHIC_SPACE)
    return Paragraph(markup, style)


class _CellBox(Flowable):
    """A cell's paragraphs at the top and its foot lines at the bottom, at least ``min_h`` high."""

    def __init__(self, body: list[Paragraph], foot: list[Paragraph], min_h: float) -> None:
        super().__init__()
        self.body = body
        self.foot = foot
        self.min_h = min_h
        self._body_h: list[float] = []
        self._foot_h: list[float] = []

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        self._body_h = [p.wrap(aw, ah)[1] for p in self.body]
        self._foot_h = [p.wrap(aw, ah)[1] for p in self.foot]
        gap = 4.0 if self.foot else 0.0
        self.width = aw
        self.height = max(self.min_h, sum(self._body_h) + gap + sum(self._foot_h))
        return aw, self.height

    def draw(self) -> None:
        y = self.height
        for p, h in zip(self.body, self._body_h):
            y -= h
            p.drawOn(self.canv, 0, y)
        y = sum(self._foot_h)
        for p, h in zip(self.foot, self._foot_h):
            y -= h
            p.drawOn(self.canv, 0, y)


def _pdf_grid(g: Grid, st: _Styles, width: float) -> Table:
    n = len(g.widths)
    total = sum(g.widths)
    col_w = [width * w / total for w in g.widths]
    taken: set[tuple[int, int]] = set()
    matrix: list[list[Any]] = [["" for _ in range(n)] for _ in g.rows]
    commands: list[tuple[Any, ...]] = [
        ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    for r, row in enumerate(g.rows):
        c = 0
        for item in row:
            while (r, c) in taken:
                c += 1
            if c + item.colspan > n:
                msg = f"grid row {r}: cells span {c + item.colspan} columns; the grid has {n}"
                raise ValueError(msg)
            for dr in range(item.rowspan):
                for dc in range(item.colspan):
                    taken.add((r + dr, c + dc))
            if item.colspan > 1 or item.rowspan > 1:
                commands.append(("SPAN", (c, r), (c + item.colspan - 1, r + item.rowspan - 1)))
            align: Align = "center" if item.label or r < g.head_rows else item.align
            style = st.cell(align, small=g.small)
            paras = [_p(line, style) for line in item.lines]
            if item.foot or item.min_height_mm:
                feet = [_p(line, st.right) for line in item.foot]
                matrix[r][c] = _CellBox(paras, feet, item.min_height_mm * mm)
                commands.append(("VALIGN", (c, r), (c, r), "TOP"))
            else:
                matrix[r][c] = paras
            c += item.colspan
    table = Table(matrix, colWidths=col_w, repeatRows=g.head_rows, hAlign="CENTER")
    table.setStyle(TableStyle(commands))
    return table


def _pdf_figure(f: Figure, font: str) -> Drawing:
    d = Drawing(f.width_mm * mm, f.height_mm * mm)
    d.add(
        Rect(
            0,
            0,
            f.width_mm * mm,
            f.height_mm * mm,
            fillColor=colors.white,
            strokeColor=colors.black,
            strokeWidth=0.6,
        )
    )
    for shape in f.shapes:
        if isinstance(shape, Stroke):
            d.add(
                PolyLine(
                    [c * mm for xy in shape.points for c in xy],
                    strokeColor=colors.HexColor(shape.colour),
                    strokeWidth=shape.width_mm * mm,
                    strokeLineCap=0 if shape.butt else 1,
                    strokeLineJoin=1,
                    strokeDashArray=[1.5 * mm, 1 * mm] if shape.dash else None,
                )
            )
        elif isinstance(shape, Dot):
            d.add(
                Circle(
                    shape.x * mm,
                    shape.y * mm,
                    shape.r_mm * mm,
                    fillColor=colors.HexColor(shape.colour),
                    strokeColor=None,
                )
            )
        elif isinstance(shape, Box):
            d.add(
                Rect(
                    shape.x * mm,
                    shape.y * mm,
                    shape.w * mm,
                    shape.h * mm,
                    fillColor=colors.white,
                    strokeColor=colors.black,
                    strokeWidth=0.4,
                )
            )
        else:
            text = String(
                0,
                0,
                shape.text,
                fontName=font,
                fontSize=shape.size_pt,
                fillColor=colors.HexColor(shape.colour),
                textAnchor=shape.anchor,
            )
            group = Group(text)
            group.translate(shape.x * mm, shape.y * mm)
            if shape.angle:
                group.rotate(shape.angle)
            d.add(group)
    return d


_MARGIN_MM = 16.0
_HEAD_RULE_MM = 10.5
"""The running head's rule, this far below the top edge (inside the top margin)."""


def _page_number(canvas: Any, doc: Any) -> None:
    canvas.saveState()
    canvas.setFont(doc.lp_font, 8)
    canvas.drawCentredString(A4[0] / 2, 10 * mm, PAGE_NUMBER.format(page=doc.page))
    canvas.restoreState()


def _later_page(canvas: Any, doc: Any) -> None:
    """Page number, and the running head (title and project code) above a thin rule."""
    _page_number(canvas, doc)
    head = doc.lp_running_head
    if not head:
        return
    canvas.saveState()
    canvas.setFont(doc.lp_font, 9)
    top = A4[1] - _HEAD_RULE_MM * mm
    canvas.drawString(_MARGIN_MM * mm, top + 1.5 * mm, head)
    canvas.setLineWidth(0.4)
    canvas.line(_MARGIN_MM * mm, top, A4[0] - _MARGIN_MM * mm, top)
    canvas.restoreState()


def _story(doc: Document, st: _Styles, font: str, width: float) -> list[Flowable]:
    story: list[Flowable] = []
    for b in doc.blocks:
        if isinstance(b, Heading):
            story.append(_p(b.text, st.title if b.level <= 0 else st.heading))
        elif isinstance(b, Para):
            story.append(_p(b.text, st.para(b.kind)))
        elif isinstance(b, Figure):
            story.append(Spacer(1, 2 * mm))
            story.append(_pdf_figure(b, font))
            if b.caption:
                story.append(_p(b.caption, st.center))
        else:
            story.append(_pdf_grid(b, st, width))
            story.append(Spacer(1, 2 * mm))
    return story


def to_pdf(doc: Document, path: str | Path, *, font: CJKFont | None = None) -> Path:
    """Write the document as an A4 PDF with the CJK font (embedded when a TTF was found).

    Parameters
    ----------
    doc
        The document.
    path
        The PDF file to write (its folder is created).
    font
        Default :func:`api.documents.fonts.cjk_font`.

    Returns
    -------
    Path
        ``path``.
    """
    font = font or cjk_font()
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    st = _styles(font.name)
    margin = _MARGIN_MM * mm
    template = SimpleDocTemplate(
        str(out),
        pagesize=A4,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin,
        bottomMargin=margin,
        title=doc.title,
        author=doc.author,
        creator="Linkplan",
        lang="zh-CN",
    )
    template.lp_font = font.name
    template.lp_running_head = doc.running_head
    if doc.one_page:  # scaled down as a whole if it does not fit (the frame's padding: 6 pt)
        frame_w, frame_h = template.width - 12, template.height - 12
        content = _story(doc, st, font.name, frame_w)
        story: list[Flowable] = [KeepInFrame(frame_w, frame_h, content, mode="shrink")]
    else:
        story = _story(doc, st, font.name, template.width)
    template.build(story, onFirstPage=_page_number, onLaterPages=_later_page)
    return out


def rows(*rows: Sequence[Cell]) -> tuple[tuple[Cell, ...], ...]:
    """Return grid rows as tuples (convenience for building :class:`Grid`)."""
    return tuple(tuple(r) for r in rows)
