"""Typed results of tagging a report: ``Section``, ``Quantity`` and ``ReportResult``.

``Quantity`` is the one list of quantity fields: the csv columns, the parquet schema, the Label
Studio region ``meta`` and the view's table and tooltips all read it (``QUANTITY_FIELDS``,
``META_FIELDS``, ``CONTEXT_FIELDS``, ``KIND_FIELDS``, ``arrow_type``), so a new field is one line here.
``ReportResult.of(doc)`` builds a report's result; ``as_dict`` gives what the outputs write.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields

from govtag.core.labels import QUANTITY, SECTION, Document, Span
from govtag.core.report import Report


@dataclass
class Section:
    """A section span and its text."""

    role: str
    start: int
    end: int
    text: str


def _context(default=None):
    """A field read from the words around a quantity (shown in the view's table and tooltips)."""
    return field(default=default, metadata={"context": True})


def _kind(default=None):
    """A field saying what a quantity is (shown in the view's table and tooltips)."""
    return field(default=default, metadata={"kind": True})


@dataclass
class Quantity:
    """A quantity span with its normalised value and what the words around it say
    (``govtag.rules.quantities``, ``govtag.rules.quantity_context``), the role of its section and what it is
    (status, relation, total: ``govtag.rules.quantity_kind``)."""

    label: str
    start: int
    end: int
    text: str
    value: int | float | None = None  # None for a range, a blank or a vague number
    unit: str | None = None
    low: int | float | None = None
    high: int | float | None = None
    approximate: bool = False
    placeholder: bool = False
    qualifier: str | None = _context()
    per: str | None = _context()
    change: str | None = _context()
    section: str | None = None
    status: str | None = _kind()  # actual, target or estimate (``govtag.rules.quantity_kind``)
    relation: str | None = _kind()  # from, part, conversion or class
    total: bool = False  # an exact actual amount that may be summed with others of its unit


SPAN_FIELDS = ("label", "start", "end", "text")
QUANTITY_FIELDS = tuple(f.name for f in fields(Quantity))
META_FIELDS = tuple(name for name in QUANTITY_FIELDS if name not in SPAN_FIELDS)
CONTEXT_FIELDS = tuple(f.name for f in fields(Quantity) if f.metadata.get("context"))
KIND_FIELDS = tuple(f.name for f in fields(Quantity) if f.metadata.get("kind"))
ARROW_TYPES = {"str": "string", "str | None": "string", "int": "int64",
               "int | float | None": "float64", "bool": "bool_"}


def arrow_type(name: str) -> str:
    """The pyarrow type (a ``pyarrow`` function name) of the quantity field ``name``."""
    return ARROW_TYPES[str(next(f.type for f in fields(Quantity) if f.name == name))]


@dataclass
class ReportResult:
    """A report's sections and quantities."""

    doc_id: str
    sections: list[Section]
    quantities: list[Quantity]

    @classmethod
    def of(cls, doc: Document) -> "ReportResult":
        """The result of a tagged document: sections, and quantities described."""
        from govtag.rules.quantity_context import describe_quantities  # the value parser loads its lexicons on use
        from govtag.rules.quantity_kind import classify

        report, sections = Report(doc.text), doc.layer(SECTION)
        described = [{**quantity, "section": section_at(sections, quantity["start"])}
                     for quantity in describe_quantities(report, doc.layer(QUANTITY))]
        quantities = [Quantity(**quantity) for quantity in classify(report, described)]
        return cls(doc.doc_id, [Section(s.label, s.start, s.end, doc.text[s.start:s.end]) for s in sections],
                   quantities)

    def as_dict(self) -> dict:
        """``doc_id``, ``sections`` and ``quantities`` as plain JSON values."""
        return {"doc_id": self.doc_id, "sections": [asdict(s) for s in self.sections],
                "quantities": [asdict(q) for q in self.quantities]}


def section_at(sections: list[Span], offset: int) -> str | None:
    """The role of the section span covering ``offset``, else None."""
    for span in sections:
        if span.start <= offset < span.end:
            return span.label
    return None
