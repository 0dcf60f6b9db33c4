"""Training with the Hugging Face Trainer: windows from Label Studio exports, both heads jointly.

Each epoch is evaluated on dev windows with seqeval (quantities, strict IOB2) and a token-level
macro F1 of section roles; the best checkpoint by their mean is kept and saved, with its
tokenizer and a model card, to ``<output>/model``. ``resume=True`` continues from the last
checkpoint in ``<output>/checkpoints``. A run directory that already holds a model or checkpoints
is refused unless ``resume`` or ``overwrite`` (which starts afresh, removing the old checkpoints).
Dev documents must not appear in the training data.
"""

from __future__ import annotations

import json
import datetime
import os
import dataclasses
import logging
import shutil
from itertools import groupby
from dataclasses import asdict
from pathlib import Path

import numpy as np
import torch
from datasets import Dataset
from seqeval.metrics import f1_score
from seqeval.scheme import IOB2
from sklearn.metrics import f1_score as sk_f1
from transformers import AutoTokenizer, Trainer, TrainingArguments, set_seed
from transformers.trainer_utils import get_last_checkpoint
from transformers.utils import logging as transformers_logging

from govtag.training.baseline import train_baseline
from govtag.models.bases import licence_of
from govtag.models.hf_arguments import shared_arguments, warmup_arguments  # noqa: F401  (also used from here)
from govtag.training.config import Config, ConfigError, needs_encoder, resolve_base
from govtag.core.errors import OutputError
from govtag.models.encoding import IGNORE, QUANTITY_TAGS, SECTION_TAGS, WindowSettings, window_examples
from govtag.core.labels import QUANTITY, SECTION, Document
from govtag.core.io import give_umask_modes, write_text_atomic
from govtag.models.manifest import Manifest, component_entry
from govtag.models.model import from_base
from govtag.training.training_data import fit_quantity_model, fit_section_model, load_training_docs

log = logging.getLogger(__name__)
transformers_logging.set_verbosity_error()


def check_run_dir(output: Path, resume: bool = False, overwrite: bool = False) -> None:
    """``OutputError`` when ``output`` already holds a model or checkpoints and neither
    ``resume`` nor ``overwrite`` is given."""
    used = [part for part in (output / "model", output / "checkpoints")
            if part.is_dir() and any(part.iterdir())]
    if used and not (resume or overwrite):
        raise OutputError(f"{output}: run directory already holds {' and '.join(map(str, used))}; "
                          "give --overwrite to replace them or --resume to continue training")


def build_dataset(tokenizer, docs: list[Document], settings: WindowSettings, layers: list[str]) -> Dataset:
    rows = [row for doc in docs for row in window_examples(tokenizer, doc, settings)]
    for row in rows:
        for layer in (SECTION, QUANTITY):
            if layer not in layers:
                row[f"{layer}_labels"] = [IGNORE] * len(row["input_ids"])
    return Dataset.from_list(rows)


def collate(features: list[dict]) -> dict:
    width = max(len(f["input_ids"]) for f in features)

    def padded(key, fill):
        return torch.tensor([list(f[key]) + [fill] * (width - len(f[key])) for f in features])

    batch = {
        "input_ids": padded("input_ids", 0),
        "token_type_ids": padded("token_type_ids", 0),
        "attention_mask": torch.tensor([[1] * len(f["input_ids"]) + [0] * (width - len(f["input_ids"]))
                                        for f in features]),
        "section_labels": padded("section_labels", IGNORE),
        "quantity_labels": padded("quantity_labels", IGNORE),
    }
    if "rule_section_ids" in features[0]:
        batch["rule_section_ids"] = padded("rule_section_ids", 0)
        batch["rule_quantity_ids"] = padded("rule_quantity_ids", 0)
    return batch


def compute_metrics(eval_pred) -> dict:
    """Window-level dev metrics: quantity strict F1 (seqeval), section token macro F1, their mean."""
    section_logits, quantity_logits = eval_pred.predictions
    section_gold, quantity_gold = eval_pred.label_ids
    quantity_f1 = _quantity_f1(quantity_logits.argmax(-1), quantity_gold)
    keep = section_gold != IGNORE
    section_f1 = sk_f1(section_gold[keep], section_logits.argmax(-1)[keep], labels=[1, 2, 3],
                       average="macro", zero_division=0)
    return {"quantity_f1": quantity_f1, "section_macro_f1": float(section_f1),
            "score": (quantity_f1 + float(section_f1)) / 2}


def _quantity_f1(predicted: np.ndarray, gold: np.ndarray) -> float:
    true_rows, pred_rows = [], []
    for pred_row, gold_row in zip(predicted, gold):
        keep = gold_row != IGNORE
        true_rows.append([QUANTITY_TAGS[i] for i in gold_row[keep]])
        pred_rows.append([QUANTITY_TAGS[i] for i in pred_row[keep]])
    return float(f1_score(true_rows, pred_rows, mode="strict", scheme=IOB2, zero_division=0))


def with_rule_noise(dataset: Dataset, rate: float, seed: int) -> Dataset:
    """Replace each run of one rule section role by another role with probability ``rate``.

    The rule tagger is nearly always right on the reports it was written from, so a model trained
    on them learns to copy it. Fresh noise at each access teaches the section head to weigh the
    text and heading context against the rule tag, as on reports the rules have never seen.
    """
    if not rate:
        return dataset
    rng = np.random.default_rng(seed)

    def transform(batch: dict) -> dict:
        batch["rule_section_ids"] = [noisy_runs(ids, rate, rng) for ids in batch["rule_section_ids"]]
        return batch

    dataset.set_transform(transform)
    return dataset


def noisy_runs(ids: list[int], rate: float, rng: np.random.Generator) -> list[int]:
    """``ids`` with each maximal run of one value replaced, with probability ``rate``, by another."""
    noisy = []
    for value, run in groupby(ids):
        if rng.random() < rate:
            value = int(rng.choice([i for i in range(len(SECTION_TAGS)) if i != value]))
        noisy += [value] * len(list(run))
    return noisy


def training_arguments(config: Config, checkpoints: Path) -> TrainingArguments:
    t = config.training
    return TrainingArguments(
        output_dir=str(checkpoints), num_train_epochs=t.epochs, max_steps=t.max_steps,
        per_device_train_batch_size=t.batch_size, per_device_eval_batch_size=t.batch_size * 2,
        learning_rate=t.learning_rate, **shared_arguments(t.seed, t.warmup_ratio, t.weight_decay),
        eval_strategy="epoch", save_strategy="epoch",
        save_total_limit=2, load_best_model_at_end=True, metric_for_best_model="score",
        greater_is_better=True, label_names=["section_labels", "quantity_labels"],
        logging_steps=20, remove_unused_columns=False, disable_tqdm=False,
    )


def train(config: Config, resume: bool = False, overwrite: bool = False) -> Path:
    """Train from a validated config; returns the directory of the saved best model.

    A run directory in use is refused unless ``resume`` or ``overwrite`` (see ``check_run_dir``).
    A config with no component on the encoder's token heads fits its section model alone
    (``govtag.training.baseline``).
    """
    output = Path(config.output)
    check_run_dir(output, resume, overwrite)
    if not needs_encoder(config):
        if resume:
            raise ConfigError("--resume: a model without an encoder is fitted in one go and has no "
                              "checkpoints to continue from; give --overwrite to fit it again")
        return train_baseline(config)
    gold, silver, dev_docs = load_training_docs(config)
    train_docs = gold + silver
    if overwrite:
        shutil.rmtree(output / "checkpoints", ignore_errors=True)
    set_seed(config.training.seed)
    base = resolve_base(config.base_model)
    tokenizer = AutoTokenizer.from_pretrained(base)
    tokenizer.model_max_length = 10**9  # documents are windowed by govtag, never truncated
    settings = dataclasses.replace(config.windows, rule_features=config.rule_features)
    train_set = with_rule_noise(build_dataset(tokenizer, train_docs, settings, config.layers),
                                config.training.rule_noise, config.training.seed)
    dev_set = build_dataset(tokenizer, dev_docs, settings, config.layers)
    log.info("%d training windows from %d documents, %d dev windows", len(train_set),
             len(train_docs), len(dev_set))
    model = from_base(base, base_name=config.base_model, windows=settings, rule_layers=config.rule_layers)
    checkpoints = output / "checkpoints"
    trainer = Trainer(model=model, args=training_arguments(config, checkpoints), data_collator=collate,
                      train_dataset=train_set, eval_dataset=dev_set, compute_metrics=compute_metrics)
    log.info("training on world size %d (%s)", trainer.args.world_size, trainer.args.parallel_mode)
    last = get_last_checkpoint(str(checkpoints)) if resume and checkpoints.is_dir() else None
    trainer.train(resume_from_checkpoint=last)
    if not trainer.is_world_process_zero():  # several processes (torchrun): the first one saves
        return output / "model"
    sections = None
    if config.sections["type"] != "token":
        sections = fit_section_model(config, base, output / "sentence_encoder_work", gold, silver)
    quantities = fit_quantity_model(config, gold)
    return save_model(trainer, tokenizer, config, output / "model", len(train_docs), sections, quantities)


def is_main_process() -> bool:
    """False in every process but the first of a distributed run (``torchrun``, ``accelerate``)."""
    return int(os.environ.get("RANK", "0")) == 0


def save_model(trainer: Trainer, tokenizer, config: Config, model_dir: Path, n_docs: int,
               sections=None, quantities=None) -> Path:
    staging = model_dir.with_name(model_dir.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    trainer.model.config.name_or_path = model_dir.name
    trainer.save_model(str(staging))
    tokenizer.save_pretrained(str(staging))
    for component in (sections, quantities):  # the section and quantity models beside the token model
        if component is not None:
            component.save(staging)
    Manifest(True, component_entry(config.sections["type"], sections),
             component_entry(config.quantities["type"], quantities)).write(staging)
    summary = {"config": asdict(config), "train_documents": n_docs,
               "best_dev_window_metric": trainer.state.best_metric,
               "log_history": trainer.state.log_history}
    (staging / "training.json").write_text(json.dumps(summary, ensure_ascii=False, indent=1),
                                           encoding="utf-8")
    write_text_atomic(staging / "README.md", model_card(config, n_docs, trainer.state.best_metric))
    for leftover in staging.glob("training_args.bin"):
        leftover.unlink()
    give_umask_modes(staging)
    shutil.rmtree(model_dir, ignore_errors=True)
    staging.rename(model_dir)
    return model_dir


def model_card(config: Config, n_docs: int, best_window_score: float | None) -> str:
    """A model card: base and its licence, training data, settings, date, dev window score."""
    base = licence_of(config.base_model)
    return f"""# govtag tagger

Two token-classification heads (section roles 成绩/问题/计划, quantities MONEY/PERCENT/AREA/COUNT/MEASURE)
on one encoder. Load with `govtag.run.predict.Tagger.load(this_dir)` or `GovtagModel.from_pretrained`.

- base encoder: {base}. A fine-tuned model keeps the base's licence terms.
- training data: {config.data.train} ({n_docs} documents){f" + silver {config.data.silver}" if config.data.silver else ""}
- dev data (model selection): {config.data.dev}
- rule features: {config.rule_features} (heads: {", ".join(config.rule_layers)}); heading context: {config.windows.heading_context};
  windows {config.windows.length} tokens, stride {config.windows.stride}
- epochs {config.training.epochs}, learning rate {config.training.learning_rate}, seed {config.training.seed}, rule noise {config.training.rule_noise}
- best dev window score (mean of quantity strict F1 and section token macro F1): {best_window_score}
- section roles decided by: {SECTION_MODEL_NAMES.get(config.sections["type"], config.sections["type"])}
- quantities decided by: {quantity_source(config)}
- trained: {datetime.date.today().isoformat()}
"""


def quantity_source(config: Config) -> str:
    """Where the model's quantities come from, in words, for its card."""
    kind = config.quantities["type"]
    if kind != "candidates":
        return "the quantity token head" if kind == "token" else f"the {kind} quantity model"
    rules = config.quantities.get("rule_labels") or []
    return ("the learned quantity layer (`quantity_layer.*`: candidates verified by a logistic regression)"
            + (f"; {', '.join(rules)} from the rule tagger" if rules else ""))


SECTION_MODEL_NAMES = {
    "token": "the token head (the most probability mass over a sentence's tokens)",
    "sentence_head": "the sentence head (`sentence_head.*`: scikit-learn logistic regression over the "
                "sentence's character n-grams and the rule roles around it)",
    "sentence_encoder": "the fine-tuned sentence encoder (`sentence_encoder/`)",
    "ensemble": "the mean of the sentence head (`sentence_head.*`) and the fine-tuned sentence "
                "encoder (`sentence_encoder/`) probabilities",
}
