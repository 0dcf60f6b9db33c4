"""Rule-based tagger for both layers of the annotation spec (``ANNOTATION_SPEC.md``).

The quantity grammar is ``govtag.rules.quantity_grammar``, the section reader ``govtag.rules.sections``;
their word lists are the data files in ``govtag/lexicons/`` (see ``govtag.rules.lexicon``).
Offsets always index the original text.
"""

from __future__ import annotations

from govtag.core.components import QuantityModel
from govtag.core.labels import Document, Span
from govtag.core.report import Report
from govtag.rules.quantity_grammar import tag_quantities
from govtag.rules.sections import tag_sections

__all__ = ["tag_document", "tag_quantities", "tag_sections", "RuleQuantities"]


def tag_document(text: str | Report, doc_id: str = "") -> Document:
    """A document with both layers tagged by rules."""
    report = Report.of(text)
    return Document(doc_id, report.text, tag_sections(report) + tag_quantities(report))


class RuleQuantities(QuantityModel):
    """The quantity grammar as a quantity model (``quantities: {type: rules}``): nothing to fit."""

    def spans(self, report: str | Report, rule_spans: list[Span] | None = None) -> list[Span]:
        return sorted(rule_spans) if rule_spans is not None else tag_quantities(Report.of(report))
