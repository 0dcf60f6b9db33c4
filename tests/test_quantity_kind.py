"""What a quantity is (``govtag.rules.quantity_kind``): status, relation and total.

Truth tables in the manner of seqeval: each row is a made-up sentence with its quantities marked
[like this] and the sequence of expected values, one per quantity in order; the whole sequence
must match. There is a table per cue list of ``lexicons/status_*.txt`` and ``relation_*.txt``, and
each entry of a list is exercised by at least one row of its table. A made-up township report
(``fixtures/township_totals.txt``) holds each case, and every field of every quantity is checked."""

import re

import pytest

from conftest import FIXTURES
from govtag.outputs.formats import analyse
from govtag.core.labels import QUANTITY, Span
from govtag.rules.lexicon import compile_cue, entries, table
from govtag.rules.quantities import parse_quantity
from govtag.rules.quantity_context import describe_quantities
from govtag.rules.quantity_kind import RELATIONS, STATUSES, classify, is_total
from govtag.rules.tagger import tag_document
from govtag.core.text import normalise

UNIT_LABELS = {"元": "MONEY", "%": "PERCENT", "亩": "AREA", "公顷": "AREA", "平方米": "AREA"}
MARK = re.compile(r"\[([^\]]+)\]")


def unmark(marked: str) -> tuple[str, list[Span]]:
    """The text without brackets and a span per bracketed quantity (label from its unit)."""
    text, spans, position = "", [], 0
    for match in MARK.finditer(marked):
        text += marked[position:match.start()]
        quantity = match.group(1)
        unit = parse_quantity(quantity, "MONEY").unit
        label = UNIT_LABELS.get(unit, "COUNT" if unit in ("个", "户", "人", "条", "家", "次", "份") else "MEASURE")
        spans.append(Span(len(text), len(text) + len(quantity), label, QUANTITY))
        text += quantity
        position = match.end()
    return text + marked[position:], spans


def kinds(marked: str, role: str | None = "成绩") -> list[dict]:
    text, spans = unmark(marked)
    return classify(text, [{**q, "section": role} for q in describe_quantities(text, spans)])


def rows(table_rows):
    return [pytest.param(*row, id=row[0]) for row in table_rows]


def covered(name: str, table_rows, after: bool = False) -> list[str]:
    """The entries of the cue list ``name`` that no row matches: its text, or its text up to one
    of its quantities (where a cue read before a quantity is matched), or with ``after`` its text
    after one of its quantities."""
    marked = [unmark(row[0]) for row in table_rows]
    texts = ([normalise(text[span.end:]) for text, spans in marked for span in spans] if after else
             [normalise(text[:end]) for text, spans in marked for end in [len(text), *(s.start for s in spans)]])
    return [cue for cue in entries(name) if not any(re.search(compile_cue(cue), t) for t in texts)]


# ---------------------------------------------------------------- status

TARGET_ROWS = [
    ("力争全年实现产值[5亿元]", "成绩", ["target"]),
    ("争取全年新增就业岗位[200个]", "成绩", ["target"]),
    ("确保村集体收入达到[10万元]", "成绩", ["target"]),
    ("计划投资[800万元]建设冷库", "成绩", ["target"]),
    ("拟新建产业路[12公里]", "成绩", ["target"]),
    ("预期实现产值[3亿元]", "成绩", ["target"]),
    ("规划建设厂房[5000平方米]", "成绩", ["target"]),
    ("打算新建大棚[30个]", "成绩", ["target"]),
    ("努力实现税收[2000万元]", "成绩", ["target"]),
    ("全年目标是完成投资[1亿元]", "成绩", ["target"]),
    ("全镇将新建道路[12公里]", "成绩", ["target"]),
    ("就业人数将达到[5000人]", "成绩", ["target"]),
    ("力争实现产值[5亿元]，增长[8%]", "成绩", ["target", "target"]),
    ("力争实现产值[5亿元]。全年完成投资[3亿元]", "成绩", ["target", "actual"]),
    ("全镇新建道路[12公里]", "计划", ["target"]),
    ("全镇新建道路[12公里]", "成绩", ["actual"]),
    ("全镇新建道路[12公里]", "问题", ["actual"]),
    ("全镇新建道路[12公里]", None, ["actual"]),
]
TARGET_AFTER_ROWS = [
    ("锚定年产值[10亿元]的目标", "成绩", ["target"]),
    ("完成[50万元]的年度目标任务", "成绩", ["target"]),
    ("建成[5个]目标村", "成绩", ["actual"]),
]
ESTIMATE_ROWS = [
    ("预计全年完成投资[1.2亿元]", "成绩", ["estimate"]),
    ("预估全年税收[800万元]", "成绩", ["estimate"]),
    ("估计损失[30万元]", "问题", ["estimate"]),
    ("据初步统计，接待游客[12万人次]", "成绩", ["estimate"]),
    ("初步测算带动增收[600万元]", "成绩", ["estimate"]),
    ("经初步核算，全年产值[3亿元]", "成绩", ["estimate"]),
    ("据测算可节约资金[50万元]", "成绩", ["estimate"]),
    ("全年有望实现税收[900万元]", "成绩", ["estimate"]),
    ("预计明年完成投资[2亿元]", "计划", ["target"]),
]
ACTUAL_ROWS = [
    ("计划投资[800万元]，已完成[300万元]", "成绩", ["target", "actual"]),
    ("已建成服务站[12个]", "计划", ["actual"]),
    ("已经发放补贴[60万元]", "计划", ["actual"]),
    ("截至目前累计投入[500万元]", "计划", ["actual"]),
    ("截止10月底完成投资[2亿元]", "计划", ["actual"]),
    ("计划建成项目[118个]，实际建成[128个]", "成绩", ["target", "actual"]),
    ("巩固已有成果，新建道路[12公里]", "计划", ["target"]),
    ("目前全镇有贫困户[15户]", "计划", ["actual"]),
    ("现有耕地[5万亩]", "计划", ["actual"]),
    ("去年完成投资[5亿元]，今年力争突破[6亿元]", "计划", ["actual", "target"]),
    ("在去年完成投资[5亿元]的基础上再创新高", "计划", ["actual"]),
    ("比去年增长[8%]", "计划", ["target"]),
    ("力争实际利用外资[30亿美元]", "计划", ["target"]),
    ("将由去年的[18亿元]增加到[95亿元]", "计划", ["target", "target"]),
    ("上年完成投资[18亿元]，今年增加到[95亿元]", "计划", ["actual", "target"]),
    ("上年度完成投资[18亿元]", "计划", ["actual"]),
    ("在提高效益的基础上年均增长[7%]", "计划", ["target"]),
    ("目前债务率较低，今年赤字率在[2%]左右", "计划", ["target"]),
    ("比上年增加[300人]", "计划", ["target"]),
    ("较上一年减少[5户]", "计划", ["target"]),
]
NOT_CUE_ROWS = [
    ("按照计划完成投资[500万元]", "成绩", ["actual"]),
    ("按年度计划完成投资[500万元]", "成绩", ["actual"]),
    ("计划生育家庭[120户]", "成绩", ["actual"]),
    ("计划单列市投资[3亿元]", "成绩", ["actual"]),
    ("计划外资金[20万元]", "成绩", ["actual"]),
    ("开展模拟演练[3次]", "成绩", ["actual"]),
    ("建设虚拟展厅[2个]", "成绩", ["actual"]),
    ("草拟方案[2个]", "成绩", ["actual"]),
    ("拟定方案[2个]", "成绩", ["actual"]),
    ("争取上级资金[500万元]", "成绩", ["actual"]),
    ("争取到项目[3个]", "成绩", ["actual"]),
    ("确保了[3000户]按时领取", "成绩", ["actual"]),
    ("为落实“两个确保”，财政支出[700亿元]", "成绩", ["actual"]),
    ("争取新增专项债券[149亿元]", "成绩", ["actual"]),
    ("人均预期寿命达到[75岁]", "成绩", ["actual"]),
    ("实施扩大有效投资“551”计划，[116个]项目列入省重点工程", "成绩", ["actual"]),
    ("制定发展规划，新建厂房[50万平方米]", "成绩", ["actual"]),
    ("比去年增长[8%]", "成绩", ["actual"]),
    ("超年度计划[20.7个百分点]", "成绩", ["actual"]),
    ("感慨不已的群众[30人]", "成绩", ["actual"]),
    ("将[300万元]用于道路建设", "成绩", ["actual"]),
    ("用时将近[3年]", "成绩", ["actual"]),
    ("完成年度计划的[105%]", "成绩", ["actual"]),
    ("超额完成目标值[120万元]", "成绩", ["actual"]),
    ("积极参与其中，投入资金[50万元]", "成绩", ["actual"]),
]


@pytest.mark.parametrize("marked,role,expected", rows(
    TARGET_ROWS + TARGET_AFTER_ROWS + ESTIMATE_ROWS + ACTUAL_ROWS + NOT_CUE_ROWS))
def test_status(marked, role, expected):
    assert [q["status"] for q in kinds(marked, role)] == expected


@pytest.mark.parametrize("name,table_rows", [
    ("status_target", TARGET_ROWS), ("status_target_after", TARGET_AFTER_ROWS),
    ("status_estimate", ESTIMATE_ROWS), ("status_actual", ACTUAL_ROWS), ("status_not_cues", NOT_CUE_ROWS)])
def test_every_status_cue_has_a_row(name, table_rows):
    assert covered(name, table_rows, after=name.endswith("_after")) == []


# ---------------------------------------------------------------- relation

FROM = table("relation_from")
FROM_ROWS = (
    [(f"收入由[8500元]{verb}到[9200元]", ["from", None]) for verb in FROM["verbs"].split()]
    + [(f"收入由[8500元]提高{to}[9200元]", ["from", None]) for to in FROM["to"].split()]
    + [(f"收入由[8500元]{to}[9200元]", ["from", None]) for to in FROM["to_alone"].split()]
    + [(f"收入{word}去年的[8500元]提高到[9200元]", ["from", None]) for word in FROM["before"].split()]
    + [
        ("信访重点村较去年同期的[15个]下降为[9个]", ["from", None]),
        ("人均收入由2019年的[8500元]增长到20__年的[9200元]", ["from", None]),
        ("收入[8500元]，提高到[9200元]", [None, None]),
        ("收入[8500元]提高到[9200元]", [None, None]),
        ("由村集体出资[5万元]为群众购买保险[300份]", [None, None]),
        ("由[3个]增加到[500万元]", [None, None]),
    ])
PART_ROWS = [
    ("播种面积[5万亩]，其中小麦[3000亩]、玉米[2000亩]", [None, "part", "part"]),
    ("投入资金[80万元](含上级补助[30万元])", [None, "part"]),
    ("覆盖[12个]村，包括贫困村[3个]", [None, "part"]),
    ("新建厂房[8000平方米]，包含仓库[2000平方米]", [None, "part"]),
    ("总投资[3亿元]，内含征地费用[2000万元]", [None, "part"]),
    ("总面积[5万亩]。其中水田[3万亩]", [None, "part"]),
    ("耕地[5万亩]，其中水田[3万亩]。全年产值[2亿元]", [None, "part", None]),
    ("新增公路[60万公里]，其中高速公路[4万公里]，高速公路总里程达[9万公里]", [None, "part", None]),
    ("进出口总值增长[12%]，其中，出口增长[20%]", [None, "part"]),
    ("新增上市企业[6家]。主要工作包括以下[十个]方面", [None, None]),
    ("总投资[80万元]，含上级补助[30万元]，全年产值[2亿元]", [None, "part", None]),
    ("投入资金[450万元]，其中上级资金[200万元]，惠及群众[3200户]", [None, "part", None]),
    ("其中小麦[3000亩]", [None]),
    ("总产值[1.5万亿元]，比上年增长[9%]。其中工业产值[1万亿元]", [None, None, "part"]),
    ("总产值[1.5万亿元]，比上年增长[9%]，其中工业增长[10%]", [None, None, "part"]),
    ("有机质含量达[3%]", [None]),
    ("积极参与其中，投入资金[50万元]", [None]),
]
CONVERSION = table("relation_conversion")
CONVERSION_ROWS = (
    [(f"新建湿地[160公顷]，{word}[2400亩]", [None, "conversion"]) for word in CONVERSION["conversion"].split()]
    + [(f"新建湿地[160公顷]，折合约[2400亩]", [None, "conversion"])]
    + [(f"投入资金[50万元]，{word}[3个]村", [None, None]) for word in CONVERSION["not_conversion"].split()]
    + [("约合[2400亩]", [None]), ("新建湿地[160公顷]。约合[2400亩]", [None, None])])
CLASS_ROWS = (
    [(f"打造[200亿]{word}产业集群", ["class"]) for word in ("级", "量级", "元级")]
    + [
        ("引进[10亿元]以上工业项目[14个]", ["class", None]),
        ("签约[3亿元]以上的重大产业项目[20个]", ["class", None]),
        ("培育[亿元]以上企业[5家]", ["class", None]),
        ("完成投资[3亿元]以上", [None]),
        ("打造[千亿]级产业集群，培育[2个][百亿]产业", ["class", None, "class"]),
        ("引进[亿元]以上项目[3个]", ["class", None]),
        ("建成[3万吨]级码头", [None]),
        ("完成投资[200亿元]", [None]),
    ])


@pytest.mark.parametrize("marked,expected", rows(FROM_ROWS + PART_ROWS + CONVERSION_ROWS + CLASS_ROWS))
def test_relation(marked, expected):
    assert [q["relation"] for q in kinds(marked)] == expected


@pytest.mark.parametrize("name,table_rows", [("relation_part", PART_ROWS), ("relation_class", CLASS_ROWS)])
def test_every_relation_cue_has_a_row(name, table_rows):
    assert covered(name, table_rows, after=name == "relation_class") == []


def test_the_level_reached_takes_the_rate_base_of_the_earlier_level():
    assert [q["per"] for q in kinds("农民人均收入由[8500元]提高到[9200元]")] == ["人", "人"]
    assert [q["per"] for q in kinds("户均收入[8500元]，集体收入[9200元]")] == ["户", None]


def test_statuses_and_relations_are_the_documented_sets():
    found = [q for marked, *_ in TARGET_ROWS + FROM_ROWS + PART_ROWS + CONVERSION_ROWS + CLASS_ROWS
             for q in kinds(marked)]
    assert {q["status"] for q in found} <= set(STATUSES) and {q["relation"] for q in found} == set(RELATIONS)


# ---------------------------------------------------------------- total

TOTAL_ROWS = [
    ("全镇完成投资[3.2亿元]，新建道路[12公里]", [True, True]),
    ("约[3.2亿元]", [False]),
    ("人均收入[9800元]", [False]),
    ("同比增长[8%]，覆盖率[95%]", [False, False]),
    ("收入增加[300万元]", [False]),
    ("投入[xx万元]", [False]),
    ("计划投资[800万元]", [False]),
    ("预计完成投资[1.2亿元]", [False]),
    ("收入由[8500元]提高到[9200元]", [False, True]),
    ("播种面积[5万亩]，其中小麦[3000亩]", [True, False]),
    ("培育[2个][百亿]产业", [True, False]),
    ("投入[几十万元]", [False]),
]


@pytest.mark.parametrize("marked,expected", rows(TOTAL_ROWS))
def test_total(marked, expected):
    found = kinds(marked)
    assert [q["total"] for q in found] == expected == [is_total(q) for q in found]


# ---------------------------------------------------------------- a whole report

FIELDS = ("text", "label", "value", "unit", "qualifier", "per", "change", "section", "status", "relation", "total")
EXPECTED = [  # every quantity of fixtures/township_totals.txt, in order, with every field
    ("3.2亿元", "MONEY", 320000000, "元", "exact", None, None, "成绩", "actual", None, True),
    ("1.8亿元", "MONEY", 180000000, "元", "exact", None, None, "成绩", "actual", "part", False),
    ("1.2亿元", "MONEY", 120000000, "元", "exact", None, None, "成绩", "estimate", None, False),
    ("10亿元", "MONEY", 1000000000, "元", "exact", None, None, "成绩", "target", None, False),
    ("12个", "COUNT", 12, "个", "exact", None, None, "成绩", "actual", None, True),
    ("8000万元", "MONEY", 80000000, "元", "exact", None, None, "成绩", "actual", None, True),
    ("500万元", "MONEY", 5000000, "元", "exact", None, None, "成绩", "actual", None, True),
    ("300万元", "MONEY", 3000000, "元", "exact", None, None, "成绩", "actual", None, True),
    ("8500元", "MONEY", 8500, "元", "exact", "人", None, "成绩", "actual", "from", False),
    ("9200元", "MONEY", 9200, "元", "exact", "人", None, "成绩", "actual", None, False),
    ("300元", "MONEY", 300, "元", "exact", None, "increase", "成绩", "actual", None, False),
    ("8.1%", "PERCENT", 8.1, "%", "exact", None, "increase", "成绩", "actual", None, False),
    ("30%", "PERCENT", 30, "%", "exact", None, "decrease", "成绩", "actual", None, False),
    ("160公顷", "AREA", 160, "公顷", "exact", None, None, "成绩", "actual", None, True),
    ("2400亩", "AREA", 2400, "亩", "about", None, None, "成绩", "actual", "conversion", False),
    ("5万亩", "AREA", 50000, "亩", "exact", None, None, "成绩", "actual", None, True),
    ("3000亩", "AREA", 3000, "亩", "exact", None, None, "成绩", "actual", "part", False),
    ("3000多条", "COUNT", 3000, "条", "more_than", None, None, "成绩", "actual", None, False),
    ("15个", "COUNT", 15, "个", "exact", None, None, "成绩", "actual", "from", False),
    ("9个", "COUNT", 9, "个", "exact", None, None, "成绩", "actual", None, True),
    ("千亿", "MONEY", 100000000000, "元", "exact", None, None, "成绩", "actual", "class", False),
    ("2个", "COUNT", 2, "个", "exact", None, None, "成绩", "actual", None, True),
    ("百亿", "MONEY", 10000000000, "元", "exact", None, None, "成绩", "actual", "class", False),
    ("500吨", "MEASURE", 500, "吨", "exact", "日", None, "成绩", "actual", None, False),
    ("2000人次", "COUNT", 2000, "人次", "exact", "日", None, "成绩", "actual", None, False),
    ("600元", "MONEY", 600, "元", "exact", "月", None, "成绩", "actual", None, False),
    ("10万元", "MONEY", 100000, "元", "less_than", None, None, "问题", "actual", None, False),
    ("3个", "COUNT", 3, "个", "exact", None, None, "问题", "actual", None, True),
    ("12个", "COUNT", 12, "个", "exact", None, None, "计划", "actual", None, True),
    ("5亿元", "MONEY", 500000000, "元", "exact", None, None, "计划", "target", None, False),
    ("8%", "PERCENT", 8, "%", "exact", None, "increase", "计划", "target", None, False),
    ("800万元", "MONEY", 8000000, "元", "exact", None, None, "计划", "target", None, False),
    ("12公里", "MEASURE", 12, "公里", "exact", None, None, "计划", "target", None, False),
    ("200个", "COUNT", 200, "个", "exact", None, None, "计划", "target", None, False),
    ("5000人", "COUNT", 5000, "人", "exact", None, None, "计划", "target", None, False),
]


def test_township_report_every_field():
    text = (FIXTURES / "township_totals.txt").read_text(encoding="utf-8")
    quantities = analyse(tag_document(text, "township_totals"))["quantities"]
    assert [tuple(q[key] for key in FIELDS) for q in quantities] == EXPECTED
    assert not any(q["placeholder"] for q in quantities)
    assert all(q["low"] == q["high"] == q["value"] for q in quantities)  # no range in the report
    assert [q["text"] for q in quantities if q["approximate"]] == ["3000多条"]
    assert all(text[q["start"]:q["end"]] == q["text"] for q in quantities)
