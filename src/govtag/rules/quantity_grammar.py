"""The rule tagger's quantity grammar (spec layer 2: MONEY/PERCENT/AREA/COUNT/MEASURE).

One compiled pattern (the numeral grammar of ``govtag.rules.numerals`` and the unit lexicons of
``lexicons/``) runs over the normalised view of the text (Simplified, half-width, same length);
context filters then drop the spec's non-quantities (dates, ordinals, codes, set phrases,
periods framing the present). Template blanks with a unit (产值20__余万元, 投入xx万元) are
quantities with that unit's label (spec rule 10); a blank before a name or date unit (xx村,
20__年) is not. 块 is a COUNT (展板4块) unless a money word stands earlier in its clause.
Offsets index the original text.
"""

from __future__ import annotations

import re

from govtag.core.labels import LAYERS, QUANTITY, Span
from govtag.rules.lexicon import alternation, char_class, table, words
from govtag.rules.lexicon import chars
from govtag.rules.numerals import APPROXIMATORS, CN_DIGITS, MAGNITUDES, NONZERO_DIGITS, NUMBER, RANGE_SEPARATOR, VAGUE
from govtag.core.report import Report
from govtag.core.text import CJK, CLAUSE_BREAKS

TIME_UNITS = words("units_time")
COUNTED_NOUNS = words("counted_nouns")
COUNTED_HEADS = words("counted_heads")
# A label's units are the list lexicons/units_<label>.txt (and, for two labels, another list);
# a unit in two lists is the one of the label that comes first in LAYERS.
UNITS_BEFORE, UNITS_AFTER = {"MEASURE": TIME_UNITS}, {"COUNT": COUNTED_NOUNS}
UNIT_LABELS: dict[str, str] = {
    unit: label for label in reversed(LAYERS[QUANTITY])
    for unit in UNITS_BEFORE.get(label, ()) + words(f"units_{label.lower()}") + UNITS_AFTER.get(label, ())}
RATE_BASES = words("rate_bases")
UNIT_WORD_STARTS = table("unit_word_starts")
UNIT_CUES = {unit: tuple(cues.split()) for unit, cues in table("unit_cues").items()}
SET_PHRASES = words("set_phrases")
SHARES = tuple(table("shares"))  # 一半, 半数: a share with no number (PERCENT)
# the word lists of lexicons/ that the grammar's context checks read, each by its file name
(ARABIC_ONLY_UNITS, DURATION_CUES, DURATION_AFTER, PLAN_TERMS, PERIOD_BEFORE, PERIOD_AFTER,
 OUTPUT_MEASURES, THOUSAND_UNITS, PLACEHOLDER_NON_UNITS, MONEY_WORDS, POPULATION_WORDS,
 MONEY_AMOUNT_WORDS) = (words(name) for name in (
    "arabic_only_units", "duration_cues", "duration_after", "plan_terms", "period_before",
    "period_after", "output_measures", "thousand_units", "placeholder_non_units", "money_words",
    "population_words", "money_amount_words"))
MONEY_IN_CONTEXT = "块"  # a COUNT classifier that is money after a word of money_words
CLAUSE_STOPS = CLAUSE_BREAKS
SHORT_QUOTE = 16  # a quoted slogan this short is a name, its numbers no quantities (spec rules 5, 8)

# Parallel numeral slogans: 一村一品, 六稳六保, 千家万户, 万亩千亿; the word after the first numeral
# is no numeral (二百二十四万吨, 一千五百公里 and 五百多万吨 are amounts).
WORD = rf"(?![{CN_DIGITS}{MAGNITUDES}{APPROXIMATORS}{VAGUE}]){CJK}"
PARALLEL_PHRASE = (rf"(?P<numeral>[{NONZERO_DIGITS}十]){WORD}{{1,2}}(?P=numeral){CJK}"
                   rf"|[百千万]{WORD}[百千万]{CJK}")
SET_PHRASE = re.compile(alternation(SET_PHRASES) + "|" + PARALLEL_PHRASE)
BARE_MAGNITUDE = re.compile(r"[百千万亿]+")
YEAR_NUMBER = re.compile(rf"(?:1[89]|20)\d\d|[一二][{CN_DIGITS}]{{3}}")
PLACEHOLDER = char_class(chars("placeholders", "chars"))
# a template blank (spec rule 10): digits and a run of placeholders, then magnitudes (20__余万, xx万)
BLANK_NUMBER = (rf"(?<![A-Za-z0-9.])\d*(?:{PLACEHOLDER}{{2,}}|_)(?:\d|{PLACEHOLDER})*"
                rf"(?:[{APPROXIMATORS}]?[{MAGNITUDES}])*[{APPROXIMATORS}]?")
FULL_WIDTH_THOUSANDS = re.compile(r"(?<=[０-９])，(?=[０-９]{3}(?![０-９]))")


def _unit_alternation() -> str:
    """Units longest first, each guarded against the words it starts."""
    units = sorted(UNIT_LABELS, key=len, reverse=True)
    return "|".join(re.escape(u) + (f"(?!{char_class(UNIT_WORD_STARTS[u])})" if u in UNIT_WORD_STARTS else "")
                    for u in units)


UNITS = _unit_alternation()
# right after one of these units an approximator is part of the quantity (三年多, 一倍多)
UNIT_THEN_APPROXIMATOR = "(?:" + "|".join(f"(?<={re.escape(u)})" for u in words("units_then_approximator")) + ")"
# A large bare number and the noun phrase it counts (spec rule 6): 9748万农村人口, 13亿中国人,
# 4.32亿城镇职工和城镇居民; the phrase holds no numeral, 的 or 元 and ends at its first head noun
# (or at the head of a phrase joined by 和); a unit after the number (21.9万名) keeps its own span.
PHRASE_WORD = rf"(?![的元{CN_DIGITS}{MAGNITUDES}]){CJK}"
COUNTED_PHRASE = (rf"(?P<counted>{NUMBER}(?:(?<=[万亿])|(?<=[万亿][{APPROXIMATORS}]))(?!{UNITS})"
                  rf"{PHRASE_WORD}{{0,10}}?{alternation(COUNTED_HEADS)}"
                  rf"(?:和{PHRASE_WORD}{{0,10}}?{alternation(COUNTED_HEADS)})?)")


QUANTITY_PATTERN = re.compile(
    rf"(?P<blank>{BLANK_NUMBER})(?P<blank_unit>{UNITS})?(?:[/每]{alternation(RATE_BASES)})*"
    rf"|(?P<percent_of>(?<![{CN_DIGITS}{MAGNITUDES}])[百千]分之{NUMBER}(?:{RANGE_SEPARATOR}(?:[百千]分之)?{NUMBER})?"
    rf"|(?<![{CN_DIGITS}{MAGNITUDES}])[{CN_DIGITS}十]+分之{NUMBER})"
    rf"|(?P<share>(?<![{CN_DIGITS}{MAGNITUDES}]){alternation(SHARES)})"
    rf"|(?P<tenths>(?<![{CN_DIGITS}{MAGNITUDES}第])[{NONZERO_DIGITS}]成(?!{char_class(UNIT_WORD_STARTS['成'])}))"
    rf"|(?P<shared_points>{NUMBER}个?)(?=(?:[、和]{NUMBER}个?)*[、和]{NUMBER}个?百分点)"
    rf"|{COUNTED_PHRASE}"
    rf"|(?P<number>{NUMBER}(?:%?{RANGE_SEPARATOR}{NUMBER}|×{NUMBER})?)"
    rf"(?P<unit>{UNITS})?"
    rf"(?:{UNIT_THEN_APPROXIMATOR}[{APPROXIMATORS}](?!{UNITS}))?"  # 三年多, 一倍多, not 3年多次
    rf"(?:[/每]{alternation(RATE_BASES)})*")


def _view(report: Report) -> str:
    """Normalised text, keeping full-width commas apart from thousands separators; a full-width
    comma between full-width digits (１，２００) is a thousands separator."""
    separators = {m.start() for m in FULL_WIDTH_THOUSANDS.finditer(report.text)}
    return "".join("，" if ch == "，" and i not in separators else n
                   for i, (ch, n) in enumerate(zip(report.text, report.view)))


def tag_quantities(text: str | Report) -> list[Span]:
    """Quantity spans (MONEY/PERCENT/AREA/COUNT/MEASURE) in original-text offsets."""
    view = _view(Report.of(text))
    blocked = _set_phrase_mask(view)
    spans = []
    for match in QUANTITY_PATTERN.finditer(view):
        label = _label(match, view)
        maskable = match.group("number") or match.group("counted")
        if label and not (maskable and any(blocked[match.start():match.end()])):
            spans.append(Span(match.start(), match.end(), label, QUANTITY))
    return spans


def _set_phrase_mask(view: str) -> list[bool]:
    mask = [False] * len(view)
    for match in SET_PHRASE.finditer(view):
        mask[match.start():match.end()] = [True] * (match.end() - match.start())
    return mask


def _label(match: re.Match, view: str) -> str | None:
    """The label of a candidate match, or None when its context says it is no quantity."""
    if match.group("blank"):
        return _blank_label(match.group("blank"), match.group("blank_unit"))
    if match.group("percent_of") or match.group("share") or match.group("tenths") or match.group("shared_points"):
        return "PERCENT"
    if match.group("counted"):
        return None if _inside_short_quote(match, view) else "COUNT"
    number, unit = match.group("number"), match.group("unit")
    if _inside_short_quote(match, view):  # “百亿粮仓”, “群众最不满意的10件事”
        return None
    before = view[max(0, match.start() - 8):match.start()]
    after = view[match.end():match.end() + 8]
    if not unit:
        return "MONEY" if _is_bare_hundred_million(number, _clause_before(view, match.start()), after) else None
    if unit in UNIT_CUES and not before.endswith(UNIT_CUES[unit]):  # 翻两番, not 一番努力
        return None
    label = _money_in_context(unit, view, match.start()) or UNIT_LABELS[unit]
    if label == "MONEY" and after.startswith(OUTPUT_MEASURES):
        return None
    if BARE_MAGNITUDE.fullmatch(number):  # 亿元, 千公里 and 万吨级 count; 百年, 万亩核桃, 千家 do not
        physical = (label == "MEASURE" and unit not in TIME_UNITS + ARABIC_ONLY_UNITS
                    and not (number + unit).startswith(THOUSAND_UNITS))  # 千瓦 is a unit, no quantity
        return label if label == "MONEY" or physical or after.startswith(("以上", "级")) else None
    if not number[0].isdigit() and not _chinese_number_counts(number, unit, before, after):
        return None
    return None if _context_rejects(number, unit, label, before, after, match, view) else label


def _blank_label(number: str, unit: str | None) -> str | None:
    """A template blank: its unit's label; none before a name or date unit (xx村, 20__年); a
    blank ending in 亿 with no unit is money (xx亿)."""
    if not unit:
        return "MONEY" if number.endswith("亿") else None
    return None if unit in PLACEHOLDER_NON_UNITS else UNIT_LABELS[unit]


def _money_in_context(unit: str, view: str, start: int) -> str | None:
    """MONEY for 块 after a money word in the same clause (每人补助200块), else None."""
    if unit != MONEY_IN_CONTEXT:
        return None
    return "MONEY" if any(word in _clause_before(view, start) for word in MONEY_WORDS) else None


def _context_rejects(number, unit, label, before, after, match, view) -> bool:
    """Dates and periods (2023年, 近三年), rankings (前3位), rings (15分钟生活圈), slogans."""
    if unit == "年" and _is_date_or_period(number, before, after):
        return True
    if unit == "位" and (not re.match(rf"{CJK}|\d", after) or before.endswith(("前", "末", "后"))):
        return True
    if label == "MEASURE" and re.match(rf"{CJK}{{0,6}}圈", after):
        return True
    return label == "COUNT" and after.startswith("”")


def _is_bare_hundred_million(number: str, clause: str, after: str) -> bool:
    """20亿, 百亿级, and 300万 after a word of money (投入300万): an amount of money written
    without 元, unless its clause is about people."""
    money_follows = re.match(rf"{CJK}?[元币]", after)
    about_people = any(word in clause for word in POPULATION_WORDS)
    if money_follows or about_people:
        return False
    ten_thousands = re.search(rf"万[{APPROXIMATORS}]?$", number) and not after.startswith(("人", "户", "名"))
    return number.endswith("亿") or bool(ten_thousands and any(w in clause for w in MONEY_AMOUNT_WORDS))


def _clause_before(view: str, start: int) -> str:
    """The text of the clause before ``start``."""
    return view[max(view.rfind(stop, 0, start) for stop in CLAUSE_STOPS) + 1:start]


def _chinese_number_counts(number: str, unit: str, before: str, after: str) -> bool:
    """Chinese numerals: 两座 counts, 一个/二期/零部件/九年义务教育 do not."""
    if unit == "个" and after.startswith("“"):  # 三个“一号工程”
        return False
    if number in ("一", "二", "零", "〇") or unit in ARABIC_ONLY_UNITS:  # 一倍 and 提前一年 count
        one_counts = UNIT_LABELS[unit] == "PERCENT" or (unit in TIME_UNITS and before.endswith(DURATION_CUES))
        return number == "一" and one_counts
    if unit in TIME_UNITS:
        after_makes_duration = after.startswith(DURATION_AFTER) and number + unit not in PLAN_TERMS
        return any(cue in before[-4:] for cue in DURATION_CUES) or after_makes_duration
    return UNIT_LABELS[unit] != "MONEY" or len(number) > 1


def _is_date_or_period(number: str, before: str, after: str) -> bool:
    framed = before.endswith(PERIOD_BEFORE) and not before.endswith(DURATION_CUES)  # 近三年, not 提前一年
    years = all(YEAR_NUMBER.fullmatch(end) for end in re.split(RANGE_SEPARATOR, number))  # 2006-2020年
    return years or framed or after.startswith(PERIOD_AFTER)


def _inside_short_quote(match: re.Match, view: str) -> bool:
    """True inside a short quoted slogan such as “两个确立”, “10分钟品质文化生活圈” or
    “群众最不满意的10件事” (at most SHORT_QUOTE characters from quote to quote)."""
    opening = view.rfind("“", max(0, match.start() - SHORT_QUOTE), match.start() + 1)
    if opening < 0 or "”" in view[opening:match.start()]:
        return False
    closing = view.find("”", match.end(), match.end() + SHORT_QUOTE)
    return closing >= 0 and closing - opening <= SHORT_QUOTE
