"""Reading report files, offset-preserving normalisation, and line/sentence splitting.

``read_report`` decodes UTF-8 (with or without BOM), UTF-16 (BOM or NUL pattern), GB18030/GBK
and Big5 (told apart by which decoding reads as common characters), then turns ``\\r\\n`` and ``\\r`` into ``\\n``: every offset in govtag indexes this decoded,
newline-normalised text. ``decode_raw`` keeps the file as it is (BOM as U+FEFF, ``\\r\\n``), and
``file_offsets`` maps offsets of the text to code points of that raw text. A UTF-8 file cut
inside its last character (a truncated download) is read without the incomplete bytes, with a
``TruncatedTextWarning``. ``normalise`` gives the model a view of the text with Traditional
characters made Simplified and full-width forms made half-width, character by character, so the
view has exactly the same length and offset ``i`` in it is offset ``i`` in the original.
"""

from __future__ import annotations

import re
import warnings
from functools import lru_cache
from pathlib import Path

from govtag.core.report_files import ReportReadError, max_report_bytes, read_path

# The punctuation that ends a stretch of text, from the widest stretch to the narrowest:
SENTENCE_ENDS = "。！？；!?;"  # a sentence of the spec (``sentence_spans``)
SENTENCE_STOPS = "。；;"  # a sentence in the cue notation (``<N sentence>``)
CLAUSE_STOPS = "，,。；;"  # a clause in the cue notation (``<N clause>``)
CLAUSE_BREAKS = "，,。；;：:！？!?\n"  # a clause around a quantity (its unit's guards)
CONTEXT_BREAKS = CLAUSE_BREAKS + "、"  # the words read around a quantity for its context
CJK = r"[\u4e00-\u9fff]"  # one CJK ideograph
_FULLWIDTH_FIRST, _FULLWIDTH_LAST, _FULLWIDTH_SHIFT = 0xFF01, 0xFF5E, 0xFEE0
_IDEOGRAPHIC_SPACE = "\u3000"
BOM = "\ufeff"


class TruncatedTextWarning(UserWarning):
    """A report ends inside a character; the incomplete bytes were dropped."""


def decode_report(data: bytes, name: str = "<bytes>") -> str:
    """Decode report bytes, detecting UTF-8/UTF-16/GB18030; normalise line ends to ``\\n``."""
    return clean_text(decode_raw(data, name), name)


def decode_raw(data: bytes, name: str = "<bytes>") -> str:
    """Report bytes decoded as they are: a BOM kept as U+FEFF, line ends untouched."""
    return _decode(data, name)


def clean_text(raw: str, name: str = "<text>") -> str:
    """The text govtag tags and indexes: without a leading BOM, line ends made ``\\n``."""
    text = raw.removeprefix(BOM).replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise ReportReadError(f"{name}: file is empty (no text to tag)")
    return text


def file_offsets(raw: str) -> list[int] | None:
    """For each offset of ``clean_text(raw)`` (its length included), the offset in ``raw``.

    ``None`` when both are the same text (no BOM, no ``\\r``). A ``\\r\\n`` counts two code
    points in ``raw``, a BOM one.
    """
    if not raw.startswith(BOM) and "\r" not in raw:
        return None
    positions = []
    i = 1 if raw.startswith(BOM) else 0
    while i < len(raw):
        positions.append(i)
        i += 2 if raw.startswith("\r\n", i) else 1
    positions.append(len(raw))
    return positions


def read_report(path: str | Path) -> str:
    """Read one report file; raise ReportReadError naming the file when it is not usable text
    (a FIFO or device, a file over the size limit: ``govtag.core.report_files``)."""
    return decode_report(read_path(str(path), max_report_bytes()), str(path))


def _decode(data: bytes, name: str) -> str:
    if not data.strip():
        raise ReportReadError(f"{name}: file is empty (no text to tag)")
    if data.startswith(b"\xef\xbb\xbf"):
        return BOM + _utf8(data[3:], name, strict=True)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return BOM + _strict(data, "utf-16", name)
    utf16 = _utf16_without_bom(data)
    if utf16:
        return _strict(data, utf16, name)
    if b"\x00" in data:
        raise ReportReadError(f"{name}: looks binary (NUL bytes), not a text report")
    for encoding in ("utf-8", "legacy"):
        try:
            text = _utf8(data, name) if encoding == "utf-8" else _legacy_chinese(data)
        except UnicodeDecodeError:
            continue
        if _looks_binary(text):
            break
        return text
    raise ReportReadError(
        f"{name}: not text in UTF-8, UTF-16, GB18030/GBK or Big5 (binary or unknown encoding)")


BIG5_CODECS = ("cp950", "big5hkscs")  # Big5 as Windows (Taiwan) and Hong Kong write it
# lead bytes of each encoding's common characters: symbols and punctuation, and the frequent
# characters (GB2312 level 1; Big5's "frequently used" block)
_COMMON_LEADS = {"gb2312": (range(0xA1, 0xA4), range(0xB0, 0xD8)),
                 "big5": (range(0xA1, 0xA4), range(0xA4, 0xC7))}


def _legacy_chinese(data: bytes) -> str:
    """GB18030 (GBK, GB2312) or Big5 text, whichever decoding reads as common characters.

    Big5 bytes decode as GB18030 without an error, into rare characters, kana and private-use
    code points; GB bytes often decode as Big5 too. The decoding whose non-ASCII characters are
    more often the common ones of its own encoding wins (GB18030 on a tie).
    """
    gb = data.decode("gb18030")
    big5 = next((text for text in map(lambda codec: _decoded(data, codec), BIG5_CODECS) if text),
                None)
    if big5 is not None and _common_share(big5, "big5") > _common_share(gb, "gb2312"):
        return big5
    return gb


def _decoded(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        return None


def _common_share(text: str, codec: str) -> float:
    """The share of the non-ASCII characters of ``text`` that are common in ``codec``."""
    wide = [ch for ch in text if ord(ch) > 0x7F]
    if not wide:
        return 0.0
    leads = _COMMON_LEADS[codec]

    def common(ch: str) -> bool:
        try:
            code = ch.encode(codec)
        except UnicodeEncodeError:
            return False
        return len(code) == 2 and any(code[0] in lead for lead in leads)

    return sum(map(common, wide)) / len(wide)


def _utf16_without_bom(data: bytes) -> str | None:
    # Chinese text in UTF-16 has NULs only where it has ASCII, often a few per cent of the
    # characters, so a NUL-share threshold misses it: try the likelier byte order first and keep
    # the decoding that reads as text.
    if len(data) < 4 or len(data) % 2 or b"\x00" not in data:
        return None
    even_nuls, odd_nuls = data[0::2].count(0), data[1::2].count(0)
    order = ("utf-16-le", "utf-16-be") if odd_nuls >= even_nuls else ("utf-16-be", "utf-16-le")
    for encoding in order:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _reads_as_text(text):
            return encoding
    return None


_TEXT_RANGES = ((0x20, 0x7E), (0xA0, 0xFF), (0x2000, 0x2BFF), (0x3000, 0x30FF), (0x3400, 0x4DBF),
                (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0xFE30, 0xFE4F), (0xFF00, 0xFFEF))


def _reads_as_text(text: str) -> bool:
    def is_text(ch: str) -> bool:
        code = ord(ch)
        return ch in "\n\r\t" or any(low <= code <= high for low, high in _TEXT_RANGES)

    return sum(map(is_text, text)) >= 0.95 * len(text)


def _strict(data: bytes, encoding: str, name: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as err:
        raise ReportReadError(f"{name}: invalid {encoding} at byte {err.start}") from err


def _utf8(data: bytes, name: str, strict: bool = False) -> str:
    """UTF-8 text; a last character cut short is dropped with a warning (a truncated file)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        end = err.start
        if err.reason != "unexpected end of data" or len(data) - end > 3:
            if strict:
                raise ReportReadError(f"{name}: invalid utf-8 at byte {end}") from err
            raise
    warnings.warn(f"{name}: ends inside a UTF-8 character (truncated file?); the last "
                  f"{len(data) - end} byte(s) were dropped", TruncatedTextWarning, stacklevel=2)
    return data[:end].decode("utf-8")


def _looks_binary(text: str) -> bool:
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\n\r\t\f\v")
    return controls > max(2, len(text) // 100)


@lru_cache(maxsize=1)
def _t2s():
    from opencc import OpenCC  # its dictionaries load on first use, not with every command

    return OpenCC("t2s")


@lru_cache(maxsize=65536)
def normalise_char(ch: str) -> str:
    """One character as the model sees it: half-width, Simplified; always one character."""
    code = ord(ch)
    if _FULLWIDTH_FIRST <= code <= _FULLWIDTH_LAST:
        return chr(code - _FULLWIDTH_SHIFT)
    if ch == _IDEOGRAPHIC_SPACE:
        return " "
    if code < 0x2E80:
        return ch
    simplified = _t2s().convert(ch)
    return simplified if len(simplified) == 1 else ch


def normalise(text: str) -> str:
    """The model's view of ``text``: same length, offset i maps to offset i."""
    return "".join(map(normalise_char, text))


def line_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each non-blank line, leading/trailing whitespace left out."""
    spans = []
    for match in re.finditer(r"[^\n]+", text):
        start, end = _strip(text, match.start(), match.end())
        if start < end:
            spans.append((start, end))
    return spans


def sentence_spans(text: str, lines: list[tuple[int, int]] | None = None) -> list[tuple[int, int]]:
    """Sentences as the spec defines them: end at 。！？；!?; (inclusive) or a line break.

    Half-width forms of the terminators count too, whatever the width in the original.
    Whitespace around a sentence is left out; a sentence never crosses a line break.
    ``lines``: ``line_spans(text)`` when already at hand.
    """
    spans = []
    for line_start, line_end in line_spans(text) if lines is None else lines:
        start = line_start
        for i in range(line_start, line_end):
            if text[i] in SENTENCE_ENDS or normalise_char(text[i]) in SENTENCE_ENDS:
                spans.append(_strip(text, start, i + 1))
                start = i + 1
        if start < line_end:
            spans.append(_strip(text, start, line_end))
    return [(s, e) for s, e in spans if s < e]


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
