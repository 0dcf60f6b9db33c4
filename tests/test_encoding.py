"""Tests for govtag.models.encoding: windows cover every token, heading context, token labels, headings."""

import itertools

import pytest

from govtag.models.encoding import (IGNORE, QUANTITY_TAGS, SECTION_TAGS, WindowSettings, make_windows,
                             token_label_ids, tokenise, window_examples, window_starts)
from govtag.core.headings import heading_level
from govtag.core.report import heading_paths
from govtag.core.labels import QUANTITY, SECTION, Document, Span
from govtag.core.text import normalise

PROBLEM_HEADING = "二、存在的问题"


def long_report(paragraphs_per_part: int = 20) -> str:
    """A made-up township report of 6000+ characters with top and sub headings."""
    lines = ["首頁 > 政務公開 > 工作報告", "發布時間：20__-__-__ 來源：xx鎮人民政府",
             "xx鎮人民政府20__年工作報告"]
    lines.append("一、20__年工作回顧")
    for sub, topic in enumerate(("經濟發展", "民生保障", "社會治理")):
        lines.append(f"（{'一二三'[sub]}）{topic}取得新進展")
        for i in range(paragraphs_per_part):
            lines.append(f"第{sub}{i}項工作：全鎮投入資金{1200 + 37 * i}萬元，新建道路{3 + i}.5公里，"
                         f"覆蓋農戶{180 + i}户，同比增長{i % 9 + 1}.{i % 7}％，村民滿意度明顯提升。")
    lines.append(PROBLEM_HEADING)
    lines.append("（一）產業基礎薄弱")
    for i in range(paragraphs_per_part):
        lines.append(f"問題{i}：部分村組集體經濟收入不足{5 + i}萬元，基礎設施短板較多，群眾增收渠道單一，"
                     f"發展後勁不足，專業人才缺口約{20 + i}人。")
    lines.append("（二）公共服務仍有差距")
    for i in range(paragraphs_per_part // 2):
        lines.append(f"醫療教育資源配置不均衡，{i + 2}所村小學師資力量薄弱，養老服務設施覆蓋率僅{40 + i}%。")
    lines.append("三、20__年工作計劃")
    for i in range(paragraphs_per_part):
        lines.append(f"計劃{i}：我們將爭取專項資金{300 + i}萬元，力爭新建高標準農田{1000 + 50 * i}畝，"
                     f"新增市場主體{30 + i}家，持續改善人居環境。")
    text = "\n".join(lines) + "\n"
    assert len(text) > 6000 or paragraphs_per_part < 20
    return text


# ------------------------------------------------------------------ window_starts

@pytest.mark.parametrize("n_tokens", [0, 1, 2, 5, 29, 30, 31, 59, 60, 61, 100, 257, 1000, 4097])
def test_window_starts_cover_every_token(n_tokens):
    for body, stride in itertools.product((1, 2, 3, 7, 30, 61, 254), (0, 1, 2, 15, 29, 64, 300)):
        starts = window_starts(n_tokens, body, stride)
        assert starts, (n_tokens, body, stride)
        assert starts == sorted(set(starts)), "starts must be increasing and distinct"
        assert starts[0] == 0
        covered = set()
        for start in starts:
            assert 0 <= start
            assert start + body <= max(n_tokens, body), "a window runs past the last token"
            covered.update(range(start, min(start + body, n_tokens)))
        assert covered == set(range(n_tokens)), (n_tokens, body, stride)
        if n_tokens > body:
            assert starts[-1] + body == n_tokens, "the last window must end at the last token"
            if stride < body:
                gaps = [b - a for a, b in zip(starts, starts[1:])]
                assert max(gaps) <= body - stride, "consecutive windows must share `stride` tokens"


def test_window_starts_short_document_is_one_window():
    assert window_starts(10, 50, 8) == [0]
    assert window_starts(50, 50, 8) == [0]
    assert len(window_starts(51, 50, 8)) == 2


# ------------------------------------------------------------------ make_windows

@pytest.fixture(scope="module")
def long_tokens(albert_tokenizer):
    text = long_report()
    return text, tokenise(albert_tokenizer, text)


def _context_segment(window, tokenizer):
    """Ids of the first segment (between [CLS] and the first [SEP]) when the window has one."""
    assert window.input_ids[0] == tokenizer.cls_token_id
    specials = sum(1 for i in window.token_index if i < 0)
    if specials == 2:  # [CLS] body [SEP]
        return []
    n_context = specials - 3  # [CLS] context [SEP] body [SEP]
    assert n_context > 0
    segment = window.input_ids[1:1 + n_context]
    assert window.input_ids[1 + n_context] == tokenizer.sep_token_id
    return segment


def _contains(sequence, part):
    return any(sequence[i:i + len(part)] == part for i in range(len(sequence) - len(part) + 1))


@pytest.mark.parametrize("length,stride,heading_context,context_tokens", [
    (64, 16, True, 16), (64, 0, True, 32), (64, 32, False, 32), (128, 64, True, 32),
    (256, 64, True, 32), (512, 100, False, 0), (33, 1, False, 0),
])
def test_make_windows_drop_no_text_and_respect_length(long_tokens, albert_tokenizer, length, stride,
                                                      heading_context, context_tokens):
    text, doc = long_tokens
    settings = WindowSettings(length, stride, heading_context, context_tokens)
    windows = make_windows(albert_tokenizer, doc, settings)
    assert len(windows) > 1
    covered = set()
    for window in windows:
        assert len(window.input_ids) <= length
        assert len(window.token_type_ids) == len(window.input_ids) == len(window.token_index)
        assert window.input_ids[0] == albert_tokenizer.cls_token_id
        assert window.input_ids[-1] == albert_tokenizer.sep_token_id
        body = [i for i in window.token_index if i >= 0]
        assert body == list(range(body[0], body[-1] + 1)), "a window's body is one run of tokens"
        for position, index in enumerate(window.token_index):
            if index >= 0:
                assert window.input_ids[position] == doc.input_ids[index]
        covered.update(body)
    assert covered == set(range(len(doc.input_ids)))
    # every non-space character of the text is in some token the windows carry
    chars = set()
    for index in covered:
        chars.update(range(*doc.offsets[index]))
    missing = [i for i, ch in enumerate(text) if not ch.isspace() and i not in chars]
    assert not missing, f"characters dropped: {[text[i] for i in missing[:10]]}"


def test_heading_context_segment_holds_the_heading(long_tokens, albert_tokenizer):
    text, doc = long_tokens
    heading_ids = albert_tokenizer(PROBLEM_HEADING, add_special_tokens=False)["input_ids"]
    problem_start = text.index(PROBLEM_HEADING)
    plan_start = text.index("三、20__年工作計劃")
    settings = WindowSettings(64, 16, heading_context=True, context_tokens=24)
    windows = make_windows(albert_tokenizer, doc, settings)
    below = [w for w in windows
             if problem_start + len(PROBLEM_HEADING) < doc.offsets[w.token_index[_first_body(w)]][0]
             < plan_start]
    assert len(below) >= 5
    for window in below:
        context = _context_segment(window, albert_tokenizer)
        assert context[:len(heading_ids)] == heading_ids, albert_tokenizer.decode(context)
        n_head = len(context) + 2
        assert window.token_type_ids[:n_head] == [0] * n_head
        assert set(window.token_type_ids[n_head:]) == {1}
        assert len(context) <= 24
    # a window far below, in the sub section (二), carries both levels of the path
    sub_heading = albert_tokenizer(normalise("（二）公共服務仍有差距"), add_special_tokens=False)["input_ids"]
    sub_start = text.index("（二）公共服務仍有差距")
    deeper = [w for w in below if doc.offsets[w.token_index[_first_body(w)]][0] > sub_start + 12]
    assert deeper
    assert all(_contains(_context_segment(w, albert_tokenizer), sub_heading[:6]) for w in deeper)
    # windows under the plan heading no longer carry the problem heading
    plan = [w for w in windows if doc.offsets[w.token_index[_first_body(w)]][0] > plan_start + 12]
    assert plan and all(not _contains(_context_segment(w, albert_tokenizer), heading_ids) for w in plan)


@pytest.mark.parametrize("context_tokens", [4, 12, 32])
def test_context_segment_is_the_path_at_the_window_start(long_tokens, albert_tokenizer, context_tokens):
    text, doc = long_tokens
    windows = make_windows(albert_tokenizer, doc, WindowSettings(64, 16, True, context_tokens))
    paths = heading_paths(text)
    straddling = 0
    for window in windows:
        first = window.token_index[_first_body(window)]
        last = max(window.token_index)
        start_char = doc.offsets[first][0]
        in_force = [path for offset, path in paths if offset <= start_char]
        expected = albert_tokenizer(in_force[-1], add_special_tokens=False)["input_ids"] if in_force else []
        assert _context_segment(window, albert_tokenizer) == expected[:context_tokens]
        if doc.contexts[first] != doc.contexts[last]:
            straddling += 1
    assert straddling >= 3  # windows that start under one heading and end under the next


def test_without_heading_context_there_is_no_context_segment(long_tokens, albert_tokenizer):
    _, doc = long_tokens
    windows = make_windows(albert_tokenizer, doc, WindowSettings(64, 16, heading_context=False))
    for window in windows:
        assert window.token_index[0] == -1 and window.token_index[-1] == -1
        assert all(i >= 0 for i in window.token_index[1:-1])
        assert set(window.token_type_ids) == {0}
        assert window.input_ids.count(albert_tokenizer.sep_token_id) == 1
    # the body may then use the whole length
    assert max(len(w.input_ids) for w in windows) == 64


def _first_body(window):
    return next(p for p, i in enumerate(window.token_index) if i >= 0)


def test_window_examples_labels_follow_token_index(albert_tokenizer):
    from govtag.rules.tagger import tag_document

    doc = tag_document(long_report(4), "long")
    settings = WindowSettings(64, 16, True, 16)
    tokens = tokenise(albert_tokenizer, doc.text)
    section_ids, quantity_ids = token_label_ids(doc, tokens)
    windows = make_windows(albert_tokenizer, tokens, settings)
    examples = window_examples(albert_tokenizer, doc, settings)
    assert len(examples) == len(windows)
    for example, window in zip(examples, windows):
        assert example["input_ids"] == window.input_ids
        for position, index in enumerate(window.token_index):
            expected_s = section_ids[index] if index >= 0 else IGNORE
            expected_q = quantity_ids[index] if index >= 0 else IGNORE
            assert example["section_labels"][position] == expected_s
            assert example["quantity_labels"][position] == expected_q
    assert any(q not in (0, IGNORE) for e in examples for q in e["quantity_labels"])


# ------------------------------------------------------------------ token labels

@pytest.mark.parametrize("number", ["18171", "１８１７１"])
def test_multi_piece_quantity_gets_b_then_i(albert_tokenizer, number):
    text = f"xx鎮農民人均可支配收入達到{number}元，同比增長8.2%。"
    start = text.index(number)
    money = Span(start, start + len(number) + 1, "MONEY", QUANTITY)
    percent_start = text.index("8.2%")
    percent = Span(percent_start, percent_start + 4, "PERCENT", QUANTITY)
    section = Span(0, len(text), "成绩", SECTION)
    doc = Document("d", text, [section, money, percent])
    tokens = tokenise(albert_tokenizer, text)
    pieces = [i for i, (s, e) in enumerate(tokens.offsets) if money.start <= s < money.end]
    assert len(pieces) >= 3, "the number should be several word pieces plus the unit"
    assert albert_tokenizer.convert_ids_to_tokens(tokens.input_ids[pieces[1]]).startswith("##")
    section_ids, quantity_ids = token_label_ids(doc, tokens)
    tags = [QUANTITY_TAGS[quantity_ids[i]] for i in pieces]
    assert tags == ["B-MONEY"] + ["I-MONEY"] * (len(pieces) - 1)
    before = pieces[0] - 1
    after = pieces[-1] + 1
    assert QUANTITY_TAGS[quantity_ids[before]] == "O"
    assert QUANTITY_TAGS[quantity_ids[after]] == "O"  # the comma
    percent_tags = [QUANTITY_TAGS[quantity_ids[i]] for i, (s, _) in enumerate(tokens.offsets)
                    if percent.start <= s < percent.end]
    assert percent_tags[0] == "B-PERCENT" and set(percent_tags[1:]) == {"I-PERCENT"}
    assert {SECTION_TAGS[i] for i in section_ids} == {"成绩"}


def test_token_labels_outside_spans_are_outside(albert_tokenizer):
    text = "首页 > 新闻\n二、存在的问题\n资金缺口500万元。"
    line = text.index("资金")
    doc = Document("d", text, [Span(line, len(text), "问题", SECTION)])
    tokens = tokenise(albert_tokenizer, text)
    section_ids, quantity_ids = token_label_ids(doc, tokens)
    for (start, _), section_id, quantity_id in zip(tokens.offsets, section_ids, quantity_ids):
        assert SECTION_TAGS[section_id] == ("问题" if start >= line else "O")
        assert QUANTITY_TAGS[quantity_id] == "O"


# ------------------------------------------------------------------ headings

def test_heading_paths_are_nested():
    text = ("xx鎮20__年工作總結\n"
            "一、工作回顧\n"
            "（一）經濟發展\n全年投入資金１２００萬元。\n"
            "（二）民生保障\n新建道路3公里。\n"
            "二、存在問題\n"
            "(一)產業薄弱\n群眾增收難。\n"
            "三、下步打算：一是抓產業；二是惠民生。\n"
            "（一）抓項目\n")
    paths = heading_paths(text)
    assert [path for _, path in paths] == [
        "一、工作回顾",
        "一、工作回顾 (一)经济发展",
        "一、工作回顾 (二)民生保障",
        "二、存在问题",
        "二、存在问题 (一)产业薄弱",
        "三、下步打算",
        "三、下步打算 (一)抓项目",
    ]
    offsets = [offset for offset, _ in paths]
    assert offsets == [text.index(h) for h in ("一、工作", "（一）經", "（二）民", "二、存在", "(一)產",
                                               "三、下步", "（一）抓")]


def test_heading_paths_ignore_ordinary_lines():
    text = "一是抓產業。\n全年完成2.3億元。\n第一書記駐村。\n"
    assert heading_paths(text) == []
    assert heading_level("一、工作回顾") == 0
    assert heading_level("（三）社会事业") == 1
    assert heading_level("第二部分 存在问题") == 0
    assert heading_level("一是抓产业") is None


def test_tokenise_contexts_follow_headings(albert_tokenizer):
    text = "前言一句。\n一、工作回顾\n成绩一句。\n二、存在的问题\n问题一句。\n"
    tokens = tokenise(albert_tokenizer, text)
    by_char = {start: context for (start, _), context in zip(tokens.offsets, tokens.contexts)}
    assert by_char[text.index("前言")] == ""
    assert by_char[text.index("成绩")] == "一、工作回顾"
    assert by_char[text.index("问题一")] == PROBLEM_HEADING
