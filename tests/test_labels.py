"""Tests for govtag.core.labels: IOB2 conversion and document validation."""

import random

import pytest

from govtag.core.labels import (
    LAYERS,
    OUTSIDE,
    QUANTITY,
    SECTION,
    AnnotationError,
    Document,
    Span,
    bio_tags,
    check_document,
    spans_to_tags,
    tags_to_spans,
)

TEXT = "一、工作回顧\n全镇完成產值１２．８億元，新建農田1.85萬畝。\n二、存在問題\n"


def test_layers_follow_the_spec():
    assert LAYERS == {
        "section": ("成绩", "问题", "计划"),
        "quantity": ("MONEY", "PERCENT", "AREA", "COUNT", "MEASURE"),
    }
    assert bio_tags(SECTION) == ["O", "B-成绩", "I-成绩", "B-问题", "I-问题", "B-计划", "I-计划"]
    assert len(bio_tags(QUANTITY)) == 11


def test_spans_to_tags_example():
    spans = [Span(1, 3, "MONEY", QUANTITY), Span(4, 5, "COUNT", QUANTITY)]
    assert spans_to_tags(spans, 6) == ["O", "B-MONEY", "I-MONEY", "O", "B-COUNT", "O"]


def test_round_trip_example():
    spans = [Span(0, 6, "成绩", SECTION), Span(7, 30, "成绩", SECTION), Span(31, 37, "问题", SECTION)]
    tags = spans_to_tags(spans, 40)
    assert tags_to_spans(tags, SECTION) == spans


def test_round_trip_random():
    rng = random.Random(5)
    for _ in range(300):
        length = rng.randrange(1, 60)
        spans, pos = [], 0
        while True:
            pos += rng.randrange(0, 4)
            if pos >= length:
                break
            end = min(length, pos + rng.randrange(1, 8))
            spans.append(Span(pos, end, rng.choice(LAYERS[QUANTITY]), QUANTITY))
            pos = end
        tags = spans_to_tags(spans, length)
        assert len(tags) == length
        assert tags_to_spans(tags, QUANTITY) == spans


def test_adjacent_spans_of_the_same_label_stay_separate():
    spans = [Span(0, 4, "COUNT", QUANTITY), Span(4, 8, "COUNT", QUANTITY)]  # 195户705人
    tags = spans_to_tags(spans, 8)
    assert tags[3] == "I-COUNT" and tags[4] == "B-COUNT"
    assert tags_to_spans(tags, QUANTITY) == spans


def test_label_change_without_b_splits():
    tags = ["B-MONEY", "I-MONEY", "I-COUNT", "I-COUNT", "O"]
    assert tags_to_spans(tags, QUANTITY) == [Span(0, 2, "MONEY", QUANTITY), Span(2, 4, "COUNT", QUANTITY)]


def test_orphan_i_starts_a_span():
    tags = ["O", "I-问题", "I-问题", "O", "I-计划"]
    assert tags_to_spans(tags, SECTION) == [Span(1, 3, "问题", SECTION), Span(4, 5, "计划", SECTION)]


def test_span_at_the_end_is_closed():
    assert tags_to_spans(["O", "B-AREA", "I-AREA"], QUANTITY) == [Span(1, 3, "AREA", QUANTITY)]
    assert tags_to_spans([], QUANTITY) == []
    assert tags_to_spans([OUTSIDE] * 5, QUANTITY) == []


def _doc(*spans):
    return Document("basic", TEXT, list(spans))


def test_check_document_accepts_a_good_document():
    money = TEXT.index("１２．８億元")
    area = TEXT.index("1.85萬畝")
    line = TEXT.index("全镇")
    line_end = TEXT.index("\n", line)
    doc = _doc(Span(0, 6, "成绩", SECTION), Span(line, line_end, "成绩", SECTION),
               Span(money, money + 6, "MONEY", QUANTITY), Span(area, area + 6, "AREA", QUANTITY))
    check_document(doc)  # quantity spans inside a section span: overlap across layers is fine
    assert doc.layer(QUANTITY) == [Span(money, money + 6, "MONEY", QUANTITY),
                                   Span(area, area + 6, "AREA", QUANTITY)]


@pytest.mark.parametrize("span, message", [
    (Span(0, 2, "成绩", "topic"), "unknown layer 'topic'"),
    (Span(0, 2, "MONEY", SECTION), "unknown section label 'MONEY'"),
    (Span(0, 2, "成绩", QUANTITY), "unknown quantity label '成绩'"),
    (Span(0, len(TEXT) + 1, "成绩", SECTION), "outside the text"),
    (Span(-1, 2, "成绩", SECTION), "outside the text"),
    (Span(3, 3, "成绩", SECTION), "outside the text"),
    (Span(4, 2, "成绩", SECTION), "outside the text"),
])
def test_check_document_rejects_bad_spans(span, message):
    with pytest.raises(AnnotationError, match=message):
        check_document(_doc(span))


def test_check_document_rejects_overlap_within_a_layer():
    with pytest.raises(AnnotationError, match="overlapping quantity spans"):
        check_document(_doc(Span(8, 12, "MONEY", QUANTITY), Span(11, 14, "COUNT", QUANTITY)))
    with pytest.raises(AnnotationError, match="overlapping section spans"):
        check_document(_doc(Span(0, 10, "成绩", SECTION), Span(2, 5, "问题", SECTION)))


def test_touching_spans_do_not_overlap():
    check_document(_doc(Span(8, 12, "MONEY", QUANTITY), Span(12, 14, "COUNT", QUANTITY)))


def test_overlap_across_layers_is_fine():
    check_document(_doc(Span(0, 10, "成绩", SECTION), Span(2, 5, "COUNT", QUANTITY),
                        Span(8, 14, "MEASURE", QUANTITY)))
