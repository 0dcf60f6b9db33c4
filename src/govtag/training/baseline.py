"""Training models without an encoder: a section model over sentences, quantities from the rules.

``train_baseline(config)`` fits the config's section model (``sections.type``, e.g. the
scikit-learn ``sentence_head``) on the sentences of ``data.train`` (and of ``data.silver``, whose
roles are the rules' own: the model decides what it takes from them) and saves it, with a
manifest, to ``<output>/model``; ``sentence_tagger.SentenceTagger`` applies it.
"""

from __future__ import annotations

import datetime
import json
import logging
import shutil
from dataclasses import asdict
from pathlib import Path

from govtag.models.bases import licence_of
from govtag.training.config import Config, resolve_base
from govtag.core.io import write_text_atomic
from govtag.models.manifest import Manifest, component_entry
from govtag.training.training_data import fit_section_model, labelled_sentences, load_training_docs

__all__ = ["train_baseline", "labelled_sentences"]
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


SECTION_MODELS_SAID = {  # what a model card says decides the section roles, by section type
    "sentence_head": "the scikit-learn sentence head: a logistic regression over the sentence's "
                     "character n-grams and the rule tagger's roles of the sentence and its neighbours",
    "sentence_encoder": "the base below fine-tuned to classify each sentence, read with the rule "
                        "roles around it spelt as words",
    "ensemble": "the mean of the scikit-learn sentence head's probabilities (the sentence's character "
                "n-grams, the rule roles around it) and those of the base below fine-tuned to classify "
                "each sentence with the rule roles around it spelt as words",
}


def _card(config: Config, n_docs: int, n_silver: int) -> str:
    kind = config.sections["type"]
    said = SECTION_MODELS_SAID.get(kind, f"the section model `{kind}`")
    encoder = kind in ("ensemble", "sentence_encoder")
    return f"""# govtag model

Section roles decided per sentence by {said}; quantities from the rule tagger. Load with
`govtag.run.loading.load(this_dir)`, or name this directory in `govtag predict --model`.

- training data: {config.data.train} ({n_docs} documents){f", silver {config.data.silver} ({n_silver})" if n_silver else ""}
- sections: {config.sections}
- sentence head settings: {asdict(config.sentence_head)}
{f"- sentence encoder settings: {asdict(config.sentence_encoder)}{chr(10)}" if encoder else ""}- pretrained bases (a model built on a base keeps its licence terms): {_bases(config)}
- trained: {datetime.date.today().isoformat()}
"""


def _bases(config: Config) -> str:
    """The pretrained encoders the model uses, each with its licence; "none" when none."""
    names = [config.base_model] if config.sections["type"] in ("ensemble", "sentence_encoder") else []
    names += [config.sentence_head.vectors] if config.sentence_head.vectors else []
    return "; ".join(f"{n}: {licence_of(n)}" for n in dict.fromkeys(names)) or "none"
