"""One prepared view of a report, built once and shared by every stage that reads it.

``Report.of(text)`` wraps a report's text (a ``Report`` is passed on as it is). Each part is
computed the first time a stage asks for it and kept: ``view`` (``text.normalise``: Simplified,
half-width, the same length), ``lines`` and ``sentences`` (``text.line_spans`` and
``text.sentence_spans``) and ``headings`` (the heading path in force from each heading line on). The rule tagger, the model's
encoding and decoding and the sentence classifiers take a ``str`` or a ``Report``, so one report
is normalised and split once on its way through them. Every offset indexes the original text.
"""

from __future__ import annotations

from functools import cached_property

from govtag.core.headings import heading_changes
from govtag.core.text import line_spans, normalise, sentence_spans

Spans = list[tuple[int, int]]


class Report:
    """A report's original text and its normalised view, lines, sentences, paragraph blocks and
    heading paths, each computed once, on first use."""

    def __init__(self, text: str):
        self.text = text

    @classmethod
    def of(cls, report: str | Report) -> Report:
        """``report`` itself when it is a ``Report``, else a new one over the text."""
        return report if isinstance(report, Report) else cls(report)

    @cached_property
    def view(self) -> str:
        """The normalised text: offset i of the view is offset i of the text."""
        return normalise(self.text)

    @cached_property
    def lines(self) -> Spans:
        """Non-blank lines, whitespace around them left out (the same in the text and the view)."""
        return line_spans(self.text)

    @cached_property
    def sentences(self) -> Spans:
        """The spec's sentences."""
        return sentence_spans(self.text, self.lines)

    def derived(self, name: str, compute):
        """A part a later stage computes from the report (``compute(report)``), kept like the
        others (e.g. the section reader's paragraph blocks)."""
        parts = self.__dict__.setdefault("_derived", {})
        if name not in parts:
            parts[name] = compute(self)
        return parts[name]

    @cached_property
    def headings(self) -> list[tuple[int, str]]:
        """(offset, heading path) pairs: the path in force from each heading line on."""
        return heading_changes(self.view, self.lines)


def heading_paths(text: str | Report) -> list[tuple[int, str]]:
    """(offset, heading path) pairs: the path in force from each heading line on."""
    return Report.of(text).headings
