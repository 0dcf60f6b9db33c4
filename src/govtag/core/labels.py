"""Label layers of the annotation spec, their order and colours, spans, documents, and the one
IOB2 scheme (``IOB2``) every char- and token-level tagging uses.

A document is its exact text plus spans ``(start, end, label, layer)`` in code points of that
text, end exclusive. Two layers exist: ``section`` (成绩/问题/计划) and ``quantity``
(MONEY/PERCENT/AREA/COUNT/MEASURE). Spans of one layer never overlap; layers may.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from govtag.core.errors import GovtagError

SECTION = "section"
QUANTITY = "quantity"
LAYERS: dict[str, tuple[str, ...]] = {
    SECTION: ("成绩", "问题", "计划"),
    QUANTITY: ("MONEY", "PERCENT", "AREA", "COUNT", "MEASURE"),
}
OUTSIDE = "O"
ROLES = LAYERS[SECTION]
ROLE_CLASSES = (OUTSIDE, *ROLES)  # what a section model tells apart: no role, then the roles
ROLE_ASCII_NAMES = {"成绩": "results", "问题": "problems", "计划": "plans", OUTSIDE: "O"}
# Label Studio's colour of each label, and the view's (light bands for roles, marks for quantities)
LABEL_COLOURS = {"成绩": "#4caf50", "问题": "#f44336", "计划": "#2196f3", "MONEY": "#ff9800",
                 "PERCENT": "#9c27b0", "AREA": "#795548", "COUNT": "#009688", "MEASURE": "#607d8b"}
VIEW_COLOURS = {"成绩": "#dcefdc", "问题": "#f9dcdc", "计划": "#dbe8f8", "MONEY": "#e08a00",
                "PERCENT": "#8e3fa8", "AREA": "#7a5230", "COUNT": "#00897b", "MEASURE": "#4f6d7a"}


class IOB2Scheme:
    """IOB2 tags: ``B-X`` begins a span of label X, ``I-X`` continues it, ``O`` is outside."""

    outside = OUTSIDE

    def begin(self, label: str) -> str:
        return f"B-{label}"

    def inside(self, label: str) -> str:
        return f"I-{label}"

    def label_of(self, tag: str) -> str | None:
        """X of ``B-X`` or ``I-X``; None for ``O``."""
        return tag[2:] if tag[:2] in ("B-", "I-") else None

    def may_follow(self, previous: str, tag: str) -> bool:
        """Whether ``tag`` may come after ``previous``: ``I-X`` only after ``B-X`` or ``I-X``."""
        return not tag.startswith("I-") or self.label_of(previous) == tag[2:]

    def tags(self, labels) -> list[str]:
        """The tag inventory of ``labels``, ``O`` first."""
        tags = [OUTSIDE]
        for label in labels:
            tags += [self.begin(label), self.inside(label)]
        return tags


IOB2 = IOB2Scheme()


class AnnotationError(GovtagError, ValueError):
    """A span or document breaks the annotation contract."""


def bio_tags(layer: str) -> list[str]:
    """IOB2 tag inventory of a layer, ``O`` first."""
    return IOB2.tags(LAYERS[layer])


@dataclass(frozen=True, order=True)
class Span:
    """A labelled stretch ``[start, end)`` of a text, in code points, on one layer."""

    start: int
    end: int
    label: str
    layer: str

    def text_in(self, text: str) -> str:
        return text[self.start:self.end]


@dataclass
class Document:
    """A text, its spans on both layers, and a model's confidence when one tagged it."""

    doc_id: str
    text: str
    spans: list[Span] = field(default_factory=list)
    score: float | None = None  # a model's confidence in its prediction, when one made it

    def layer(self, layer: str) -> list[Span]:
        return sorted(s for s in self.spans if s.layer == layer)


def check_span(span: Span, text: str) -> None:
    """Raise AnnotationError when a span has an unknown layer/label or bad offsets."""
    if span.layer not in LAYERS:
        raise AnnotationError(f"unknown layer {span.layer!r} (known: {', '.join(LAYERS)})")
    if span.label not in LAYERS[span.layer]:
        known = ", ".join(LAYERS[span.layer])
        raise AnnotationError(f"unknown {span.layer} label {span.label!r} (known: {known})")
    if not 0 <= span.start < span.end <= len(text):
        raise AnnotationError(
            f"offsets ({span.start}, {span.end}) outside the text of length {len(text)}")


def check_document(doc: Document) -> None:
    """Validate every span and that no two spans of one layer overlap."""
    for span in doc.spans:
        check_span(span, doc.text)
    for layer in LAYERS:
        spans = doc.layer(layer)
        for left, right in zip(spans, spans[1:]):
            if right.start < left.end:
                raise AnnotationError(
                    f"overlapping {layer} spans ({left.start}, {left.end}) {left.label} and "
                    f"({right.start}, {right.end}) {right.label}")


def char_roles(spans: list[Span], length: int) -> list[str]:
    """The label of the span covering each of ``length`` characters, ``O`` where none does
    (for the section layer: each character's role)."""
    roles = [OUTSIDE] * length
    for span in spans:
        roles[span.start:span.end] = [span.label] * (span.end - span.start)
    return roles


def spans_to_tags(spans: list[Span], length: int) -> list[str]:
    """Char-level IOB2 tags for the spans of one layer."""
    tags = [OUTSIDE] * length
    for span in spans:
        tags[span.start] = IOB2.begin(span.label)
        for i in range(span.start + 1, span.end):
            tags[i] = IOB2.inside(span.label)
    return tags


def tags_to_spans(tags: list[str], layer: str) -> list[Span]:
    """Spans from char-level IOB2 tags; an ``I-`` that does not continue a span starts one."""
    spans: list[Span] = []
    start, label = None, None
    for i, tag in enumerate(list(tags) + [OUTSIDE]):
        prefix, _, name = tag.partition("-")
        continues = prefix == "I" and name == label and start is not None
        if continues:
            continue
        if start is not None:
            spans.append(Span(start, i, label, layer))
            start, label = None, None
        if prefix in ("B", "I"):
            start, label = i, name
    return spans


def merge_sentence_roles(text: str, roles: list[tuple[int, int, str | None]],
                         bridge_outside: bool = False) -> list[Span]:
    """Section spans: maximal runs of same-role sentences inside one line.

    A sentence with no role (``O`` or None) ends the run it follows; with ``bridge_outside`` (the
    rule tagger's reading) it does not, so the next sentence of the same role and line joins the
    run over it.
    """
    spans: list[Span] = []
    open_run = False
    for start, end, role in roles:
        last = spans[-1] if spans else None
        if role in (None, OUTSIDE):
            open_run = open_run and bridge_outside
        elif open_run and last.label == role and "\n" not in text[last.end:start]:
            spans[-1] = Span(last.start, end, role, SECTION)
        else:
            spans.append(Span(start, end, role, SECTION))
            open_run = True
    return spans
