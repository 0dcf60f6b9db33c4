"""Candidate quantity spans of a report and the features a classifier reads to verify them.

``candidates(report, rule_spans)`` proposes, with high recall, every stretch that might be a
quantity: each numeral run (Arabic digits with thousands separators, full-width ones included,
Chinese numerals, magnitude words, approximators) alone and with up to ``MAX_UNIT`` characters
after it inside its clause, and each rule span with its end moved by one or two characters.
``features(report, candidate, rule_index)`` describes one candidate as strings (hashed later):
the unit after the number, the number's shape, the characters around it, the words of the clause
before it and what the rule tagger decided about that stretch. Offsets index the original text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from govtag.core.labels import Span
from govtag.rules.numerals import APPROXIMATORS, CN_DIGITS, MAGNITUDES, VAGUE
from govtag.core.report import Report

MAX_UNIT = 4  # characters after a numeral run a candidate may take as its unit
END_SHIFTS = (-2, -1, 1, 2)  # a rule span's end moved by these many characters
CLAUSE_STOPS = "，,。；;：:！？!?、\n“”（）()《》"
SEPARATORS = ",、"  # inside a numeral run: a thousands separator or a list of numerals
CLAUSE_WINDOW = 12  # characters of the clause before a candidate read as word bigrams
CN_NUMERAL = f"{CN_DIGITS}{MAGNITUDES}"
# a numeral run: Arabic digits (thousands groups after , or the full-width comma the view makes ,),
# or Chinese numerals (二、三百: two numerals joined by 、), with magnitudes and approximators
NUMERAL_RUN = re.compile(
    rf"(?:(?<![0-9A-Za-z.])[0-9]+(?:,[0-9]{{3}})*(?:\.[0-9]+)?(?: ?[{MAGNITUDES}{APPROXIMATORS}几])*"
    rf"|(?<![{CN_NUMERAL}])(?:[{VAGUE}上](?=[{MAGNITUDES}])|[{CN_NUMERAL}半])"
    rf"(?:[{CN_NUMERAL}{APPROXIMATORS}几半点零]|、(?=[{CN_NUMERAL}]))*)")
SHAPES = ((re.compile(r"[0-9]+"), "9"), (re.compile(f"[{CN_DIGITS}]+"), "一"))


@dataclass(frozen=True)
class Candidate:
    """A stretch ``[start, end)`` proposed as a quantity; ``number_end``: where its numeral ends."""

    start: int
    end: int
    number_end: int


def candidates(report: Report, rule_spans: list[Span]) -> list[Candidate]:
    """Every candidate of ``report``, sorted, without duplicates."""
    view = report.view
    found: set[Candidate] = set()
    for start, end in _runs(view):
        stop = _clause_end(view, end)
        for unit_end in range(end, min(end + MAX_UNIT, stop) + 1):
            found.add(Candidate(start, unit_end, end))
    for span in rule_spans:
        number_end = _number_end(view, span.start, span.end)
        for end in (span.end, *(span.end + shift for shift in END_SHIFTS)):
            if span.start < end <= len(view):
                found.add(Candidate(span.start, end, min(number_end, end)))
    return sorted(found, key=lambda c: (c.start, c.end))


def _runs(view: str) -> set[tuple[int, int]]:
    """Numeral runs, and the pieces of a run joined by a separator (3,100 may be 3 and 100)."""
    runs = set()
    for match in NUMERAL_RUN.finditer(view):
        runs.add((match.start(), match.end()))
        piece_start = match.start()
        for index in range(match.start(), match.end()):
            if view[index] in SEPARATORS:
                runs.add((piece_start, index))
                piece_start = index + 1
        if piece_start > match.start():
            runs.add((piece_start, match.end()))
    return runs


def _clause_end(view: str, start: int) -> int:
    """The first clause stop at or after ``start`` (the text's end when none)."""
    for index in range(start, min(len(view), start + MAX_UNIT + 1)):
        if view[index] in CLAUSE_STOPS and not _is_digit_separator(view, index):
            return index
    return len(view)


def _is_digit_separator(view: str, index: int) -> bool:
    return view[index] in ",、" and 0 < index < len(view) - 1 and view[index + 1].isdigit()


def _number_end(view: str, start: int, end: int) -> int:
    """Where the numeral inside ``[start, end)`` ends (``start`` when none starts there)."""
    match = NUMERAL_RUN.search(view, start, end)
    return match.end() if match else start


class RuleIndex:
    """The rule tagger's spans of one report, looked up by the stretch of a candidate."""

    def __init__(self, spans: list[Span], blank: bool = False):
        self.blank = blank  # no rule decision at all (rule features dropped in training)
        self.exact = {(s.start, s.end): s.label for s in spans}
        self.by_start = {s.start: s for s in spans}
        self.by_end = {s.end: s for s in spans}
        self.covered: dict[int, Span] = {}
        for span in spans:
            for index in range(span.start, span.end):
                self.covered[index] = span

    def decision(self, candidate: Candidate) -> list[str]:
        """What the rules said: the same span, one starting or ending with it, one overlapping."""
        if self.blank:
            return ["rule=?"]
        exact = self.exact.get((candidate.start, candidate.end))
        if exact:
            return [f"rule=exact:{exact}"]
        said = []
        start, end = self.by_start.get(candidate.start), self.by_end.get(candidate.end)
        if start:
            said.append(f"rule=start:{start.label}:{'longer' if start.end > candidate.end else 'shorter'}")
        if end:
            said.append(f"rule=end:{end.label}")
        inside = {self.covered[i].label for i in range(candidate.start, candidate.end) if i in self.covered}
        said += [f"rule=overlap:{label}" for label in sorted(inside)]
        return said or ["rule=none"]


def shape(number: str) -> str:
    """A numeral's shape: digit runs as 9, Chinese digit runs as 一, the rest as written."""
    for pattern, mark in SHAPES:
        number = pattern.sub(mark, number)
    return number


def features(report: Report, candidate: Candidate, rules: RuleIndex) -> list[str]:
    """The candidate's features as strings (a hashing vectoriser turns them into columns)."""
    view = report.view
    start, end = candidate.start, candidate.end
    number = view[start:candidate.number_end]
    unit = view[candidate.number_end:end]
    left, right = view[max(0, start - 4):start], view[end:end + 3]
    kind = "arabic" if number[:1].isdigit() else "chinese"
    rule = rules.decision(candidate)
    found = [f"u={unit}", f"u1={unit[:1]}", f"ul={unit[-1:]}", f"ulen={len(unit)}",
             f"shape={shape(number)}", f"kind={kind}", f"k|u={kind}|{unit}", f"n|u={number[:2]}|{unit[:1]}",
             f"l1={left[-1:]}", f"l2={left[-2:]}", f"l3={left[-3:]}", f"r1={right[:1]}", f"r2={right[:2]}",
             f"l1|u={left[-1:]}|{unit}", f"u|r1={unit}|{right[:1]}", f"l2|u1={left[-2:]}|{unit[:1]}",
             f"first={number[:1]}", f"last={number[-1:]}", *rule,
             *(f"{r}|u={unit}" for r in rule), *(f"{r}|r1={right[:1]}" for r in rule)]
    found += [f"c2={bigram}" for bigram in _clause_bigrams(view, start)]
    if unit:
        found.append(f"ulast|r1={unit[-1]}|{right[:1]}")
    return found


def _clause_bigrams(view: str, start: int) -> set[str]:
    """Character bigrams of the clause before ``start`` (at most ``CLAUSE_WINDOW`` characters)."""
    clause = view[max(0, start - CLAUSE_WINDOW):start]
    for stop in "。；;！？!?\n":
        clause = clause[clause.rfind(stop) + 1:]
    return {clause[i:i + 2] for i in range(len(clause) - 1)}
