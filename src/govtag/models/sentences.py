"""A report as a list of sentences, each with what a sentence classifier reads about it.

Every sentence (``Report.sentences``: the spec's sentences) carries its normalised text, the
heading path in force at its start (``Report.headings``), the rule tagger's role of the
sentence and of its neighbours, and its relative position in the report. ``gold_roles`` reads the
role of each sentence from annotated section spans (the role of most of its characters).
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass

from govtag.core.labels import OUTSIDE, SECTION, Document, Span, char_roles, merge_sentence_roles  # noqa: F401
from govtag.core.report import Report
from govtag.rules.tagger import tag_sections

NEIGHBOURS = 2  # rule roles of this many sentences on each side are features


@dataclass
class Sentence:
    """One sentence of a report and its context."""
    start: int
    end: int
    text: str  # the normalised view (Simplified, half-width) of the sentence
    heading: str  # heading path in force at the sentence (normalised), "" before any heading
    rules: tuple[str, ...]  # rule roles of the sentences at offsets -NEIGHBOURS..+NEIGHBOURS
    position: float  # start / length of the report, 0..1
    previous: str = ""  # the sentence before (normalised), "" for the first


def report_sentences(text: str | Report, rule_sections: list[Span] | None = None) -> list[Sentence]:
    """The sentences of ``text``; ``rule_sections``: the rule tagger's section spans (computed
    when not given)."""
    report = Report.of(text)
    if rule_sections is None:
        rule_sections = tag_sections(report)
    view, spans, headings = report.view, report.sentences, report.headings
    rule_roles = roles_of_spans(spans, rule_sections, len(view))
    heading_starts = [offset for offset, _ in headings]
    sentences = []
    for index, (start, end) in enumerate(spans):
        at = bisect_right(heading_starts, start) - 1
        window = tuple(rule_roles[i] if 0 <= i < len(spans) else "^"
                       for i in range(index - NEIGHBOURS, index + NEIGHBOURS + 1))
        sentences.append(Sentence(start, end, view[start:end], headings[at][1] if at >= 0 else "",
                                  window, start / max(len(view), 1)))
    for before, after in zip(sentences, sentences[1:]):
        after.previous = before.text
    return sentences


def roles_of_spans(sentences: list[tuple[int, int]], sections: list[Span], length: int) -> list[str]:
    """The role of each sentence: the section role of most of its characters, else ``O``."""
    char_role = char_roles(sections, length)
    roles = []
    for start, end in sentences:
        counts = Counter(char_role[start:end])
        roles.append(counts.most_common(1)[0][0] if counts else OUTSIDE)
    return roles


def gold_roles(doc: Document, sentences: list[Sentence]) -> list[str]:
    """The annotated role of each sentence of ``doc``."""
    return roles_of_spans([(s.start, s.end) for s in sentences], doc.layer(SECTION), len(doc.text))
