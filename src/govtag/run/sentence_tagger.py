"""The tagger of a model without an encoder: sections from a section model over sentences,
quantities from a quantity model (the rules), behind the same ``tag``/``tag_many`` interface as the
encoder's ``predict.Tagger``."""

from __future__ import annotations

from pathlib import Path

from govtag.models.decoding import section_confidence
from govtag.core.labels import Document
from govtag.models.manifest import read_manifest
from govtag.models.model_files import loading
from govtag.run.predict import RuleTagger, check_text
from govtag.core.report import Report
from govtag.rules.tagger import RuleQuantities, tag_sections
from govtag.models.sentence_head import sentence_probabilities, sentence_sections

KIND = "baseline"


class SentenceTagger(RuleTagger):
    """The rule tagger with its sections decided by a section model over sentences (``heads``:
    the section models whose probabilities are averaged) and its quantities by a quantity model
    (default: the rules)."""

    def __init__(self, heads: list, name: str = KIND, quantities=None):
        self.heads, self.name = heads, name
        self.quantities = quantities or RuleQuantities()

    @classmethod
    def load(cls, model_dir: str | Path) -> "SentenceTagger":
        """The tagger of a checked model directory; ``ModelError`` naming it when a part of it
        cannot be loaded."""
        model_dir = Path(model_dir)
        manifest = read_manifest(model_dir)
        with loading(model_dir, "the section model"):
            sections = manifest.section_model(model_dir)
        with loading(model_dir, "the quantity model"):
            quantities = manifest.quantity_model(model_dir)
        return cls([sections], name=model_dir.name, quantities=quantities)

    def tag(self, text: str, doc_id: str = "") -> Document:
        check_text(text)
        report = Report(text)
        rule_sections = sorted(tag_sections(report))
        sections = sentence_sections(self.heads, report, rule_sections)
        return Document(doc_id, text, sections + sorted(self.quantities.spans(report)))

    def confidence(self, text: str) -> float:
        """Mean over sentences of the section model's top role probability (1.0 = fully sure)."""
        check_text(text)
        report = Report(text)
        _, probabilities = sentence_probabilities(self.heads, report, tag_sections(report))
        return section_confidence(probabilities)


BaselineTagger = SentenceTagger  # its older name
