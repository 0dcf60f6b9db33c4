"""Models without an encoder: a section model over sentences and a quantity model (the rules).

``train_baseline(config)`` fits the config's section model (``sections.type``, e.g. the
scikit-learn ``sentence_head``) on the sentences of ``data.train`` (and of ``data.silver``, whose
roles are the rules' own: the model decides what it takes from them) and saves it, with a
manifest, to ``<output>/model``. ``BaselineTagger`` applies such a directory behind the same
``tag``/``tag_many`` interface as the encoder's ``Tagger``.
"""

from __future__ import annotations

import datetime
import json
import logging
import shutil
from dataclasses import asdict
from pathlib import Path

from .config import Config, resolve_base
from .decoding import section_confidence
from .io import write_text_atomic
from .labels import Document
from .manifest import Manifest, component_entry, read_manifest
from .predict import RuleTagger, check_text
from .report import Report
from .rules import RuleQuantities, tag_sections
from .sentence_head import sentence_probabilities, sentence_sections
from .training_data import fit_section_model, labelled_sentences, load_training_docs

__all__ = ["BaselineTagger", "train_baseline", "labelled_sentences"]
log = logging.getLogger(__name__)
KIND = "baseline"


def train_baseline(config: Config) -> Path:
    """Fit the section model of a validated config; returns its model directory (replaced whole:
    nothing of an earlier model stays beside the new one)."""
    train_docs, silver_docs, _ = load_training_docs(config)
    base = resolve_base(config.base_model) if config.sections["type"] in ("ensemble", "sentence_encoder") else ""
    model_dir = Path(config.output) / "model"
    staging = model_dir.with_name(model_dir.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    sections = fit_section_model(config, base, Path(config.output) / "sentence_encoder_work",
                                 train_docs, silver_docs)
    sections.save(staging)
    Manifest(False, component_entry(config.sections["type"], sections),
             component_entry(config.quantities["type"])).write(staging)
    summary = {"kind": KIND, "config": asdict(config), "train_documents": len(train_docs),
               "silver_documents": len(silver_docs)}
    write_text_atomic(staging / "training.json", json.dumps(summary, ensure_ascii=False, indent=1))
    write_text_atomic(staging / "README.md", _card(config, len(train_docs), len(silver_docs)))
    shutil.rmtree(model_dir, ignore_errors=True)
    staging.rename(model_dir)
    return model_dir


def _card(config: Config, n_docs: int, n_silver: int) -> str:
    return f"""# govtag baseline

Section roles decided per sentence by the section model `{config.sections["type"]}` (for the
sentence head: a scikit-learn logistic regression over character n-grams of the sentence and the
rule tagger's roles of the sentence and its neighbours); quantities from the rule tagger. Load
with `govtag.loading.load(this_dir)`.

- training data: {config.data.train} ({n_docs} documents){f", silver {config.data.silver} ({n_silver})" if n_silver else ""}
- settings: {asdict(config.sentence_head)}
- trained: {datetime.date.today().isoformat()}
"""


class BaselineTagger(RuleTagger):
    """The rule tagger with its sections decided by a section model over sentences (``heads``:
    the section models whose probabilities are averaged) and its quantities by a quantity model
    (default: the rules)."""

    def __init__(self, heads: list, name: str = KIND, quantities=None):
        self.heads, self.name = heads, name
        self.quantities = quantities or RuleQuantities()

    @classmethod
    def load(cls, model_dir: str | Path) -> "BaselineTagger":
        manifest = read_manifest(model_dir)
        return cls([manifest.section_model(model_dir)], name=Path(model_dir).name,
                   quantities=manifest.quantity_model(model_dir))

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
