"""Tests for govtag.core.text: decoding report files, offset-preserving normalisation, splitting."""

import codecs
import random
from pathlib import Path

import pytest

from govtag.core.text import (
    SENTENCE_ENDS,
    ReportReadError,
    TruncatedTextWarning,
    clean_text,
    decode_raw,
    decode_report,
    file_offsets,
    line_spans,
    normalise,
    normalise_char,
    read_report,
    sentence_spans,
)

FIXTURE = Path(__file__).parent / "fixtures" / "basic_township.txt"
TEXT = FIXTURE.read_text(encoding="utf-8")


def test_fixture_is_mixed_enough():
    # The encodings below are only a real test if the text has Traditional characters,
    # full-width forms, an ideographic space, placeholders and ASCII.
    assert "報" in TEXT and "萬畝" in TEXT and "１２．８％" in TEXT and "\u3000" in TEXT
    assert "20__年" in TEXT and "xx镇" in TEXT and TEXT.endswith("\n")


ENCODINGS = {
    "utf-8": lambda t: t.encode("utf-8"),
    "utf-8-bom": lambda t: codecs.BOM_UTF8 + t.encode("utf-8"),
    "gb18030": lambda t: t.encode("gb18030"),
    "gbk": lambda t: t.encode("gbk"),
    "utf-16-le-bom": lambda t: codecs.BOM_UTF16_LE + t.encode("utf-16-le"),
    "utf-16-be-bom": lambda t: codecs.BOM_UTF16_BE + t.encode("utf-16-be"),
    "utf-16-le-no-bom": lambda t: t.encode("utf-16-le"),
    "utf-16-be-no-bom": lambda t: t.encode("utf-16-be"),
}


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_read_report_decodes_every_encoding_to_the_same_text(tmp_path, encoding):
    path = tmp_path / f"{encoding}.txt"
    path.write_bytes(ENCODINGS[encoding](TEXT))
    text = read_report(path)
    assert text == TEXT
    assert not text.startswith("\ufeff")


@pytest.mark.parametrize("encoding", ["utf-8", "gbk", "utf-16-le-no-bom", "utf-16-le-bom"])
def test_read_report_normalises_line_ends(tmp_path, encoding):
    crlf = TEXT.replace("\n", "\r\n")
    mixed = TEXT.replace("\n", "\r", 3)
    for name, variant in (("crlf", crlf), ("cr", mixed)):
        path = tmp_path / f"{name}.txt"
        path.write_bytes(ENCODINGS[encoding](variant))
        text = read_report(path)
        assert "\r" not in text
        assert text == TEXT


def test_utf16_without_bom_mostly_chinese(tmp_path):
    # Only the newlines are ASCII here: few NUL bytes, still UTF-16.
    text = "鄉村振興穩步推進，農民增收。\n發展經濟，一是招商，二是引資。\n"
    path = tmp_path / "few_nuls.txt"
    path.write_bytes(text.encode("utf-16-le"))
    assert read_report(path) == text


@pytest.mark.parametrize("content", [b"", b"   \n\t\r\n  ", "\u3000\n".encode("utf-8"),
                                     codecs.BOM_UTF8 + b" \n", codecs.BOM_UTF16_LE + " \n".encode("utf-16-le")])
def test_empty_or_blank_file_is_an_error_naming_it(tmp_path, content):
    path = tmp_path / "blank_report.txt"
    path.write_bytes(content)
    with pytest.raises(ReportReadError) as err:
        read_report(path)
    assert "blank_report.txt" in str(err.value)
    assert "empty" in str(err.value)


def test_binary_file_is_an_error_naming_it(tmp_path):
    rng = random.Random(7)
    data = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(rng.randrange(256) for _ in range(4000))
    data += b"\x00" * 16
    path = tmp_path / "picture.txt"
    path.write_bytes(data)
    with pytest.raises(ReportReadError) as err:
        read_report(path)
    assert "picture.txt" in str(err.value)


def test_binary_without_nuls_is_an_error(tmp_path):
    rng = random.Random(11)
    data = bytes(rng.randrange(1, 256) for _ in range(4000))
    path = tmp_path / "noise.txt"
    path.write_bytes(data)
    with pytest.raises(ReportReadError, match="noise.txt"):
        read_report(path)


def test_missing_file_is_an_error_naming_it(tmp_path):
    path = tmp_path / "no_such_report.txt"
    with pytest.raises(ReportReadError, match="no_such_report.txt"):
        read_report(path)


def test_directory_is_an_error_naming_it(tmp_path):
    with pytest.raises(ReportReadError, match=tmp_path.name):
        read_report(tmp_path)


def test_utf8_cut_inside_its_last_character_keeps_the_rest(tmp_path):
    path = tmp_path / "cut_report.txt"
    path.write_bytes(TEXT.encode("utf-8") + "镇".encode("utf-8")[:2])
    with pytest.warns(TruncatedTextWarning, match="cut_report.txt.*last 2 byte"):
        assert read_report(path) == TEXT
    with pytest.warns(TruncatedTextWarning):  # with a BOM too
        assert decode_report(codecs.BOM_UTF8 + TEXT.encode("utf-8") + b"\xe9") == TEXT


def test_utf8_broken_in_the_middle_is_still_refused(tmp_path):
    path = tmp_path / "broken.txt"
    path.write_bytes(codecs.BOM_UTF8 + "甲".encode("utf-8")[:2] + TEXT.encode("utf-8"))
    with pytest.raises(ReportReadError, match="invalid utf-8"):
        read_report(path)


def test_file_offsets_count_bom_and_crlf():
    raw = "\ufeff甲乙\r\n丙\r\n\n丁"
    text = clean_text(raw)
    assert text == "甲乙\n丙\n\n丁"
    positions = file_offsets(raw)
    assert len(positions) == len(text) + 1 and positions[-1] == len(raw)
    for i, ch in enumerate(text):
        assert raw[positions[i]:positions[i + 1]] in (ch, "\r\n")
    assert file_offsets("甲\n乙") is None  # nothing to move
    assert decode_raw(codecs.BOM_UTF8 + "甲\r\n".encode("utf-8")) == "\ufeff甲\r\n"


def test_decode_report_names_its_source():
    with pytest.raises(ReportReadError, match="<stdin>"):
        decode_report(b"", "<stdin>")


# --- normalise -------------------------------------------------------------------------------

@pytest.mark.parametrize("original, expected", [
    ("發展經濟", "发展经济"),
    ("萬", "万"),
    ("畝", "亩"),
    ("1.85萬畝", "1.85万亩"),
    ("１２．８％", "12.8%"),
    ("ＡＢ", "AB"),
    ("ａｂｃ", "abc"),
    ("\u3000", " "),
    ("（一）", "(一)"),
    ("，；：！？", ",;:!?"),
    ("20__年xx镇", "20__年xx镇"),
    ("发展经济", "发展经济"),
    ("。、", "。、"),
])
def test_normalise_examples(original, expected):
    assert normalise(original) == expected


def test_normalise_keeps_length_and_offsets():
    mixed = TEXT + "發展經濟１２．８％ＡＢ\u3000萬畝後臺乾隆鬱\U00020000😀"
    out = normalise(mixed)
    assert len(out) == len(mixed)
    for i, ch in enumerate(mixed):
        assert out[i] == normalise_char(ch), (i, ch)
        assert len(normalise_char(ch)) == 1


def test_normalise_char_is_one_char_for_every_bmp_cjk_and_fullwidth_char():
    rng = random.Random(3)
    sample = [chr(c) for c in range(0xFF00, 0xFFF0)] + [chr(rng.randrange(0x4E00, 0xA000)) for _ in range(3000)]
    text = "".join(sample)
    out = normalise(text)
    assert len(out) == len(text)
    assert all(out[i] == normalise_char(ch) for i, ch in enumerate(text))


def test_normalise_leaves_ascii_and_newlines_alone():
    text = "abc 123\n\t%.,;"
    assert normalise(text) == text


# --- line_spans / sentence_spans -------------------------------------------------------------

def _texts(text, spans):
    return [text[s:e] for s, e in spans]


def test_line_spans_strip_and_skip_blank_lines():
    text = "  第一行 \n\n\u3000\u3000\n\t第二行\n第三行"
    assert _texts(text, line_spans(text)) == ["第一行", "第二行", "第三行"]


@pytest.mark.parametrize("end", list(SENTENCE_ENDS))
def test_each_terminator_ends_a_sentence_inclusive(end):
    text = f"甲乙{end}丙丁"
    assert _texts(text, sentence_spans(text)) == [f"甲乙{end}", "丙丁"]


def test_sentences_on_a_report():
    text = "一、工作回顧\n  全镇增長１２．８％。惠及195户！\n\n存在問題？  下一步將推進；力爭200个\n"
    assert _texts(text, sentence_spans(text)) == [
        "一、工作回顧", "全镇增長１２．８％。", "惠及195户！", "存在問題？", "下一步將推進；", "力爭200个"]


def test_comma_and_enumeration_do_not_end_a_sentence():
    text = "一是招商，二是引资、三是育人。"
    assert _texts(text, sentence_spans(text)) == [text]


def test_sentence_spans_properties_on_fixture():
    text = TEXT.replace("\n", "\r\n").replace("\r\n", "\n")
    spans = sentence_spans(text)
    assert spans == sorted(spans)
    for (s1, e1), (s2, e2) in zip(spans, spans[1:]):
        assert e1 <= s2
    for start, end in spans:
        piece = text[start:end]
        assert piece and not piece[0].isspace() and not piece[-1].isspace()
        assert "\n" not in piece
        # a terminator can only be the last character of a sentence
        assert not any(ch in SENTENCE_ENDS for ch in normalise(piece)[:-1])
    # everything left over is whitespace
    covered = set()
    for start, end in spans:
        covered.update(range(start, end))
    assert all(text[i].isspace() for i in range(len(text)) if i not in covered)
    # sentences lie inside lines
    lines = line_spans(text)
    for start, end in spans:
        assert any(ls <= start and end <= le for ls, le in lines)


def test_sentence_spans_empty_and_blank():
    assert sentence_spans("") == []
    assert sentence_spans("\n \n\u3000\n") == []
    assert sentence_spans("。") == [(0, 1)]
    assert line_spans("") == []
