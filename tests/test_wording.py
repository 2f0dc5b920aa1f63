"""Official wording: what the demo prints cites the seed and national rules, in Chinese words.

Every document, map, survey package and table of the demo is generated as ``tests/test_outputs.py``
does and scanned for the assessment's internal rule codes (``R4``), software words (本配置, the
profile id as 政策口径) and raw enumeration codes (``medium_b``, ``china_telecom``) in the text a
reader sees; the survey GeoPackage keeps each code column with a ``_zh`` column beside it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
import zipfile
from pathlib import Path

import pyogrio
import pytest
import yaml
from typer.testing import CliRunner

from api.cli import app as cli
from api.report import assessment_table, display_width
from data.demo_district import build_district
from data.demo_intakes import demo_intakes
from gis import vocabulary
from gis.errors import Problem, ValidationError
from gis.profile import load_profile
from gis.workspace import write_workspace
from planning.approval import CarriagewayCrossing, Reason, RouteFacts, decide
from planning.assess import Assessment, UtilityResult

SHOWN = (
    vocabulary.UTILITIES,
    vocabulary.OPERATORS,
    vocabulary.ROAD_CLASSES,
    vocabulary.MAJOR_LINE_KINDS,
    vocabulary.SURFACES,
    vocabulary.APPROVAL_PATHS,
    vocabulary.LEDGER_PATHS,
    vocabulary.GAS_PRESSURE_CLASSES,
    vocabulary.HEAT_MEDIA,
    vocabulary.NETWORK_STATUSES,
    vocabulary.ENTERPRISE_TYPES,
    vocabulary.BUSINESS_TYPES,
    vocabulary.ROUTE_ROLES,
    vocabulary.LEDGER_STEPS,
    vocabulary.LEDGER_STATUSES,
    vocabulary.CHECKLIST_CATEGORIES,
    vocabulary.TRENCH_SEGMENT_KINDS,
)
"""The enumerations whose values a reader meets (not file, layer or column names)."""

CODES = sorted({v for vocab in SHOWN for v in vocab.values if isinstance(v, str)}, key=len)[::-1]
FORBIDDEN = re.compile(
    r"(?<![A-Za-z0-9])R\d+(?![\w])|本配置|政策口径|政策配置|jingmen-2023|(?<![\w-])("
    + "|".join(map(re.escape, CODES))
    + r")(?![\w-])"
)
CJK = re.compile(r"[\u4e00-\u9fff]")
STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\.)*`')
TAG = re.compile(r"<[^>]+>")
CODE_SIBLINGS = {("checklist", "kind"): "category"}
"""Code columns whose Chinese sibling has another name than ``<column>_zh``."""


def shown_texts(page: str) -> list[str]:
    """Return what a reader of an HTML page sees: its text and the Chinese strings of its scripts.

    Scripts are inlined libraries plus the map's own popups, tooltips and legends; of their
    string literals, those with Chinese in them are the ones written for a reader.
    """
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    out = [TAG.sub(" ", body)]
    for m in STRING.finditer(page):
        text = m.group()[1:-1]
        if "\\u" in text:
            with contextlib.suppress(json.JSONDecodeError):
                text = json.loads(f'"{text}"')
        if CJK.search(text):
            out.append(TAG.sub(" ", text))
    return out


def offences(name: str, text: str) -> list[str]:
    """Return every internal code, software word or raw enumeration code in ``text``."""
    return [
        f"{name}: {m.group()!r} in …{text[max(0, m.start() - 30) : m.end() + 20]}…"
        for m in FORBIDDEN.finditer(text)
    ]


def gpkg_offences(name: str, path: Path) -> list[str]:
    """Return code columns without a Chinese sibling and Chinese values carrying codes."""
    found: list[str] = []
    for layer, _ in pyogrio.list_layers(path):
        df = pyogrio.read_dataframe(path, layer=layer, read_geometry=False)
        for column in df.columns:
            values = [str(v) for v in df[column].dropna()]
            coded = any(set(re.split(r"[,、/|]", v)) & set(CODES) for v in values)
            sibling = CODE_SIBLINGS.get((layer, column), f"{column}_zh")
            if (
                coded
                and not column.endswith("_zh")
                and not {sibling, f"{column.split('_')[0]}_zh"} & set(df.columns)
            ):
                found.append(f"{name} {layer}.{column}: codes {values[:3]} without a _zh column")
            if coded or column.endswith("_zh") or any(CJK.search(v) for v in values):
                for v in values:
                    if column.endswith("_zh") or CJK.search(v):
                        found += offences(f"{name} {layer}.{column}", v)
    return found


@pytest.fixture(scope="module")
def demo_outputs(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("wording")
    ws = root / "demo.gpkg"
    write_workspace(build_district("demo"), ws)
    forms = root / "forms.yaml"
    forms.write_text(yaml.safe_dump(demo_intakes(), allow_unicode=True), encoding="utf-8")
    sites = [f["site_id"] for f in demo_intakes()]
    every = [arg for s in sites for arg in ("--site", s)]
    run = CliRunner()

    def invoke(*args: object) -> str:
        res = run.invoke(cli, [str(a) for a in args])
        assert res.exit_code == 0, res.output
        return res.output

    invoke(
        "sheet", ws, *every, "--demand", forms, "-o", root / "sheets", "--start", "2026-11-30T10:00"
    )
    invoke("survey-pack", ws, *every, "--demand", forms, "-o", root / "packs")
    for s in sites:
        invoke("map", ws, "--site", s, "--demand", forms, "-o", root / "maps" / f"{s}.html")
    invoke("map", ws, "--all", "-o", root / "maps" / "district.html")
    (root / "table.txt").write_text(invoke("assess", ws, "--demand", forms), encoding="utf-8")
    return root


def test_demo_outputs_cite_the_seed_in_chinese_words(demo_outputs):
    pages = sorted(demo_outputs.rglob("*.html"))
    packs = sorted(demo_outputs.rglob("*.zip"))
    # every project's 附件2, 附件3 and planning opinion, its map and its survey package
    assert len(pages) == 16 * 3 + 16 + 1 and len(packs) == 16
    found: list[str] = []
    for page in pages:
        for text in shown_texts(page.read_text(encoding="utf-8")):
            found += offences(page.name, text)
    for pack in packs:
        with zipfile.ZipFile(pack) as z:
            for name in z.namelist():
                if name.endswith(".html"):
                    for text in shown_texts(z.read(name).decode("utf-8")):
                        found += offences(name, text)
                elif name.endswith(".gpkg"):
                    copy = demo_outputs / "survey.gpkg"
                    copy.write_bytes(z.read(name))
                    found += gpkg_offences(name, copy)
    found += offences("assess table", (demo_outputs / "table.txt").read_text(encoding="utf-8"))
    assert found == []


def test_the_scan_finds_codes_and_software_words():
    page = (
        '<html><body><p>理由：R4 外线长度</p><script>var p = "燃气 medium_b";'
        'var lib = "sidewalk";</script></body></html>'
    )
    texts = shown_texts(page)
    found = [hit for t in texts for hit in offences("page", t)]
    assert [h.split(" in ")[0] for h in found] == ["page: 'R4'", "page: 'medium_b'"]
    assert offences("note", "依据本配置（政策口径 jingmen-2023）") != []
    assert offences("ok", "GB 50289；实施方案 四(二)1；中压B；DN160；CGCS2000") == []


def test_reasons_cite_the_seed_not_the_configuration():
    profile = load_profile("jingmen-2023")
    cw = CarriagewayCrossing("r1", "白云大道", "arterial", 16.0)
    path, reasons = decide(RouteFacts(120.0, carriageways=[cw]), profile=profile)
    assert path == "joint"
    carriageway = next(r for r in reasons if r.code == "carriageway_arterial")
    assert carriageway.text == (
        "外线需开挖横穿主干路「白云大道」车行道 16 m：不属于告知承诺的挖掘人行道、临时占用绿地，"
        "该等级道路亦不采用顶管/定向钻穿越（实施方案 四(二)1）"
    )
    assert all(offences("reason", r.text) == [] for r in reasons)


def test_the_table_aligns_chinese_columns():
    why = [Reason("R4", "length", "外线长度 450.0 m，不小于 300 m")]
    gas = UtilityResult("gas", covered=False, requirement="", approval_path=None, reasons=why)
    telecom = UtilityResult(
        "telecom", covered=False, requirement="", approval_path=None, reasons=why
    )
    a = Assessment(
        "JM-2026-001",
        "测试",
        True,
        None,
        [],
        {"gas": gas, "telecom": telecom},
        ["gas"],
        dt.date(2026, 1, 1),
    )
    lines = assessment_table([a], profile=load_profile("jingmen-2023")).splitlines()
    # the reason column starts at the same display column on the header and on both rows
    starts = [
        display_width(line[: line.index(word)])
        for line, word in zip(lines, ["理由", "外线", "外线"], strict=False)
    ]
    # project, utility, covered, lead-in, along the road, red-line length, path
    assert len(set(starts)) == 1 and starts[0] == 13 + 6 + 6 + 10 + 11 + 13 + 2 + 26, lines
    assert [display_width(line[: line.index("否")]) for line in lines[1:3]] == [19, 19]


def test_validation_problems_carry_a_chinese_message():
    p = Problem(
        "roads",
        "a",
        "road_class",
        "'motorway'",
        "one of expressway, arterial",
        code="invalid_enum",
        expected_zh="快速路、主干路",
    )
    assert (
        p.message_zh
        == "图层 roads 要素 a 字段「road_class」：不在可选值内，收到「'motorway'」，应为 快速路、主干路"
    )
    text = str(ValidationError(problems=[p], summary="roads invalid"))
    assert "  - 图层 roads 要素 a 字段「road_class」：不在可选值内" in text
    assert "(ERROR [invalid_enum] roads feature a field 'road_class': got 'motorway'" in text
