"""Table tests for govtag.rules.quantity_context: each qualifier, rate and change cue, in Simplified,
Traditional and full-width forms of a made-up township sentence. The quantity is marked with
[brackets]; the brackets are removed and the span is described at their offsets."""

import pytest
from opencc import OpenCC

from govtag.core.labels import QUANTITY, Span
from govtag.rules.lexicon import table, words
from govtag.rules.quantities import parse_quantity
from govtag.rules.quantity_context import QUALIFIERS, describe, describe_quantities
from govtag.core.text import normalise

TO_TRADITIONAL = OpenCC("s2t")
FULL_WIDTH = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)})


def forms(sentence: str) -> list[str]:
    """The sentence as written (Simplified), in Traditional characters, and with full-width
    digits and signs (and Traditional characters)."""
    traditional = TO_TRADITIONAL.convert(sentence)
    full_width = "".join(ch.translate(FULL_WIDTH) if ch not in "[]" else ch for ch in traditional)
    return [sentence, traditional, full_width]


def described(marked: str, previous_end: int = 0):
    start = marked.index("[")
    end = marked.index("]") - 1
    text = marked.replace("[", "").replace("]", "")
    unit = parse_quantity(text[start:end], "MONEY").unit
    return describe(normalise(text), start, end, unit, previous_end)


def each_form(rows):
    return [pytest.param(form, expected, id=f"{form}") for sentence, expected in rows
            for form in forms(sentence)]


QUALIFIER_ROWS = [
    ("xx镇完成投资[200万元]", "exact"),
    ("全镇达到[12万元]", "exact"),
    ("投入资金约[200万元]", "about"),
    ("大约[3000人]参加", "about"),
    ("近[5成]农户", "about"),
    ("将近[3年]", "about"),
    ("接近[90%]", "about"),
    ("带动[3万人]左右就业", "about"),
    ("亩产[1000斤]上下", "about"),
    ("覆盖[几十个]村", "about"),
    ("吸引[数万人]", "about"),
    ("惠及[上千人]", "about"),
    ("用时[十几天]", "about"),
    ("覆盖率[90%]以上", "at_least"),
    ("不少于[50人]", "at_least"),
    ("不低于[80%]", "at_least"),
    ("至少[3次]", "at_least"),
    ("增速[5%]以内", "at_most"),
    ("[60岁]以下", "at_most"),
    ("不超过[3天]", "at_most"),
    ("最多[2000元]", "at_most"),
    ("超过[500人]", "more_than"),
    ("逾[300户]", "more_than"),
    ("多于[20家]", "more_than"),
    ("高于[3%]", "more_than"),
    ("投资[1000余万元]", "more_than"),
    ("惠及[3万多人]", "more_than"),
    ("工期[3个多月]", "more_than"),
    ("超过了[500人]", "more_than"),
    ("不足[3%]", "less_than"),
    ("不到[10人]", "less_than"),
    ("低于[2%]", "less_than"),
    ("少于[5家]", "less_than"),
    ("约[1000余万元]", "about"),
    ("[1000余万元]以上", "at_least"),
    ("达到约[200万元]", "about"),
    ("上报线索为[3000多条]", "more_than"),
    ("累计投入[1000余万元]", "more_than"),
    ("达到[3万多人]", "more_than"),
    ("新签约[12个]项目", "exact"),
    ("附近[3个]村", "exact"),
]


@pytest.mark.parametrize("marked,expected", each_form(QUALIFIER_ROWS))
def test_qualifier(marked, expected):
    assert described(marked).qualifier == expected


def test_qualifiers_are_the_documented_set():
    names = {key.split("_", 1)[1] for key in table("qualifier_cues") if key != "not_before"}
    assert names <= set(QUALIFIERS) and QUALIFIERS[0] == "exact"


PER_ROWS = [
    ("全镇农民人均纯收入[9500元]", "人"),
    ("户均增收[500元]", "户"),
    ("亩产[1200斤]", "亩"),
    ("亩均效益[5万元]", "亩"),
    ("每亩补助[200元]", "亩"),
    ("每万人拥有医生[3名]", "10000 人"),
    ("每百户拥有汽车[30辆]", "100 户"),
    ("年均增长[8%]", "年"),
    ("补助标准[9500元/人/年]", "人/年"),
    ("每人每年补助[500元]", "人/年"),
    ("全年完成产值[1.2亿元]", None),
    ("企业日产钢材[300吨]", "日"),
    ("每个月发放补贴[500元]", "月"),
    ("每两个月巡查[1次]", "2 月"),
]


@pytest.mark.parametrize("marked,expected", each_form(PER_ROWS))
def test_per(marked, expected):
    assert described(marked).per == expected


CHANGE_ROWS = [
    ("地区生产总值增长[6.3%]", "increase"),
    ("同比增长[8.2%]", "increase"),
    ("比上年增加[1200元]", "increase"),
    ("较上年同期增加了[15户]", "increase"),
    ("财政收入提高[3个百分点]", "increase"),
    ("粮食产量上升[2%]", "increase"),
    ("户均增收[500元]", "increase"),
    ("同比增长约[8%]", "increase"),
    ("增长达[8%]", "increase"),
    ("比上年多[1200元]", "increase"),
    ("比上年减少[290万元]", "decrease"),
    ("能耗下降[5%]", "decrease"),
    ("发生率降低[0.5个百分点]", "decrease"),
    ("同比下降了[3.1%]", "decrease"),
    ("较20__年减少[12户]", "decrease"),
    ("比去年少[3户]", "decrease"),
    ("同比[6.3%]", "change"),
    ("环比[2%]", "change"),
    ("覆盖率[73%]", None),
    ("新增就业[300人]", None),
    ("覆盖率提高到[95%]", None),
    ("贫困发生率下降至[1%]", None),
    ("完成投资[1.2亿元]", None),
    ("全年增长率为[8.1%]", "increase"),
    ("减排率达[30%]", "decrease"),
    ("增速为[8%]", "increase"),
    ("带动农户增加收入[500元]", "increase"),
    ("较去年同期的[15个]", None),
    ("较去年同期[15个]", "change"),
]


@pytest.mark.parametrize("marked,expected", each_form(CHANGE_ROWS))
def test_change(marked, expected):
    assert described(marked).change == expected


@pytest.mark.parametrize("marked,expected", each_form([
    ("实现产值[20__余万元]", True),
    ("投入[xx万元]", True),
    ("覆盖[**户]", True),
    ("投入[200万元]", False),
]))
def test_placeholder(marked, expected):
    assert described(marked).placeholder is expected


def test_context_stops_at_the_clause_and_at_the_quantity_before():
    assert described("人均收入9500元，全镇[300户]").per is None
    assert described("同比增长8%，覆盖[300户]").change is None
    text = "人均收入9500元集体收入[3万元]"
    assert described(text, previous_end=text.index("集")).per is None


def test_describe_quantities_gives_every_field():
    text = "xx鎮人均純收入９５００元，同比增長約６．３％，投入xx萬元。"
    spans = [Span(text.index(q), text.index(q) + len(q), label, QUANTITY)
             for q, label in (("９５００元", "MONEY"), ("６．３％", "PERCENT"), ("xx萬元", "MONEY"))]
    rows = describe_quantities(text, spans)
    assert [(r["text"], r["value"], r["unit"], r["qualifier"], r["per"], r["change"], r["placeholder"])
            for r in rows] == [
        ("９５００元", 9500, "元", "exact", "人", None, False),
        ("６．３％", 6.3, "%", "about", None, "increase", False),
        ("xx萬元", None, "元", "exact", None, None, True),
    ]
    assert set(rows[0]) >= {"label", "start", "end", "text", "value", "unit", "low", "high",
                            "approximate", "qualifier", "per", "change", "placeholder"}


# ---------------------------------------------------------------- every cue of the lexicons

def cue_rows(name: str, prefix: str) -> list[tuple[str, str]]:
    return [(word, key[len(prefix):]) for key, value in table(name).items() if key.startswith(prefix)
            for word in value.split()]


EVERY_QUALIFIER = ([(f"投入资金{word}[200万元]", qualifier) for word, qualifier in cue_rows("qualifier_cues", "before_")]
                   + [(f"投入资金[200万元]{word}", qualifier) for word, qualifier in cue_rows("qualifier_cues", "after_")])


@pytest.mark.parametrize("marked,expected", each_form(EVERY_QUALIFIER))
def test_every_qualifier_cue(marked, expected):
    assert described(marked).qualifier == expected


@pytest.mark.parametrize("marked,expected", each_form(
    [(f"收入{word}[5%]", key) for key in ("increase", "decrease") for word in table("change_cues")[key].split()]
    + [(f"收入比上年{word}[5%]", key.split("_")[0]) for key in ("increase_after_comparison", "decrease_after_comparison")
       for word in table("change_cues")[key].split()]
    + [(f"收入增长{word}[95%]", None) for word in table("change_cues")["to_level"].split()]
    + [(f"{word}[300人]", None) for word in table("change_cues")["not_change"].split()]
    + [(f"收入{word}{level}[5%]", key.removeprefix("rate_")) for key in ("rate_increase", "rate_decrease")
       for word in table("change_cues")[key].split() for level in ("", "为", "达")]
    + [(f"收入比上年{word}[300人]", None) for word in table("change_cues")["comparison_base"].split()]))
def test_every_change_cue(marked, expected):
    assert described(marked).change == expected


@pytest.mark.parametrize("marked,expected", each_form(
    [(f"{word}收入[500元]", base) for word, base in table("rate_cues").items()]))
def test_every_rate_cue(marked, expected):
    assert described(marked).per == expected


@pytest.mark.parametrize("marked,expected", each_form(
    [(f"{word}[3000多条]", "more_than") for word in table("qualifier_cues")["before_exact"].split()]
    + [(f"{word}[12个]", "exact") for word in table("qualifier_cues")["not_before"].split()]))
def test_neutral_words_and_words_ending_in_a_cue(marked, expected):
    assert described(marked).qualifier == expected


@pytest.mark.parametrize("marked,expected", [
    (f"城乡居民人均收入分别达到[36200元]{word}[18900元]", [("人", None), ("人", None)])
    for word in words("coordinators")] + [
    ("产值分别增长[12%]和[15%]", [(None, "increase"), (None, "increase")]),
    ("人均收入[9500元]和集体收入[3万元]", [("人", None), (None, None)]),
    ("人均收入[9500元]，集体经济增长[3万元]", [("人", None), (None, "increase")]),
])
def test_a_coordinator_alone_shares_per_and_change(marked, expected):
    text, spans, offset = marked.replace("[", "").replace("]", ""), [], 0
    for part in marked.split("[")[1:]:
        quantity = part.split("]")[0]
        start = text.index(quantity, offset)
        spans.append(Span(start, start + len(quantity), "MONEY" if "元" in quantity else "PERCENT", QUANTITY))
        offset = start + len(quantity)
    assert [(q["per"], q["change"]) for q in describe_quantities(text, spans)] == expected
