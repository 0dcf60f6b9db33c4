"""Tests for govtag.core.report: one prepared view per report, shared by every stage.

A ``Report`` must give exactly the spans the functions of ``govtag.core.text`` give, index the original
text (Traditional, full-width) and be built once: every stage accepts a ``str`` or a ``Report``
with the same result, and tagging a report normalises and splits it once.
"""

import copy
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

import govtag.core.text
from govtag.models.decoding import TokenProbs, voted_sections
from govtag.models.encoding import tokenise
from govtag.core.headings import heading_level
from govtag.core.labels import SECTION
from govtag.rules.quantity_context import describe_quantities
from govtag.core.report import Report
from govtag.rules.tagger import tag_document, tag_quantities, tag_sections
from govtag.rules.sections import paragraph_blocks, paragraphs_of
from govtag.models.sentences import report_sentences
from govtag.core.text import line_spans, normalise, sentence_spans

FIXTURES = Path(__file__).parent / "fixtures"
TRADITIONAL = (FIXTURES / "township_traditional.txt").read_text(encoding="utf-8")
MIXED = (FIXTURES / "basic_township.txt").read_text(encoding="utf-8")
COUNTED = ("normalise", "line_spans", "sentence_spans")


@pytest.fixture
def calls(monkeypatch) -> Counter:
    """Calls of ``COUNTED`` from any govtag module (each binds the function under its own name)."""
    counts: Counter = Counter()

    def counted(name, function):
        def wrapper(*args, **kwargs):
            counts[name] += 1
            return function(*args, **kwargs)
        return wrapper

    originals = {name: getattr(govtag.core.text, name) for name in COUNTED}
    for module in [m for key, m in sys.modules.items() if key.startswith("govtag")]:
        for name, function in originals.items():
            if getattr(module, name, None) is function:
                monkeypatch.setattr(module, name, counted(name, function))
    return counts


@pytest.mark.parametrize("text", [TRADITIONAL, MIXED], ids=["traditional", "mixed"])
def test_parts_agree_with_the_text_functions(text):
    report = Report(text)
    assert report.text is text
    assert report.view == normalise(text) and len(report.view) == len(text)
    assert report.lines == line_spans(text) == line_spans(report.view)
    assert report.sentences == sentence_spans(text)
    assert paragraphs_of(report) == paragraph_blocks(normalise(text), line_spans(text))


def test_headings_start_at_heading_lines_and_read_the_view():
    report = Report(TRADITIONAL)
    line_ends = dict(report.lines)
    assert [path for _, path in report.headings] == ["一、主要工作成效", "二、困难和问题", "三、2024年工作计划"]
    for offset, _ in report.headings:
        assert heading_level(report.view[offset:line_ends[offset]]) is not None


def test_offsets_index_the_original_traditional_full_width_text():
    report = Report(TRADITIONAL)
    first = next((s, e) for s, e in report.sentences if "糧食" in report.text[s:e])
    assert report.text[slice(*first)].startswith("全鄉糧食") and report.view[slice(*first)].startswith("全乡粮食")
    quantities = [report.text[s.start:s.end] for s in tag_quantities(report)]
    assert "１．８５萬畝" in quantities and "１４３１萬元" in quantities
    sections = tag_sections(report)
    assert sections and {s.start for s in sections} <= {s for s, _ in report.sentences}
    assert {s.end for s in sections} <= {e for _, e in report.sentences}


def test_of_passes_a_report_on_and_computes_each_part_once(monkeypatch):
    report = Report.of(MIXED)
    assert Report.of(report) is report
    count = Counter()
    monkeypatch.setattr("govtag.core.report.normalise", lambda text: count.update(["view"]) or normalise(text))
    assert report.view is report.view and report.headings is report.headings
    assert count["view"] == 1


@pytest.mark.parametrize("text", [TRADITIONAL, MIXED], ids=["traditional", "mixed"])
def test_a_str_or_a_report_gives_the_same_result(text):
    assert tag_sections(Report(text)) == tag_sections(text)
    assert tag_quantities(Report(text)) == tag_quantities(text)
    assert tag_document(Report(text), "d") == tag_document(text, "d")
    assert report_sentences(Report(text)) == report_sentences(text)
    quantities = tag_quantities(text)
    assert describe_quantities(Report(text), quantities) == describe_quantities(text, quantities)


def test_tokenise_takes_a_str_or_a_report(albert_tokenizer):
    assert tokenise(albert_tokenizer, Report(MIXED), True) == tokenise(albert_tokenizer, MIXED, True)


def test_rule_tagging_and_sentences_normalise_and_split_once(calls):
    report = Report(TRADITIONAL)
    rules = tag_document(report)
    report_sentences(report, rules.layer(SECTION))
    offsets = [(i, i + 1) for i in range(len(report.text))]
    probs = TokenProbs(offsets, np.full((len(offsets), 3), 1 / 3), np.zeros((len(offsets), 1)))
    voted_sections(report, probs, ["成绩", "问题", "计划"])
    assert calls == Counter(normalise=1, line_spans=1, sentence_spans=1)


@pytest.mark.slow
def test_tagger_normalises_and_splits_each_report_once(rules_tagger, calls):
    from govtag.models.sentence_head import SentenceHead
    from govtag.models.sentences import roles_of_spans

    sentences = report_sentences(MIXED)
    roles = roles_of_spans([(s.start, s.end) for s in sentences], tag_sections(MIXED), len(MIXED))
    tagger = copy.copy(rules_tagger)  # rule features, and a sentence head deciding the sections
    tagger.sentence_heads = [SentenceHead().fit(sentences, roles)]
    calls.clear()
    docs = tagger.tag_many([TRADITIONAL, MIXED])
    assert [doc.text for doc in docs] == [TRADITIONAL, MIXED]
    assert calls == Counter(normalise=2, line_spans=2, sentence_spans=2)
