"""What the words around a quantity say about its value: qualifier, rate base and change.

A quantity span (spec layer 2) leaves out hedges and the words that frame it (约, 以上, 人均,
增长), so its value alone cannot be summed. ``describe`` reads them back from the text next to
the span, on the normalised view (Simplified, half-width, same offsets), and adds to the span's
parsed value:

* ``qualifier``: one of ``QUALIFIERS``. ``exact`` unless a word says otherwise: about (约200万元,
  3万人左右, 几十个, 数万人, 上千人), at_least (90%以上, 不少于50人), at_most (5%以内, 不超过3天),
  more_than (超过500人, 逾300户, 1000余万元, 3万多人), less_than (不足3%, 不到10人, 低于2%).
  A word after the span wins over one before it, which wins over an approximator inside it
  (约1000余万元 is about; 1000余万元以上 is at_least); a neutral word before it (为, 累计, 达到)
  leaves the approximator in force (为3000多条 is more_than). A word that only ends with a cue
  (签约, 附近) is none.
* ``per``: the base of a rate, or None: 人均/户均/亩产/亩均/日产 (per 人/户/亩/日), 每亩, 每个月,
  每万人 (``"10000 人"``),
  the tail of a compound unit (9500元/人/年: ``"人/年"``). Several bases are joined by ``/``.
* ``change``: None for a level; ``"increase"`` or ``"decrease"`` for a change named by a word
  right before the span (增长6.3%, 比上年减少290万元); ``"change"`` for a comparison with no
  direction (同比6.3%). A direction word then 到/至/为 gives the level reached (提高到95%): None;
  a rate noun stays a change after them (增长率为8.1%, 减排率达30%). A figure named as the point
  of comparison (较去年同期的15个) is a level: None.
* ``placeholder``: a template blank (20__余万元, xx万元) whose value is None.

The cue words are data: ``lexicons/qualifier_cues.txt``, ``rate_cues.txt``, ``rate_bases.txt``,
``change_cues.txt``, ``change_comparisons.txt`` and ``coordinators.txt``. Context is read inside
the span's clause and never across the quantity before it; a quantity joined to the one before by
a coordinator alone (人均收入分别为36200元和18900元, 分别增长6%、9%) shares its per and change.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from govtag.rules import numerals
from govtag.core.labels import Span
from govtag.rules.lexicon import alternation, chars, cues, table, words
from govtag.rules.quantities import NUMBER_START, is_placeholder, parse_quantity
from govtag.core.report import Report
from govtag.core.text import CONTEXT_BREAKS

QUALIFIERS = ("exact", "about", "at_least", "at_most", "more_than", "less_than")
CHANGES = (None, "increase", "decrease", "change")
CLAUSE_STOPS = CONTEXT_BREAKS
WINDOW = 16  # characters of context read before a span, at most


def _cue_table(name: str, prefix: str) -> dict[str, str]:
    """``{word: qualifier}`` of the rows of ``qualifier_cues.txt`` whose name starts ``prefix``."""
    return {word: key[len(prefix):] for key, value in table(name).items() if key.startswith(prefix)
            for word in value.split()}


BEFORE_QUALIFIERS = _cue_table("qualifier_cues", "before_")
AFTER_QUALIFIERS = _cue_table("qualifier_cues", "after_")
NOT_BEFORE = dict.fromkeys(table("qualifier_cues")["not_before"].split(), "none")
INSIDE_QUALIFIERS = {char: qualifier for word, qualifier in _cue_table("qualifier_cues", "inside_").items()
                     for char in word}
CHANGE_WORDS = table("change_cues")
DIRECTIONS = {word: key for key in ("increase", "decrease") for word in CHANGE_WORDS[key].split()}
COMPARED_DIRECTIONS = {word: key.removesuffix("_after_comparison") for key in
                       ("increase_after_comparison", "decrease_after_comparison")
                       for word in CHANGE_WORDS[key].split()}
RATE_NOUNS = {word: key.removeprefix("rate_") for key in ("rate_increase", "rate_decrease")
              for word in CHANGE_WORDS[key].split()}
COMPARISON_BASE = tuple(CHANGE_WORDS["comparison_base"].split())
FILLERS = tuple(CHANGE_WORDS["fillers"].split())
TO_LEVEL = tuple(CHANGE_WORDS["to_level"].split())
NOT_CHANGE = tuple(CHANGE_WORDS["not_change"].split())
COMPARISON = re.compile(cues("change_comparisons"))
RATE_WORDS = table("rate_cues")
RATE_BASES = words("rate_bases")
COORDINATORS = words("coordinators")
EVERY = re.compile(rf"每(?P<count>[{numerals.CN_DIGITS}{numerals.MAGNITUDES}\d]*)个?(?P<base>{alternation(RATE_BASES)})")
RATE_WORD = re.compile(alternation(RATE_WORDS))
UNIT_TAIL = re.compile(r"[/每]")
# what an approximator inside a span follows: a digit, a magnitude, 个 (3个多月) or a blank (20__余)
DIGITS = f"\\d{numerals.CN_DIGITS}{numerals.MAGNITUDES}个" + chars("placeholders", "chars")


@dataclass(frozen=True)
class QuantityContext:
    """What the words around one quantity say: see the module docstring for each field."""

    qualifier: str
    per: str | None
    change: str | None
    placeholder: bool

    def as_dict(self) -> dict:
        return asdict(self)


def describe_quantities(text: str | Report, spans: list[Span]) -> list[dict]:
    """One dict per quantity span, in order: label, offsets, text, parsed value and context."""
    report = Report.of(text)
    described, previous_end = [], 0
    for span in sorted(spans):
        span_text = report.text[span.start:span.end]
        value = parse_quantity(span_text, span.label)
        context = describe(report.view, span.start, span.end, value.unit, previous_end).as_dict()
        if described and report.view[previous_end:span.start] in COORDINATORS:
            context = _shared(context, described[-1])
        described.append({"label": span.label, "start": span.start, "end": span.end, "text": span_text,
                          **value.as_dict(), **context})
        previous_end = span.end
    return described


def _shared(context: dict, previous: dict) -> dict:
    """A quantity joined to the one before by a coordinator alone (36200元和18900元) takes its
    rate base and change where it has none of its own."""
    return {**context, **{key: previous[key] for key in ("per", "change") if not context[key]}}


def describe(view: str, start: int, end: int, unit: str = "", previous_end: int = 0) -> QuantityContext:
    """The context of the span ``view[start:end]`` of a normalised text (``normalise(text)``).

    ``unit`` is the span's parsed unit (its compound tail gives ``per``); ``previous_end``, the
    end of the quantity before it, bounds the context read before the span.
    """
    body = view[start:end]
    number_at = _number_index(body)
    before = _clause_before(view, start, previous_end) + body[:number_at]
    after = body[_qualifier_end(body, number_at):] + _clause_after(view, end)
    return QuantityContext(qualifier(before, body, after), per_of(before, unit),
                           change_of(before), is_placeholder(body))


def _number_index(body: str) -> int:
    """Where the number of a span starts (after 约, 增长 … that a model may have included)."""
    match = NUMBER_START.search(body) or re.search(r"[\dxX*_×百千万亿]", body)
    return match.start() if match else 0


def _qualifier_end(body: str, number_at: int) -> int:
    """Where a trailing qualifier inside the span (以上, 左右) starts, else the span's end."""
    for word in sorted(AFTER_QUALIFIERS, key=len, reverse=True):
        if body.endswith(word) and len(body) - len(word) > number_at:
            return len(body) - len(word)
    return len(body)


def _clause_before(view: str, start: int, previous_end: int) -> str:
    first = max(previous_end, start - WINDOW, *(view.rfind(stop, 0, start) + 1 for stop in CLAUSE_STOPS))
    return view[first:start]


def _clause_after(view: str, end: int) -> str:
    return view[end:end + 4]


def qualifier(before: str, body: str, after: str) -> str:
    """The qualifier read after the span, else before it, else inside it; else exact. A neutral
    word before it (为, 累计) leaves the one inside in force; a word that only ends with a cue
    (签约) is none."""
    following = _longest_prefix(after, AFTER_QUALIFIERS)
    if following:
        return AFTER_QUALIFIERS[following]
    preceding = _longest_suffix(_without_fillers(before), {**BEFORE_QUALIFIERS, **NOT_BEFORE})
    if preceding and preceding not in NOT_BEFORE and BEFORE_QUALIFIERS[preceding] != "exact":
        return BEFORE_QUALIFIERS[preceding]
    return _inside_qualifier(body)


def _inside_qualifier(body: str) -> str:
    """more_than for 余/多 after a digit (1000余万元, 3个多月); about for 几/数/上 next to a digit
    or before a magnitude (几十个, 十几天, 数万人, 上千人)."""
    for char, name in INSIDE_QUALIFIERS.items():
        after_digit = re.search(f"(?<=[{DIGITS}]){re.escape(char)}", body)
        before_magnitude = re.search(f"{re.escape(char)}(?=[{numerals.MAGNITUDES}])", body)
        if after_digit or (name == "about" and before_magnitude):
            return name
    return "exact"


def per_of(before: str, unit: str) -> str | None:
    """The base(s) of a rate: rate words and 每X before the span, then the compound unit's tail."""
    found = [(m.start(), RATE_WORDS[m.group()]) for m in RATE_WORD.finditer(before)]
    found += [(m.start(), _counted(m.group("count"), m.group("base"))) for m in EVERY.finditer(before)]
    tail = UNIT_TAIL.split(unit or "")[1:]
    bases = [base for _, base in sorted(found)] + [part for part in tail if part]
    unique = list(dict.fromkeys(bases))
    return "/".join(unique) if unique else None


def _counted(count: str, base: str) -> str:
    """``"10000 人"`` for 每万人, ``"人"`` for 每人."""
    if not count:
        return base
    leading_one = "一" if count[0] in numerals.MAGNITUDES else ""  # 每万人: 一万
    value = parse_quantity(leading_one + count + base, "COUNT").value
    return base if value in (None, 1) else f"{value} {base}"


def change_of(before: str) -> str | None:
    """increase / decrease for a direction word right before the span, change for a comparison
    alone, None for a level (none of them, 提高到: the level reached, 较去年的15个: the figure
    compared with). A rate noun (增长率为) is a change whatever stands after it."""
    compared = any(before[m.end():] not in COMPARISON_BASE for m in COMPARISON.finditer(before))
    rest, level = _strip_to_direction(before)
    rate_noun = _longest_suffix(_strip_all(before), RATE_NOUNS)
    if rate_noun:
        return RATE_NOUNS[rate_noun]
    if level:
        return None
    direction = _longest_suffix(rest, DIRECTIONS)
    if direction and not rest.endswith(NOT_CHANGE):
        return DIRECTIONS[direction]
    compared_direction = _longest_suffix(rest, COMPARED_DIRECTIONS)
    if compared and compared_direction:
        return COMPARED_DIRECTIONS[compared_direction]
    return "change" if compared else None


def _strip_to_direction(before: str) -> tuple[str, bool]:
    """``before`` without the qualifier words and fillers at its end; True when a word that
    makes the span a level reached (到, 至, 为) stood there."""
    rest = before
    for _ in range(4):
        rest = _without_fillers(rest)
        word = _longest_suffix(rest, {**BEFORE_QUALIFIERS, **dict.fromkeys(TO_LEVEL, "level")})
        if not word:
            return rest, False
        if word in TO_LEVEL:
            return rest, True
        rest = rest[: -len(word)]
    return rest, False


def _strip_all(before: str) -> str:
    """``before`` without every qualifier word, filler and level word at its end (增长率为约)."""
    rest, level = _strip_to_direction(before)
    while level:
        rest = rest[: -len(_longest_suffix(rest, TO_LEVEL))]
        rest, level = _strip_to_direction(rest)
    return rest


def _without_fillers(text: str) -> str:
    while text.endswith(FILLERS):
        text = text[: -len(next(f for f in FILLERS if text.endswith(f)))]
    return text


def _longest_suffix(text: str, options) -> str | None:
    return max((word for word in options if text.endswith(word)), key=len, default=None)


def _longest_prefix(text: str, options) -> str | None:
    return max((word for word in options if text.startswith(word)), key=len, default=None)


