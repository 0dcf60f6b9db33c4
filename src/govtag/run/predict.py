"""Apply a trained tagger to reports: batched windows, merged per character, one role per sentence.

``Tagger.load(model_dir)`` loads a model directory once (``None``: the default model shipped in
``models/default``), ``Tagger.from_run`` the ``ModelRun`` a caller decided (``govtag.run.model_run``,
which finds and checks model directories; its helpers are importable from here); ``tag`` and
``tag_many`` return documents whose spans index the caller's original text; ``analyse`` adds each
quantity's normalised value, qualifier, rate base, change, the section it sits in, its status,
relation and whether it is a total.
Each report is prepared once (``govtag.core.report.Report``: normalised, split into sentences) for
the rule tagger, the tokeniser and the decoders, and tokenised once; each report's windows are
batched by length among themselves (never with another report's: one report, one answer) and run
under ``torch.inference_mode``; overlapping windows are merged by averaging the
probabilities of the tokens they share. Decoding the probabilities into spans lives in
``govtag.models.decoding``, worker processes (``ParallelTagger``) in ``govtag.run.parallel``, and ``analyse``
in ``govtag.outputs.formats``; all three are importable from here as before.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm
from transformers import AutoTokenizer
from transformers.utils import logging as transformers_logging

from govtag.models.decoding import (TokenProbs, confidence_of, decode_iob2, decoded_quantities, section_confidence,
                       sentence_role_probabilities, voted_sections)
from govtag.models.encoding import make_windows, tokenise
from govtag.run import runtime
from govtag.core.errors import InputError, NotTextError, UsageError
from govtag.outputs.formats import analyse
from govtag.core.labels import QUANTITY, SECTION, Document, Span
from govtag.models.model import GovtagModel, window_settings
from govtag.models.model_files import loading
from govtag.core.report import Report
from govtag.rules.tagger import tag_document
from govtag.run.runtime import RunSettings
from govtag.models.manifest import read_manifest
from govtag.models.sentence_head import sentence_probabilities, sentence_sections
from govtag.run.model_run import (MODEL_ENV, OLDER_MODEL_ENV, ModelRun, default_model_dir, is_baseline,
                                  model_dir_of, model_settings)

__all__ = ["Tagger", "RuleTagger", "analyse", "decode_iob2", "default_model_dir", "model_dir_of", "model_settings", "TokenProbs",
           "is_baseline", "MODEL_ENV", "OLDER_MODEL_ENV"]


def checked_inputs(texts: list[str], doc_ids: list[str] | None) -> tuple[list[str], list[str]]:
    """``texts`` and ``doc_ids`` (default: empty ids) as lists of equal length, texts all str."""
    if isinstance(texts, (str, bytes)):
        raise NotTextError("tag_many expects a list of texts, got a single "
                           f"{type(texts).__name__}; use tag() for one text")
    texts = list(texts)
    for text in texts:
        check_text(text)
    if doc_ids is None:
        return texts, [""] * len(texts)
    doc_ids = list(doc_ids)
    if len(doc_ids) != len(texts):
        raise InputError(f"{len(texts)} text(s) but {len(doc_ids)} doc_id(s): give one doc_id "
                         "per text, or none")
    return texts, doc_ids


def check_text(text) -> None:
    if not isinstance(text, str):
        raise NotTextError(f"expected str, got {type(text).__name__} (read files with "
                           "govtag.core.text.read_report, decode bytes with govtag.core.text.decode_report)")


class Tagger:
    """A loaded model that tags reports; ``progress``: a bar of windows done on stderr."""
    def __init__(self, model: GovtagModel, tokenizer, batch_size: int = 16, name: str = "",
                 progress: bool = False, device: str | torch.device = "cpu"):
        if batch_size < 1:
            raise UsageError(f"batch size must be at least 1, got {batch_size}")
        self.device = torch.device(device)
        self.model = model.eval().to(self.device)
        self.tokenizer = tokenizer
        self.batch_size = batch_size
        self.progress = progress
        self.name = name or getattr(model.config, "name_or_path", "") or "govtag"
        config = model.config
        self.settings = window_settings(config)
        self.section_labels = list(config.section_labels)
        self.sentence_heads: list = []  # the section model deciding section roles, when saved
        self.quantity_model = None  # the quantity model, when not the token head
        self.quantity_labels = list(config.quantity_labels)
        self.run_settings: RunSettings | None = None  # what ``load`` decided

    @classmethod
    def load(cls, model_dir: str | Path | None = None, batch_size: int | None = None,
             quantize: bool | None = None, stride: int | str | None = None,
             device: str | None = None) -> "Tagger":
        """Load a model directory (``None``: the shipped default) with the fast defaults.

        ``quantize``: int8 dynamic quantisation of the linear layers (default: on, on the CPU);
        ``stride``: tokens shared by consecutive windows (default 16, at most the model's training
        value; ``"model"``: the training value); ``device``: ``auto`` (default: CUDA when
        available), ``cpu`` or ``cuda``. ``govtag.run.runtime`` decides and documents the defaults.
        """
        return cls.from_run(ModelRun.of(model_dir, device, quantize, stride, 1, batch_size))

    @classmethod
    def from_run(cls, run: ModelRun) -> "Tagger":
        """Load the model of ``run`` (a ``ModelRun`` of a model with an encoder) with the run
        settings decided there, in this process."""
        settings = run.encoder_settings()
        model_dir = run.model_dir
        transformers_logging.set_verbosity_error()
        transformers_logging.disable_progress_bar()
        model, tokenizer = _load_model(model_dir)
        if settings.quantize:
            model = runtime.quantized(model)
        tagger = cls(model, tokenizer, settings.batch_size, name=model_dir.name, device=settings.device)
        manifest = read_manifest(model_dir)
        with loading(model_dir, "the section model"):
            sections = manifest.section_model(model_dir)
        tagger.sentence_heads = [sections] if sections is not None else []
        with loading(model_dir, "the quantity model"):
            tagger.quantity_model = manifest.quantity_model(model_dir)
        tagger.settings.stride = settings.stride
        tagger.run_settings = settings
        return tagger

    @property
    def quantity_layer(self):
        """The quantity model when it is not the token head (its former name)."""
        return self.quantity_model

    def describe(self) -> str:
        """The settings it runs with, in one line."""
        if self.run_settings:
            return self.run_settings.describe()
        return f"device {self.device}, stride {self.settings.stride}, batch {self.batch_size}"

    def token_probs(self, texts: list[str | Report],
                    rule_docs: list[Document] | None = None) -> list[TokenProbs]:
        """Averaged token probabilities of every text (or ``Report``), each report's windows in
        batches of their own (``report_batches``; ``rule_docs``: the rule tagger's documents of
        the texts, when already at hand)."""
        rule_docs = rule_docs or [None] * len(texts)
        docs = [tokenise(self.tokenizer, text, self.settings.rule_features, rule_doc)
                for text, rule_doc in zip(texts, rule_docs)]
        batches = [batch for d, doc in enumerate(docs)
                   for batch in report_batches(d, make_windows(self.tokenizer, doc, self.settings),
                                               self.batch_size)]
        sums = [(np.zeros((len(doc.input_ids), len(self.section_labels)), np.float32),
                 np.zeros((len(doc.input_ids), len(self.quantity_labels)), np.float32),
                 np.zeros(len(doc.input_ids), np.float32)) for doc in docs]
        total = sum(map(len, batches))
        with tqdm(total=total, unit="window", desc="windows", file=sys.stderr, leave=False,
                  mininterval=0, miniters=1, disable=not self.progress or total <= self.batch_size) as bar:
            for batch in batches:
                self._run_batch(batch, docs, sums)
                bar.update(len(batch))
        return [TokenProbs(doc.offsets, s / np.maximum(n, 1)[:, None], q / np.maximum(n, 1)[:, None])
                for doc, (s, q, n) in zip(docs, sums)]

    @torch.inference_mode()
    def _run_batch(self, batch, docs, sums) -> None:
        width = max(len(w.input_ids) for _, w in batch)

        def padded(rows, fill):
            return torch.tensor([row + [fill] * (width - len(row)) for row in rows])

        inputs = {
            "input_ids": padded([w.input_ids for _, w in batch], self.tokenizer.pad_token_id or 0),
            "token_type_ids": padded([w.token_type_ids for _, w in batch], 0),
            "attention_mask": padded([[1] * len(w.input_ids) for _, w in batch], 0),
        }
        if self.device.type != "cpu":
            inputs = {key: value.to(self.device, non_blocking=True) for key, value in inputs.items()}
        if self.settings.rule_features:
            rule_ids = [w.rule_ids(docs[d]) for d, w in batch]
            inputs["rule_section_ids"] = padded([r[0] for r in rule_ids], 0)
            inputs["rule_quantity_ids"] = padded([r[1] for r in rule_ids], 0)
        with torch.autocast(self.device.type, dtype=runtime.autocast_dtype(),
                            enabled=self.device.type == "cuda"):
            output = self.model(**inputs)
        section = output.section_logits.float().softmax(-1).cpu().numpy()
        quantity = output.quantity_logits.float().softmax(-1).cpu().numpy()
        for row, (d, window) in enumerate(batch):
            index = np.asarray(window.token_index)
            keep = index >= 0
            sums[d][0][index[keep]] += section[row, : len(index)][keep]
            sums[d][1][index[keep]] += quantity[row, : len(index)][keep]
            sums[d][2][index[keep]] += 1

    def tag(self, text: str, doc_id: str = "") -> Document:
        check_text(text)
        return self.tag_many([text], [doc_id])[0]

    def tag_many(self, texts: list[str], doc_ids: list[str] | None = None) -> list[Document]:
        """One document per text, in order; ``doc_ids`` (one per text) name them."""
        texts, doc_ids = checked_inputs(texts, doc_ids)
        reports = [Report(text) for text in texts]
        rule_docs = self._rule_docs(reports)
        probs = self.token_probs(reports, rule_docs)
        return [Document(doc_id, report.text, self._sections(report, p, rule_doc) + self._quantities(report, p, rule_doc),
                         score=confidence_of(p))
                for report, doc_id, p, rule_doc in zip(reports, doc_ids, probs, rule_docs or [None] * len(reports))]

    def _rule_docs(self, reports: list[Report]) -> list[Document] | None:
        """The rule tagger's documents, once per report, when rule features or a sentence head
        need them."""
        if not (self.settings.rule_features or self.sentence_heads or self.quantity_model):
            return None
        return [tag_document(report) for report in reports]

    def confidence(self, text: str) -> float:
        """Mean over sentences of the most probable section role's probability, from what decides
        the sections: the sentence classifiers when saved, else the token head (1.0 = fully sure)."""
        check_text(text)
        report = Report(text)
        if self.sentence_heads:
            rule_doc = self._rule_docs([report])[0]
            _, probabilities = sentence_probabilities(self.sentence_heads, report, rule_doc.layer(SECTION))
        else:
            probabilities = sentence_role_probabilities(report, self.token_probs([report])[0])
        return section_confidence(probabilities)

    def close(self) -> None:
        """Nothing to release (the same interface as ``ParallelTagger``)."""
    def __enter__(self) -> "Tagger":
        return self

    def __exit__(self, *_) -> None:
        self.close()

    def _sections(self, report: Report, probs: TokenProbs, rule_doc: Document | None = None) -> list[Span]:
        if self.sentence_heads:
            return sentence_sections(self.sentence_heads, report,
                                     rule_doc.layer(SECTION) if rule_doc is not None else None)
        return voted_sections(report, probs, self.section_labels)

    def _quantities(self, report: Report, probs: TokenProbs, rule_doc: Document | None = None) -> list[Span]:
        if self.quantity_model is not None:  # a quantity model replaces the token head
            return self.quantity_model.spans(report, rule_doc.layer(QUANTITY) if rule_doc else None)
        return decoded_quantities(report.text, probs, self.quantity_labels)


def report_batches(doc: int, windows: list, size: int) -> list[list]:
    """The ``(doc, window)`` batches of one report: its windows by length, ``size`` at a time.

    Batches never mix reports: int8 dynamic quantisation scales activations over the whole
    batch, so a batch mate would change a report's probabilities. A report's result depends on
    the report and the batch size alone, not on the reports tagged with it, ``--jobs`` or engine.
    """
    ordered = sorted(windows, key=lambda window: len(window.input_ids))
    return [[(doc, window) for window in ordered[first:first + size]]
            for first in range(0, len(ordered), size)]


class RuleTagger:
    """The rule tagger behind the same interface as ``Tagger``."""
    name = "govtag-rules"

    def tag(self, text: str, doc_id: str = "") -> Document:
        check_text(text)
        return tag_document(text, doc_id)

    def tag_many(self, texts: list[str], doc_ids: list[str] | None = None) -> list[Document]:
        texts, doc_ids = checked_inputs(texts, doc_ids)
        return [self.tag(text, doc_id) for text, doc_id in zip(texts, doc_ids)]

    def close(self) -> None:
        """Nothing to release."""
    def describe(self) -> str:
        """What it runs with, in one line."""
        return f"{self.name} (no encoder: no model settings)"

    def __enter__(self) -> "RuleTagger":
        return self

    def __exit__(self, *_) -> None:
        self.close()


def _load_model(model_dir: Path):
    """The model and tokenizer of a checked model directory; ``ModelError`` when unreadable."""
    with loading(model_dir):
        model = GovtagModel.from_pretrained(model_dir)
        tokenizer = AutoTokenizer.from_pretrained(model_dir)
    tokenizer.model_max_length = 10**9  # govtag windows long reports itself
    return model, tokenizer
