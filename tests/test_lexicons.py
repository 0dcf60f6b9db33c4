"""Table tests for the rule tagger's lexicons (``govtag/lexicons``): every list loads, is not
empty and has no duplicates, and a few entries of each list drive the tagger as expected on a
made-up sentence; the cue notation compiles as documented."""

import re

import pytest

from govtag.rules import lexicon
from govtag.rules.lexicon import LexiconError, compile_cue, cues, entries, table, words
from govtag.rules.quantities import parse_quantity
from govtag.rules.tagger import tag_quantities, tag_sections

ALL_LISTS = sorted(path.stem for path in lexicon.LEXICON_DIR.glob("*.txt"))
TABLES = ("numerals", "unit_word_starts", "value_hedges", "unit_aliases", "money_aliases",
          "qualifier_cues", "rate_cues", "change_cues", "placeholders", "shares", "relation_from",
          "relation_conversion")
CUE_LISTS = [name for name in ALL_LISTS if name.startswith("heading_") or name in (
    "outside_sentences", "thanks_openers", "closing_calls", "problem_openers_strong",
    "problem_openers_weak", "plan_openers", "result_cues", "concessions", "remedies", "problem_answers", "change_comparisons",
    "status_target", "status_target_after", "status_estimate", "status_actual", "status_not_cues",
    "relation_part", "relation_class")]


def found(text: str) -> list[tuple[str, str]]:
    return [(text[s.start:s.end], s.label) for s in tag_quantities(text)]


def role_of(text: str, fragment: str) -> str | None:
    start = text.index(fragment)
    return next((s.label for s in tag_sections(text) if s.start <= start < s.end), None)


# ---------------------------------------------------------------- every list

def test_there_are_lists():
    assert len(ALL_LISTS) >= 40


@pytest.mark.parametrize("name", ALL_LISTS)
def test_list_loads_non_empty_without_duplicates(name):
    items = entries(name)
    assert items, f"{name} is empty"
    duplicates = {item for item in items if items.count(item) > 1}
    assert not duplicates, f"{name}: duplicate entries {duplicates}"


@pytest.mark.parametrize("name", ALL_LISTS)
def test_list_has_a_header_comment(name):
    first = (lexicon.LEXICON_DIR / f"{name}.txt").read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# ")


@pytest.mark.parametrize("name", TABLES)
def test_table_rows_have_keys_and_values(name):
    rows = table(name)
    assert len(rows) == len(entries(name)) and all(rows.values())


@pytest.mark.parametrize("name", CUE_LISTS)
def test_cue_list_compiles(name):
    re.compile(cues(name))


def test_unit_guards_name_known_units():
    from govtag.rules.quantity_grammar import UNIT_LABELS
    assert set(table("unit_word_starts")) - set(UNIT_LABELS) == {"成"}  # 成: the tenths form


# ---------------------------------------------------------------- quantity lists

@pytest.mark.parametrize("name, text, expected", [
    ("units_money", "拨付资金5万港元", [("5万港元", "MONEY")]),
    ("units_money", "电价降低3分/千瓦时", [("3分/千瓦时", "MONEY")]),
    ("units_percent", "下降0.5个百分点", [("0.5个百分点", "PERCENT")]),
    ("units_percent", "增长2倍", [("2倍", "PERCENT")]),
    ("units_area", "新增绿地12公顷", [("12公顷", "AREA")]),
    ("units_area", "改造厂房800平米", [("800平米", "AREA")]),
    ("units_time", "工期缩短15个工作日", [("15个工作日", "MEASURE")]),
    ("units_time", "连续三年举办", [("三年", "MEASURE")]),
    ("units_measure", "铺设管网7公里", [("7公里", "MEASURE")]),
    ("units_measure", "节约8吨标准煤", [("8吨标准煤", "MEASURE")]),
    ("units_count", "建成3座桥梁", [("3座", "COUNT")]),
    ("units_count", "接待游客5万人次", [("5万人次", "COUNT")]),
    ("counted_nouns", "惠及2000农户", [("2000农户", "COUNT")]),
    ("counted_nouns", "覆盖12村", [("12村", "COUNT")]),
    ("rate_bases", "补贴300元/亩", [("300元/亩", "MONEY")]),
    ("rate_bases", "人均50元每人", [("50元每人", "MONEY")]),
    ("arabic_only_units", "四方合作，3类水质", [("3类", "COUNT")]),
    ("duration_cues", "历时两年建成", [("两年", "MEASURE")]),
    ("period_before", "近5年来，过去3年", []),
    ("period_after", "实施3年行动", []),
    ("set_phrases", "推进一村一品和一站式服务", []),
    ("output_measures", "实现5亿元GDP", []),
    ("unit_word_starts", "3部门联合，2024元旦", []),
    ("unit_word_starts", "八成熟的果子", []),
])
def test_quantity_list_drives_the_tagger(name, text, expected):
    assert found(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("投入3至5万元", [("3至5万元", "MONEY")]),
    ("投入3到5万元", [("3到5万元", "MONEY")]),
    ("投入3〜5万元", [("3〜5万元", "MONEY")]),
    ("投入3——5万元", [("3——5万元", "MONEY")]),
])
def test_range_connectors_are_shared_by_tagger_and_parser(text, expected):
    assert found(text) == expected
    value = parse_quantity(expected[0][0], "MONEY")
    assert (value.low, value.high, value.unit) == (30000, 50000, "元")


@pytest.mark.parametrize("text, label, value, unit, approximate", [
    ("约5万元", "MONEY", 50000, "元", True),  # value_hedges: approximate_before
    ("3万人左右", "COUNT", 30000, "人", True),  # value_hedges: approximate_after
    ("500万元以上", "MONEY", 5_000_000, "元", False),  # value_hedges: plain_after
    ("3个百分点", "PERCENT", 3, "percentage point", False),  # unit_aliases
    ("2块钱", "MONEY", 2, "元", False),  # unit_aliases
    ("66万千瓦", "MEASURE", 660_000, "千瓦", False),  # thousand_units
    ("叁仟元", "MONEY", 3000, "元", False),  # numerals: formal digits and magnitudes
    ("三点五亩", "AREA", 3.5, "亩", False),  # numerals: decimal point
    ("1000余万元", "MONEY", 10_000_000, "元", True),  # numerals: approximators
])
def test_value_lists_drive_the_parser(text, label, value, unit, approximate):
    parsed = parse_quantity(text, label)
    assert (parsed.value, parsed.unit, parsed.approximate) == (value, unit, approximate)


# ---------------------------------------------------------------- section lists

BELOW_HEADING = "一、{heading}\n今年全镇上下团结奋斗。\n"


@pytest.mark.parametrize("name, heading, role", [
    ("heading_achievement", "主要成效", "成绩"),
    ("heading_achievement", "工作开展情况", "成绩"),
    ("heading_problem", "存在的主要问题", "问题"),
    ("heading_problem", "困难和挑战", "问题"),
    ("heading_plan_strong", "下一步工作打算", "计划"),
    ("heading_plan", "重点任务", "计划"),
    ("heading_review", "今年以来工作开展情况", "成绩"),
    ("heading_outside", "基本情况", None),
])
def test_heading_list_sets_the_role_below(name, heading, role):
    text = "某镇工作报告\n" + BELOW_HEADING.format(heading=heading)
    assert role_of(text, "今年全镇") == role


def test_closing_heading_ends_the_report():
    text = "某镇工作报告\n一、工作回顾\n新建道路3公里。\n二、附件\n三、下一步打算\n修建道路。\n"
    assert role_of(text, "修建道路") is None


@pytest.mark.parametrize("name, line", [
    ("metadata_words", "发布时间：2024年1月5日"),
    ("metadata_words", "责任编辑 张三"),
    ("page_controls", "打印本页"),
    ("signature_senders", "某某镇人民政府"),
    ("salutations", "各位代表："),
    ("thanks_openers", "在此，我代表镇政府向全镇干部群众表示衷心的感谢！"),
    ("outside_sentences", "以上报告，请予审议。"),
])
def test_outside_list_leaves_the_line_out(name, line):
    text = f"某镇工作报告\n一、工作回顾\n新建道路3公里。\n{line}\n"
    assert role_of(text, line[:3]) is None
    assert role_of(text, "新建道路") == "成绩"


@pytest.mark.parametrize("name, sentence, role", [
    ("problem_openers_strong", "我们也清醒地看到，发展还不平衡。", "问题"),
    ("problem_openers_weak", "工作中还存在一些问题和不足。", "问题"),
    ("concessions", "在资金紧张的情况下，我们存在的困难得到缓解。", "成绩"),
    ("remedies", "我们着力补齐民生短板。", "成绩"),
    ("plan_openers", "下一步，我们将加快道路建设。", "计划"),
])
def test_sentence_list_sets_the_role(name, sentence, role):
    text = f"某镇工作报告\n一、工作回顾\n新建道路3公里。\n{sentence}\n"
    assert role_of(text, sentence[:4]) == role


def test_closing_call_is_left_out():
    text = "某镇工作报告\n一、下一步工作打算\n加快道路建设。\n让我们团结一心，开创新局面！\n"
    assert role_of(text, "加快") == "计划" and role_of(text, "让我们") is None


def test_problem_answer_stays_with_the_problems():
    text = ("某镇工作报告\n一、工作回顾\n新建道路3公里。\n"
            "我们也清醒地看到，发展还不平衡。\n对此，我们将认真加以解决。\n")
    assert role_of(text, "对此") == "问题"


@pytest.mark.parametrize("name, sentence", [
    ("result_cues", "全年各项工作取得了显著成效。"),
    ("result_verbs", "全年新修道路3公里。"),
])
def test_result_list_opens_the_results_part(name, sentence):
    assert role_of(f"某镇工作报告\n{sentence}\n", sentence[:4]) == "成绩"


# ---------------------------------------------------------------- the cue notation

@pytest.mark.parametrize("cue, matching, not_matching", [
    ("今后", ["今后五年"], ["今天"]),
    ("{存在|面临}的问题", ["存在的问题", "面临的问题"], ["遇到的问题"]),
    ("清醒{地|}看到", ["清醒看到", "清醒地看到"], ["清醒的看到"]),
    ("表示<3>感谢", ["表示感谢", "表示衷心感谢"], ["表示非常的衷心感谢"]),
    ("看到<4 clause>问题", ["看到这些问题"], ["看到，问题"]),
    ("各项<5 sentence>推进", ["各项工作，稳步推进"], ["各项工作。推进"]),
    ("^<1-2 no ，>，在", ["今年，在"], ["，在", "今年以来，在"]),
    ("新建<3><digit>", ["新建道路3"], ["新建道路"]),
    ("^<year>年", ["2024年", "20__年"], ["1999年"]),
    ("我们<not {将|要}>", ["我们坚持"], ["我们将", "我们要"]),
    ("^{主要|}问题$", ["问题", "主要问题"], ["问题很多"]),
    ("{问题|困难{和|与|}挑战}", ["困难挑战", "困难和挑战"], ["困难及挑战"]),
    ("{@salutations}", ["各位代表", "同志们"], ["代表们"]),
    ("a.b", ["a.b"], ["axb"]),
])
def test_cue_notation(cue, matching, not_matching):
    pattern = re.compile(compile_cue(cue))
    assert all(pattern.search(text) for text in matching)
    assert not any(pattern.search(text) for text in not_matching)


@pytest.mark.parametrize("cue", ["{a|b", "<3", "<wide>", "a}b", "a^b", "<not a"])
def test_malformed_cue_raises(cue):
    with pytest.raises(LexiconError):
        compile_cue(cue)


def test_missing_list_raises_a_clear_error():
    with pytest.raises(LexiconError, match="no_such_list"):
        words("no_such_list")
