"""The scikit-learn baseline: a sentence head for section roles and the rule tagger for quantities.

``train_baseline(config)`` fits a ``SentenceHead`` on the gold sentences of ``data.train`` (and
on ``data.silver`` with their rule features blanked: silver roles are the rules' own, so only the
words may learn from them) and saves it to ``<output>/model``; ``BaselineTagger`` applies it
behind the same ``tag``/``tag_many`` interface as the model's ``Tagger``. A model directory is a
baseline when it holds a sentence head and no encoder (``config.json``).
"""

from __future__ import annotations

import datetime
import json
import logging
from dataclasses import asdict
from pathlib import Path

from .config import Config
from .io import write_text_atomic
from .labels import QUANTITY, SECTION, Document
from .predict import RuleTagger, check_text
from .report import Report
from .sentence_head import SentenceHead, sentence_sections
from .sentences import Sentence, gold_roles, report_sentences

log = logging.getLogger(__name__)
KIND = "baseline"


def labelled_sentences(docs: list[Document]) -> tuple[list[Sentence], list[str]]:
    """Every sentence of ``docs`` with its annotated role."""
    sentences, roles = [], []
    for doc in docs:
        rows = report_sentences(doc.text)
        sentences += rows
        roles += gold_roles(doc, rows)
    return sentences, roles


def fit_head(config: Config, train_docs: list[Document], silver_docs: list[Document]) -> SentenceHead:
    """A sentence head fitted on gold sentences and silver sentences (rule features blanked)."""
    sentences, roles = labelled_sentences(train_docs)
    gold_count = len(sentences)
    silver_sentences, silver_roles = labelled_sentences(silver_docs)
    log.info("sentence head: %d gold and %d silver sentences", gold_count, len(silver_sentences))
    head = SentenceHead(config.sentence_head)
    return head.fit(sentences + silver_sentences, roles + silver_roles,
                    always_blank=len(silver_sentences))


def train_baseline(config: Config) -> Path:
    """Fit the baseline from a validated config (with ``section_head: ensemble``, also the
    fine-tuned sentence encoder); returns its model directory."""
    from .config import resolve_base
    from .train import load_training_docs, sentence_classifiers

    train_docs, silver_docs, _ = load_training_docs(config)
    base = resolve_base(config.base_model) if config.section_head == "ensemble" else ""
    model_dir = Path(config.output) / "model"
    for head in sentence_classifiers(config, base, Path(config.output), train_docs, silver_docs):
        head.save(model_dir)
    summary = {"kind": KIND, "config": asdict(config), "train_documents": len(train_docs),
               "silver_documents": len(silver_docs)}
    write_text_atomic(model_dir / "training.json", json.dumps(summary, ensure_ascii=False, indent=1))
    write_text_atomic(model_dir / "README.md", _card(config, len(train_docs), len(silver_docs)))
    return model_dir


def _card(config: Config, n_docs: int, n_silver: int) -> str:
    return f"""# govtag baseline

Section roles decided per sentence by a scikit-learn logistic regression (character n-grams of
the sentence, the rule tagger's roles of the sentence and its neighbours); quantities from the
rule tagger. Load with `govtag.predict.load_predictor(this_dir)`.

- training data: {config.data.train} ({n_docs} documents){f", silver {config.data.silver} ({n_silver})" if n_silver else ""}
- settings: {asdict(config.sentence_head)}
- pretrained bases (a model built on a base keeps its licence terms): {_bases(config)}
- trained: {datetime.date.today().isoformat()}
"""


def _bases(config: Config) -> str:
    """The pretrained encoders the baseline uses, each with its licence; "none" when none."""
    from .train import BASE_LICENCES

    names = [config.base_model] if config.section_head == "ensemble" else []
    names += [config.sentence_head.vectors] if config.sentence_head.vectors else []
    return "; ".join(f"{n}: {BASE_LICENCES.get(n, 'check its licence')}" for n in dict.fromkeys(names)) or "none"


class BaselineTagger(RuleTagger):
    """The rule tagger with its sections decided by sentence classifiers (a sentence head, and
    a fine-tuned sentence encoder in an ensemble); quantities stay the rule tagger's."""

    def __init__(self, heads: list, name: str = KIND):
        self.heads, self.name = heads, name

    @classmethod
    def load(cls, model_dir: str | Path) -> "BaselineTagger":
        from .predict import load_sentence_classifiers

        return cls(load_sentence_classifiers(Path(model_dir)), name=Path(model_dir).name)

    def tag(self, text: str, doc_id: str = "") -> Document:
        from .rules import tag_document

        check_text(text)
        report = Report(text)
        rules = tag_document(report, doc_id)
        sections = sentence_sections(self.heads, report, rules.layer(SECTION))
        return Document(doc_id, text, sections + rules.layer(QUANTITY))
