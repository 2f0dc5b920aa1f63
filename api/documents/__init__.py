"""Documents for 自然资源和规划局, 城管委 and the intake window (issue 7 item 5).

* :func:`intake_form_html`, :func:`intake_form_pdf` (one A4 page): the 需求信息采集单 (seed 附件2) of an intake form;
* :func:`approval_sheet_html`, :func:`approval_sheet_pdf`: the 综合审批意见单 (seed 附件3)
  filled from an assessment, with drafted opinions and time limits;
* :func:`planning_opinion_html`, :func:`planning_opinion_pdf`: the drafted planning opinion
  (规划意见（草拟）) with lengths, crossings, dig-once roads, the joint trench's cross-section
  checks, the approval path and its reasons, and a route map.

HTML pages are self-contained (inline CSS, A4 print layout); PDFs embed a Chinese TrueType
font found by :func:`api.documents.fonts.cjk_font`.
"""

from api.documents.fonts import CJKFont, cjk_font, find_cjk_font
from api.documents.opinion import (
    planning_opinion_document,
    planning_opinion_html,
    planning_opinion_pdf,
)
from api.documents.sheets import (
    approval_sheet_document,
    approval_sheet_html,
    approval_sheet_pdf,
    intake_form_document,
    intake_form_html,
    intake_form_pdf,
)

__all__ = [
    "CJKFont",
    "approval_sheet_document",
    "approval_sheet_html",
    "approval_sheet_pdf",
    "cjk_font",
    "find_cjk_font",
    "intake_form_document",
    "intake_form_html",
    "intake_form_pdf",
    "planning_opinion_document",
    "planning_opinion_html",
    "planning_opinion_pdf",
]
