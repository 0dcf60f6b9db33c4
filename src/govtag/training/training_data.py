"""What every training run reads: the gold, silver and dev documents of a config, and the labelled
sentences a section model is fitted on (``fit_section_model``: any registered type), and the
quantity model of a config fitted on the gold documents (``fit_quantity_model``)."""

from __future__ import annotations

import logging
from pathlib import Path

from govtag.core.components import QUANTITY_MODELS, SECTION_MODELS, QuantityModel, SectionModel
from govtag.training.config import Config, ConfigError
from govtag.core.labels import Document
from govtag.core.labelstudio import ExportError, read_export
from govtag.models.sentences import Sentence, gold_roles, report_sentences

log = logging.getLogger(__name__)


def load_training_docs(config: Config) -> tuple[list[Document], list[Document], list[Document]]:
    """Gold training, silver and dev documents; refuse dev documents seen in training."""
    gold = _read_data(config, "train")
    silver = _read_data(config, "silver") if config.data.silver else []
    dev = _read_data(config, "dev")
    train_texts = {doc.text for doc in gold + silver}
    leaked = [doc.doc_id for doc in dev if doc.text in train_texts]
    if leaked:
        raise ConfigError(f"dev documents also in the training data: {', '.join(leaked)}")
    return gold, silver, dev


def _read_data(config: Config, key: str) -> list[Document]:
    """The documents of ``data.<key>``; an unusable export is a ConfigError naming the key."""
    path = getattr(config.data, key)
    try:
        return read_export(path)
    except ExportError as err:
        raise ConfigError(f"'data.{key}': {err}") from err


def labelled_sentences(docs: list[Document]) -> tuple[list[Sentence], list[str]]:
    """Every sentence of ``docs`` with its annotated role."""
    sentences, roles = [], []
    for doc in docs:
        rows = report_sentences(doc.text)
        sentences += rows
        roles += gold_roles(doc, rows)
    return sentences, roles


def fit_section_model(config: Config, base: str, work_dir: Path, gold: list[Document],
                      silver: list[Document]) -> SectionModel:
    """The config's section model (``sections.type``) fitted on the gold sentences, then the
    silver ones (the model decides what it takes from silver roles)."""
    options = {key: value for key, value in config.sections.items() if key != "type"}
    model = SECTION_MODELS.get(config.sections["type"]).create(config, base, options)
    sentences, roles = labelled_sentences(gold)
    silver_sentences, silver_roles = labelled_sentences(silver)
    log.info("%s: %d gold and %d silver sentences", config.sections["type"], len(sentences),
             len(silver_sentences))
    return model.fit(sentences + silver_sentences, roles + silver_roles, silver=len(silver_sentences),
                     work_dir=work_dir)


def fit_quantity_model(config: Config, gold: list[Document]) -> QuantityModel | None:
    """The config's quantity model (``quantities.type``) fitted on the gold documents; ``None``
    when the encoder's token head tags quantities."""
    cls = QUANTITY_MODELS.get(config.quantities["type"])
    if cls is None:
        return None
    options = {key: value for key, value in config.quantities.items() if key != "type"}
    return cls.create(config, options).fit(gold)
