"""A fine-tuned encoder that reads each sentence and gives the probability of each section role.

Input per sentence: the sentence (normalised view) as the first segment and, as the second, the
rule tagger's roles of the sentence and its neighbours spelt as words (``计划 计划 【问题】 计划 计划``).
With ``rule_dropout`` the second segment of a share of training sentences says ``无`` instead,
so the encoder learns to decide from the words alone and can overrule the rules; with
``rule_roles: false`` it always says ``无`` (the encoder without the rules, an ablation). The encoder is
a Hugging Face sequence classifier trained with the Trainer and class-weighted cross-entropy
(the rare 问题 counts more); it is saved in a ``sentence_encoder/`` folder of a model directory,
as float16 with ``half`` (half the size; computed in float32 after loading, and in memory the
saved weights are the ones used, so a saved model predicts as the fitted one).
"""

from __future__ import annotations

import logging
import tempfile
from dataclasses import asdict, fields
from pathlib import Path

import numpy as np
import torch
from datasets import Dataset
from transformers import (AutoModelForSequenceClassification, AutoTokenizer, DataCollatorWithPadding,
                          Trainer, TrainingArguments)
from transformers.utils import logging as transformers_logging

from govtag.core.components import SectionModel
from govtag.models.hf_arguments import shared_arguments
from govtag.models.settings import EncoderSettings
from govtag.models.sentence_head import CLASSES
from govtag.models.sentences import Sentence

log = logging.getLogger(__name__)
FOLDER = "sentence_encoder"
NO_RULES = "无"


def second_segment(sentence: Sentence, blank: bool = False, context_chars: int = 0) -> str:
    """The rule roles around a sentence as words, the sentence's own in 【】 (``无`` when blank),
    then the last ``context_chars`` characters of the sentence before."""
    middle = len(sentence.rules) // 2
    words = [f"【{role}】" if i == middle else role for i, role in enumerate(sentence.rules)]
    rules = NO_RULES if blank else " ".join(w for w in words if w != "^")
    if context_chars and sentence.previous:
        return f"{rules} | {sentence.previous[-context_chars:]}"
    return rules


class _WeightedTrainer(Trainer):
    """Trainer whose loss is cross-entropy with class weights."""

    def __init__(self, *args, class_weights: torch.Tensor | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.class_weights = class_weights

    def compute_loss(self, model, inputs, return_outputs=False, **kwargs):
        labels = inputs.pop("labels")
        outputs = model(**inputs)
        loss = torch.nn.functional.cross_entropy(outputs.logits, labels, weight=self.class_weights)
        return (loss, outputs) if return_outputs else loss


class SentenceEncoder(SectionModel):
    """A fine-tuned sequence classifier over sentences and their rule roles (``sections: {type:
    sentence_encoder}``, settings from the config's ``sentence_encoder`` block)."""

    def __init__(self, model, tokenizer, settings: EncoderSettings | None = None):
        self.model, self.tokenizer = model, tokenizer
        self.settings = settings or EncoderSettings()
        self.classes = [model.config.id2label[i] for i in range(model.config.num_labels)]

    @classmethod
    def create(cls, config, base: str = "", options: dict | None = None) -> "SentenceEncoder":
        return cls.from_base(base, config.sentence_encoder)

    @classmethod
    def from_base(cls, base_dir: str, settings: EncoderSettings) -> "SentenceEncoder":
        tokenizer = AutoTokenizer.from_pretrained(base_dir)
        model = AutoModelForSequenceClassification.from_pretrained(
            base_dir, dtype=torch.float32, num_labels=len(CLASSES), id2label=dict(enumerate(CLASSES)),
            label2id={c: i for i, c in enumerate(CLASSES)})
        return cls(model, tokenizer, settings)

    def _encode(self, sentences: list[Sentence], blank: np.ndarray | None = None) -> dict:
        if blank is None or not self.settings.rule_roles:
            blank = np.full(len(sentences), not self.settings.rule_roles)
        return self.tokenizer([s.text for s in sentences],
                              [second_segment(s, bool(b), self.settings.context_chars)
                               for s, b in zip(sentences, blank)],
                              truncation="longest_first", max_length=self.settings.max_tokens)

    def fit(self, sentences: list[Sentence], roles: list[str], silver: int = 0,
            work_dir: str | Path | None = None) -> "SentenceEncoder":
        """Fine-tune on sentences and their roles, silver ones left out (checkpoints in ``work_dir``)."""
        if silver:
            sentences, roles = sentences[:-silver], roles[:-silver]
        s = self.settings
        rng = np.random.default_rng(s.seed)
        rows = dict(self._encode(sentences, rng.random(len(sentences)) < s.rule_dropout))
        rows["labels"] = [CLASSES.index(role) for role in roles]
        dataset = Dataset.from_dict(rows)
        args = TrainingArguments(
            output_dir=str(work_dir or tempfile.mkdtemp(prefix="govtag-encoder-")), num_train_epochs=s.epochs, per_device_train_batch_size=s.batch_size,
            learning_rate=s.learning_rate, **shared_arguments(s.seed, 0.1), save_strategy="no",
            logging_steps=50, disable_tqdm=True, **_length_grouping())
        trainer = _WeightedTrainer(model=self.model, args=args, train_dataset=dataset,
                                   data_collator=DataCollatorWithPadding(self.tokenizer),
                                   class_weights=_class_weights(rows["labels"]) if s.balanced else None)
        trainer.train()
        self.model = trainer.model.eval()
        return self

    @torch.inference_mode()
    def probabilities(self, sentences: list[Sentence], batch_size: int = 64) -> np.ndarray:
        """(sentences, classes) probabilities; batches of similar length."""
        if not sentences:
            return np.zeros((0, len(self.classes)), np.float32)
        self.model.eval()
        encoded = self._encode(sentences)
        order = np.argsort([len(ids) for ids in encoded["input_ids"]])
        out = np.zeros((len(sentences), len(self.classes)), np.float32)
        collate = DataCollatorWithPadding(self.tokenizer, return_tensors="pt")
        for first in range(0, len(order), batch_size):
            index = order[first:first + batch_size]
            batch = collate([{k: encoded[k][i] for k in encoded} for i in index])
            batch = {k: v.to(self.model.device) for k, v in batch.items()}
            out[index] = self.model(**batch).logits.float().softmax(-1).cpu().numpy()
        return out

    def save(self, directory: str | Path) -> None:
        target = Path(directory) / FOLDER
        self.model.config.govtag_sentence_encoder = asdict(self.settings)
        if self.settings.half:  # rounded in memory too: what is saved is what predicts
            self.model = self.model.to(torch.float16)
        self.model.save_pretrained(str(target))
        self.model = self.model.to(torch.float32)
        self.tokenizer.save_pretrained(str(target))

    @classmethod
    def load(cls, directory: str | Path) -> "SentenceEncoder":
        source = Path(directory) / FOLDER
        transformers_logging.set_verbosity_error()  # no loading bars or notes on stderr
        transformers_logging.disable_progress_bar()
        model = AutoModelForSequenceClassification.from_pretrained(str(source), dtype=torch.float32).eval()
        tokenizer = AutoTokenizer.from_pretrained(str(source))
        saved = getattr(model.config, "govtag_sentence_encoder", {}) or {}
        known = {f.name for f in fields(EncoderSettings)}
        return cls(model, tokenizer, EncoderSettings(**{k: v for k, v in saved.items() if k in known}))


def _length_grouping() -> dict:
    """Batches of sentences of similar length (less padding): the option as this transformers
    version names it."""
    names = {f.name for f in fields(TrainingArguments)}
    if "train_sampling_strategy" in names:
        return {"train_sampling_strategy": "group_by_length"}
    return {"group_by_length": True} if "group_by_length" in names else {}


def is_saved_in(directory: str | Path) -> bool:
    return (Path(directory) / FOLDER / "config.json").is_file()


def _class_weights(labels: list[int]) -> torch.Tensor:
    counts = np.bincount(labels, minlength=len(CLASSES)).astype(np.float64)
    weights = len(labels) / (len(CLASSES) * np.maximum(counts, 1))
    return torch.tensor(weights, dtype=torch.float32)
