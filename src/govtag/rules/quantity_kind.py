"""What a quantity is beside its value: its status, its relation to the quantity before it, and
whether it is a total that an analyst may add to others.

``classify(text, quantities)`` takes the quantities of ``quantity_context.describe_quantities``
with their ``section`` (the role of their sentence) and adds, read on the normalised view:

* ``status``: ``actual`` (a figure reported as done or as it stands), ``target`` (a goal, plan,
  commitment or forecast: 力争, 计划, 确保, 拟, 将达到, 10亿元的目标, and every quantity of a
  sentence whose role is 计划 unless a past-fact cue stands before it: 已, 目前, 去年) or
  ``estimate`` (预计, 初步统计: for the current period; in a 计划 sentence a forecast, so a
  target). Each cue says how far it reaches (its clause or its sentence); of those that reach
  the quantity, the one that starts last wins; a target cue after it in its clause (…的目标)
  wins over all of them.
* ``relation``: None, or ``from`` (the earlier level of a from-to pair: 由8500元提高到9200元,
  较去年同期的15个下降为9个), ``part`` (其中, 含, 包括: a part of the amount before it, so of
  its label),
  ``conversion`` (约合, 折合, 相当于: the amount before it in another unit) or ``class`` (a tier
  of money, spec rule 11: 千亿级产业集群, 百亿企业). The level reached in a from-to pair takes the
  rate base of the earlier level when it has none (人均收入由8500元提高到9200元: both per 人).
* ``total``: True only for an amount that may be added to others of its unit: a value, qualifier
  exact, no per, no change, not a blank, status actual, no relation, not a percentage.

The cue words are data: ``lexicons/status_*.txt`` and ``lexicons/relation_*.txt``.
"""

from __future__ import annotations

import re

from govtag.rules import numerals
from govtag.rules.lexicon import alternation, cues, table
from govtag.rules.quantities import MONEY_UNIT
from govtag.rules.quantity_context import BEFORE_QUALIFIERS
from govtag.core.report import Report

STATUSES = ("actual", "target", "estimate")
RELATIONS = (None, "from", "part", "conversion", "class")
PLAN_ROLE = "计划"
NOT_SUMMED = ("PERCENT",)
SENTENCE_STOPS = "。；;！？!?\n"
CLAUSE_STOPS = "，,。；;：:、！？!?\n"


def _all_matches(name: str) -> re.Pattern:
    """The cue list ``name`` as a pattern that finds every match, overlapping ones included."""
    return re.compile(f"(?=({cues(name)}))")


STATUS_CUES = {status: _all_matches(f"status_{status}") for status in STATUSES}
TARGET_AFTER = re.compile(cues("status_target_after"))
NOT_CUES = _all_matches("status_not_cues")
PART = _all_matches("relation_part")
FROM_WORDS = table("relation_from")
FROM_BEFORE = tuple(FROM_WORDS["before"].split())
# between the two quantities of a pair: (的) verb (了) to-word, or a to-word alone, then a short tail
FROM_BETWEEN = re.compile(
    f"^的?(?:{alternation(FROM_WORDS['verbs'].split())}了?{alternation(FROM_WORDS['to'].split())}"
    f"|{alternation(FROM_WORDS['to_alone'].split())})[^{re.escape(CLAUSE_STOPS)}]{{0,8}}$")
CONVERSION_WORDS = table("relation_conversion")
CONVERSIONS = dict.fromkeys(CONVERSION_WORDS["conversion"].split(), True)
NOT_CONVERSIONS = dict.fromkeys(CONVERSION_WORDS["not_conversion"].split(), False)
CLASS_AFTER = re.compile(cues("relation_class"))
BARE_MAGNITUDE = re.compile(f"^[{numerals.MAGNITUDES}]+{MONEY_UNIT}?$")


def classify(text: str | Report, quantities: list[dict]) -> list[dict]:
    """The quantities (in text order, each with its ``section``) with status, relation and total."""
    view = Report.of(text).view
    ordered = sorted(quantities, key=lambda q: (q["start"], q["end"]))
    relations = relations_of(view, ordered)
    classified = []
    for index, quantity in enumerate(ordered):
        quantity = {**quantity, "status": status_of(view, quantity["start"], quantity["end"],
                                                    quantity.get("section")),
                    "relation": relations[index]}
        if index and relations[index - 1] == "from" and not quantity.get("per"):
            quantity["per"] = classified[-1].get("per")
        classified.append({**quantity, "total": is_total(quantity)})
    return classified


def is_total(quantity: dict) -> bool:
    """An exact actual amount that may be added to others of its unit (see the module docstring)."""
    return (quantity.get("value") is not None and quantity.get("qualifier", "exact") == "exact"
            and not quantity.get("per") and not quantity.get("change") and not quantity.get("placeholder")
            and quantity.get("status", "actual") == "actual" and quantity.get("relation") is None
            and quantity["label"] not in NOT_SUMMED)


# ---------------------------------------------------------------- status

def status_of(view: str, start: int, end: int, section: str | None) -> str:
    """actual, target or estimate for the quantity ``view[start:end]`` in a sentence of role ``section``."""
    if TARGET_AFTER.search(_clause_after(view, end)):
        return "target"
    found = _status_cues(view[_stop_before(view, start, SENTENCE_STOPS):start])
    status = found[-1][1] if found else ("target" if section == PLAN_ROLE else "actual")
    return "target" if status == "estimate" and section == PLAN_ROLE else status


def _status_cues(sentence: str) -> list[tuple[int, str]]:
    """(start, status) of each status cue that reaches the end of ``sentence`` (the sentence
    before the quantity), in order; a cue inside a phrase of status_not_cues.txt is none."""
    blocked = _spans(NOT_CUES, sentence)
    return sorted((cue_start, status) for status, pattern in STATUS_CUES.items()
                  for cue_start, _ in _spans(pattern, sentence) if not _inside(cue_start, blocked))


def _spans(pattern: re.Pattern, text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.start() + len(m.group(1))) for m in pattern.finditer(text)]


def _inside(position: int, spans: list[tuple[int, int]]) -> bool:
    return any(start <= position < end for start, end in spans)


def _stop_before(view: str, start: int, stops: str) -> int:
    """Where the sentence or clause holding offset ``start`` begins."""
    return max(view.rfind(stop, 0, start) for stop in stops) + 1


def _clause_after(view: str, end: int) -> str:
    stops = [view.find(stop, end) for stop in CLAUSE_STOPS]
    return view[end:min([stop for stop in stops if stop >= 0], default=len(view))]


# ---------------------------------------------------------------- relation

def relations_of(view: str, quantities: list[dict]) -> list[str | None]:
    """The relation of each quantity (in text order) to the quantity before it, or None."""
    relations: list[str | None] = []
    for index, quantity in enumerate(quantities):
        previous = quantities[index - 1] if index else None
        following = quantities[index + 1] if index + 1 < len(quantities) else None
        alike = next((q for q in reversed(quantities[:index]) if q["label"] == quantity["label"]), None)
        relations.append(relation_of(view, quantity, previous, following, alike))
    return relations


def relation_of(view: str, quantity: dict, previous: dict | None, following: dict | None,
                alike: dict | None = None) -> str | None:
    """class, from, conversion or part (tried in that order), else None. ``alike`` is the last
    quantity before it with its label: a part is a part of that one (其中…３２００户 after an
    amount of money is no part; 其中…亿元 after 亿元，增长9%。 is)."""
    start = quantity["start"]
    sentence_start = _stop_before(view, start, SENTENCE_STOPS)
    if is_class(view, quantity):
        return "class"
    if following and _opens_pair(view, quantity, following):
        return "from"
    same_sentence = previous is not None and previous["end"] > sentence_start
    if same_sentence and _is_conversion(view[max(previous["end"], _stop_before(view, start, CLAUSE_STOPS)):start]):
        return "conversion"
    if alike is not None:
        return _part(view, sentence_start, start, alike["end"])
    return None


def _part(view: str, sentence_start: int, start: int, previous_end: int) -> str | None:
    """part when a part cue reaches the quantity and the quantity before it is in its sentence,
    or, for a cue that opens the sentence (。其中…), in the sentence before."""
    sentence = view[sentence_start:start]
    blocked = _spans(NOT_CUES, sentence)
    cue_starts = [cue_start for cue_start, _ in _spans(PART, sentence) if not _inside(cue_start, blocked)]
    if previous_end > sentence_start:
        found = bool(cue_starts)
    else:
        previous_sentence = _stop_before(view, max(sentence_start - 1, 0), SENTENCE_STOPS)
        found = previous_end > previous_sentence and 0 in cue_starts
    return "part" if found else None


def is_class(view: str, quantity: dict) -> bool:
    """A money quantity that names a tier: a tier cue after it (千亿级, 10亿元以上项目), or a bare
    magnitude (百亿)."""
    if quantity["label"] != "MONEY":
        return False
    body = view[quantity["start"]:quantity["end"]]
    return bool(BARE_MAGNITUDE.match(body)) or bool(CLASS_AFTER.search(_clause_after(view, quantity["end"])))


def _opens_pair(view: str, quantity: dict, following: dict) -> bool:
    """由X提高到Y, 较去年的X下降为Y: X opens a from-to pair with the next quantity Y."""
    if following["label"] != quantity["label"]:
        return False
    between = view[quantity["end"]:following["start"]]
    clause_before = view[_stop_before(view, quantity["start"], CLAUSE_STOPS):quantity["start"]]
    return bool(FROM_BETWEEN.match(between)) and any(word in clause_before for word in FROM_BEFORE)


def _is_conversion(before: str) -> bool:
    """A conversion word ends ``before`` (a qualifier such as 约 may follow it)."""
    options = {**CONVERSIONS, **NOT_CONVERSIONS}
    for text in (before, _without_qualifier(before)):
        word = max((w for w in options if text.endswith(w)), key=len, default=None)
        if word:
            return options[word]
    return False


def _without_qualifier(before: str) -> str:
    word = max((w for w in BEFORE_QUALIFIERS if before.endswith(w)), key=len, default="")
    return before[: len(before) - len(word)]
