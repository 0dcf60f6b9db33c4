"""Normalise the text of a quantity span (spec layer 2) to a number in a base unit.

``parse_quantity("1.85萬畝", "AREA")`` gives value 18500, unit ``亩``. The input is first put
through ``govtag.core.text.normalise`` (Simplified, half-width), so units come back Simplified.

Rules:
* Magnitude words (十 百 千 万 亿, also 个亿) are folded into the number; the unit is what is left
  (``万亩`` -> ``亩`` x 10000). Units are never converted between systems (公顷 stays 公顷).
* Special forms: ``百分之N`` and ``N%`` -> ``%``; ``N成`` -> N x 10 ``%``; ``N(个)百分点`` ->
  ``percentage point``; ``N倍`` -> ``times``; MONEY with no unit -> ``元``; share words
  (``一半``, ``半数``; ``lexicons/shares.txt``) -> their value in ``%``.
* Ranges (``3-11岁``, ``5万至10万元``, ``20—30亩``) give value None with low/high set; a bare low
  end borrows the high end's magnitude (``3-5万元`` -> 30000..50000). ``2×66万千瓦`` multiplies.
* ``approximate`` is set by 余 多 几 数 in the number (or right after 个: 3个多月), a leading
  约/近, or a trailing 左右/上下. A leading minus sign (-5%) makes a single value negative.
  几 and 数 (``几十个``, ``数万人``) leave the value None.
* Template blanks (spec rule 10: ``20__余万元``, ``xx万元``, ``**户``; the placeholder characters
  of ``lexicons/placeholders.txt``) give value None and ``placeholder`` True; the unit is read as
  usual (``20__余万元`` -> ``元``).
* ``块``/``块钱`` are ``元`` only for a MONEY span (``lexicons/money_aliases.txt``); 展板4块 stays 块.
* Arithmetic is done in ``Decimal``; numbers come back as ``int`` when integral, else ``float``
  (so 1.85万 is 18500, never 18500.000000000004). Odd text never raises: value is None.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from decimal import Decimal, InvalidOperation

import cn2an

from govtag.rules import numerals
from govtag.rules.lexicon import char_class, chars, table, words
from govtag.core.text import normalise

PERCENT_UNIT, POINT_UNIT, TIMES_UNIT, MONEY_UNIT = "%", "percentage point", "times", "元"
MAGNITUDES = numerals.MAGNITUDE_VALUES
APPROX_IN_NUMBER = numerals.APPROXIMATORS + numerals.VAGUE
VAGUE_IN_NUMBER = numerals.VAGUE
NUMBER_CHARS = ("0-9." + numerals.CN_DIGITS + numerals.MAGNITUDES + numerals.HALF + numerals.DECIMAL_POINT
                + APPROX_IN_NUMBER + numerals.FORMAL_DIGITS + numerals.FORMAL_MAGNITUDES)
# a number starts with a digit, ten (十五, 拾伍), a half, a vague word, or a magnitude after 上 (上亿)
NUMBER_START = re.compile(f"[0-9{numerals.CN_DIGITS}十{numerals.HALF}{numerals.VAGUE}"
                          f"{numerals.FORMAL_DIGITS}{numerals.FORMAL_MAGNITUDES[0]}]"
                          f"|(?<=[{numerals.MAGNITUDE_LEAD}])[{numerals.MAGNITUDES}]")
LEADING_NUMBER = re.compile(f"^[{NUMBER_CHARS}]+")
ARABIC_WITH_MAGNITUDE = re.compile(rf"^(\d+(?:\.\d+)?)([{numerals.MAGNITUDES}]*)$")
# 个 between a number and a magnitude word: 20个亿, 几个亿.
CLASSIFIER_BEFORE_MAGNITUDE = re.compile(rf"(?<=[\d{numerals.NONZERO_DIGITS}十几])个(?=[十百千]*[万亿])")
CLASSIFIER_THEN_APPROXIMATOR = tuple("个" + a for a in numerals.APPROXIMATORS)  # 3个多月
DIGIT_GROUPING = re.compile(r"(?<=\d),(?=\d{3})")
ARABIC_DECIMAL_POINT = re.compile(rf"(?<=\d){char_class(numerals.ARABIC_DECIMAL_POINTS)}(?=\d)")
RANGE_SEPARATOR_CHARS = numerals.RANGE_CONNECTORS
RANGE_SEPARATOR = re.compile(f"{char_class(RANGE_SEPARATOR_CHARS)}+")
# 、 between two Chinese digits: a range of neighbouring numbers (二、三百亿度, 百分之二、三)
DIGIT_RANGE = re.compile(f"(?<=[{numerals.CN_DIGITS}]){char_class(numerals.DIGIT_RANGE_MARKS)}"
                         f"(?=[{numerals.CN_DIGITS}])")
CHINESE_WITH_MAGNITUDE = re.compile(f"^([{numerals.CN_DIGITS}])([{numerals.MAGNITUDES}]+)$")
TIMES_SIGN = re.compile(rf"(?<=[\d{numerals.MAGNITUDES}]){char_class(numerals.TIMES_SIGNS)}"
                        rf"(?=[\d{numerals.NONZERO_DIGITS}十])")
# Units that begin with a magnitude character: 66万千瓦 is 66万 + 千瓦, not 66万千 + 瓦.
UNIT_AFTER_THOUSAND = tuple(unit[1:] for unit in words("thousand_units"))
APPROX_PREFIXES = tuple(table("value_hedges")["approximate_before"].split())
APPROX_SUFFIXES = tuple(table("value_hedges")["approximate_after"].split())
PLAIN_SUFFIXES = tuple(table("value_hedges")["plain_after"].split())
TRAILING_QUALIFIERS = sorted(APPROX_SUFFIXES + PLAIN_SUFFIXES, key=len, reverse=True)  # 之多 before 多
UNIT_ALIASES = table("unit_aliases")
SHARES = {word: int(value) for word, value in table("shares").items()}
MONEY_ALIASES = table("money_aliases")
PLACEHOLDER_CHARS = chars("placeholders", "chars")
# a blank: two or more placeholder characters, or one underscore (20_年 is rare, 20__ common)
PLACEHOLDER = re.compile(f"{char_class(PLACEHOLDER_CHARS)}{{2,}}|_")


@dataclass(frozen=True)
class QuantityValue:
    """A quantity span's value in its base unit; for ranges ``value`` is None, low/high are set."""

    value: float | None
    unit: str
    low: float | None
    high: float | None
    approximate: bool
    placeholder: bool = False

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class _Single:
    number: Decimal | None
    unit: str
    approximate: bool
    has_magnitude: bool


def parse_quantity(text: str, label: str) -> QuantityValue:
    """Parse one quantity span's text (any width/script) given its label; never raises."""
    body, approximate, negative = _strip_hedges(_clean(text))
    if is_placeholder(body):
        return _blank_value(body, label, approximate)
    if body in SHARES:  # 一半, 半数
        return QuantityValue(SHARES[body], PERCENT_UNIT, SHARES[body], SHARES[body], approximate)
    parts = _split_range(body)
    if len(parts) == 2:
        return _range_value(parts[0], parts[1], label, approximate)
    single = _parse_single(body, label)
    number = _as_number(-single.number if negative and single.number else single.number)
    return QuantityValue(number, single.unit, number, number, approximate or single.approximate)


def is_placeholder(text: str) -> bool:
    """True when ``text`` (normalised) holds a template blank such as ``20__`` or ``xx``."""
    return bool(PLACEHOLDER.search(text))


def _blank_value(body: str, label: str, approximate: bool) -> QuantityValue:
    """A template blank: no value; the unit read as if each placeholder were a digit."""
    single = _parse_single(PLACEHOLDER.sub(lambda m: "0" * len(m.group()), body), label)
    return QuantityValue(None, single.unit, None, None, approximate or single.approximate, True)


def _clean(text: str) -> str:
    text = normalise(text or "")
    text = re.sub(r"\s+", "", text)
    text = DIGIT_GROUPING.sub("", text)
    text = ARABIC_DECIMAL_POINT.sub(".", text)
    return CLASSIFIER_BEFORE_MAGNITUDE.sub("", text)


def _strip_hedges(text: str) -> tuple[str, bool, bool]:
    """Drop leading words before the number (约, 增长, 达到) and trailing qualifiers (以上, 左右).

    Returns the body, whether a hedge made it approximate, and whether a minus sign led it.
    """
    start = _first_number_index(text)
    prefix, body = text[:start], text[start:].rstrip(RANGE_SEPARATOR_CHARS)
    approximate = prefix.endswith(APPROX_PREFIXES)
    for suffix in TRAILING_QUALIFIERS:
        if body.endswith(suffix) and len(body) > len(suffix):
            approximate = approximate or suffix in APPROX_SUFFIXES
            body = body[: -len(suffix)]
            break
    return body, approximate, prefix.endswith("-")


def _first_number_index(text: str) -> int:
    if "百分之" in text or "千分之" in text:
        return min(i for i in (text.find("百分之"), text.find("千分之")) if i >= 0)
    match = NUMBER_START.search(text)
    return match.start() if match else 0


def _split_range(text: str) -> list[str]:
    parts = DIGIT_RANGE.split(text) if DIGIT_RANGE.search(text) else RANGE_SEPARATOR.split(text)
    if len(parts) == 2 and all(parts):
        return parts
    return [text]


def _range_value(low_text: str, high_text: str, label: str, approximate: bool) -> QuantityValue:
    high = _parse_single(high_text, label)
    low = _parse_single(low_text, label)
    low_number = low.number
    if low_number is not None and high.number is not None and not low.has_magnitude:
        low_number = _borrow_magnitude(low_number, high_text)
    unit = high.unit or low.unit
    return QuantityValue(None, unit, _as_number(low_number), _as_number(high.number),
                         approximate or low.approximate or high.approximate)


def _borrow_magnitude(low: Decimal, high_text: str) -> Decimal:
    """3-5万, 二、三百亿: the low end takes the high end's trailing magnitude when that keeps
    low <= high."""
    number_text, _ = _split_number(high_text)
    number_text = number_text.strip(APPROX_IN_NUMBER)
    match = ARABIC_WITH_MAGNITUDE.match(number_text) or CHINESE_WITH_MAGNITUDE.match(number_text)
    if not match or not match.group(2):
        return low
    mantissa, scale = _parse_number(match.group(1)), _magnitude(match.group(2))
    if mantissa is None:
        return low
    return low * scale if low <= mantissa else low


def _parse_single(text: str, label: str) -> _Single:
    factors = TIMES_SIGN.split(text)
    numbers = [_parse_number(factor) for factor in factors[:-1]]
    last = _parse_unit_and_number(factors[-1], label)
    product = last.number
    for number in numbers:
        product = None if number is None or product is None else product * number
    return _Single(product, last.unit, last.approximate, last.has_magnitude)


def _parse_unit_and_number(text: str, label: str) -> _Single:
    for prefix, unit, scale in (("百分之", PERCENT_UNIT, 1), ("千分之", "‰", 1)):
        if text.startswith(prefix):
            number_text, _ = _split_number(text[len(prefix):])
            return _single(number_text, unit, scale)
    number_text, unit = _split_number(text)
    if unit.startswith(CLASSIFIER_THEN_APPROXIMATOR):  # 3个多月: the approximator sits after the classifier
        number_text, unit = number_text + unit[1], "个" + unit[2:]
    if unit == "成":
        return _single(number_text, PERCENT_UNIT, 10)
    unit = UNIT_ALIASES.get(unit, unit)
    if label == "MONEY":
        unit = MONEY_ALIASES.get(unit, unit)
    if not unit and label == "MONEY":
        unit = MONEY_UNIT
    return _single(number_text, unit, 1)


def _split_number(text: str) -> tuple[str, str]:
    """Leading number (with magnitude words) and the unit after it."""
    match = LEADING_NUMBER.match(text)
    if not match:
        return "", text
    number_text, unit = match.group(), text[match.end():]
    if number_text.endswith("千") and unit.startswith(UNIT_AFTER_THOUSAND) and len(number_text) > 1:
        number_text, unit = number_text[:-1], "千" + unit
    return number_text, unit


def _single(number_text: str, unit: str, scale: int) -> _Single:
    approximate = any(ch in APPROX_IN_NUMBER for ch in number_text)
    number = _parse_number(number_text)
    if number is not None:
        number *= scale
    has_magnitude = bool(re.search(f"[{numerals.MAGNITUDES}]$", number_text.rstrip(numerals.APPROXIMATORS)))
    return _Single(number, unit, approximate, has_magnitude)


def _parse_number(number_text: str) -> Decimal | None:
    """A number written in Arabic digits, Chinese numerals or a mix (1.85万, 三千二百万, 两)."""
    if not number_text or any(ch in VAGUE_IN_NUMBER for ch in number_text):
        return None
    number_text = re.sub(f"[{numerals.APPROXIMATORS}]", "", number_text)
    if number_text == numerals.HALF:
        return Decimal("0.5")
    if number_text[:1] in numerals.MAGNITUDES:  # 上亿, 上千万: one of that magnitude
        number_text = numerals.NONZERO_DIGITS[0] + number_text
    match = ARABIC_WITH_MAGNITUDE.match(number_text)
    if match:
        return Decimal(match.group(1)) * _magnitude(match.group(2))
    return _cn2an_number(number_text)


def _magnitude(words: str) -> Decimal:
    scale = Decimal(1)
    for word in words:
        scale *= MAGNITUDES[word]
    return scale


def _cn2an_number(number_text: str) -> Decimal | None:
    try:
        result = cn2an.cn2an(number_text, "smart")
    except (ValueError, KeyError, IndexError, TypeError):
        return None
    try:
        return Decimal(repr(result)).quantize(Decimal("1e-9")).normalize()
    except InvalidOperation:
        return None


def _as_number(number: Decimal | None) -> int | float | None:
    """Decimal -> int when integral, else float (the shortest repr, no binary artefacts)."""
    if number is None:
        return None
    if number == number.to_integral_value():
        return int(number)
    return float(number)
