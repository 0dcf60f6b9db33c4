"""Model components: one interface for section models, one for quantity models, a registry from
a type name to its class, and the ``Tagger`` protocol every loaded model follows.

A section model gives each sentence (``sentences.Sentence``) a probability per section role
(columns in ``classes`` order), is fitted on sentences and their roles, and saves itself into a
model directory. A quantity model tags the quantities of a prepared report. A new kind is one
class and one registry line; a config then names it (``sections: {type: NAME}``)::

    @register_section_model("majority")
    class Majority(SectionModel):
        ...

Built-in types are registered by dotted path and imported when first asked for, so that reading
a config never imports scikit-learn, torch or transformers. Types whose work is done by the token
heads of the encoder (``token``) have no class of their own: ``ENCODER_TYPES``.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from govtag.core.errors import GovtagError
from govtag.core.labels import Document, Span

if TYPE_CHECKING:
    import numpy as np

ENCODER_TYPES = ("token",)  # decided by the encoder's token heads, trained with it


class UnknownComponent(GovtagError, ValueError):
    """A config or model directory names a component type that nobody registered."""


class SectionModel:
    """Section roles of sentences: fitted on sentences and their roles, probabilities per role."""

    classes: list[str]

    @classmethod
    def create(cls, config, base: str = "", options: dict | None = None) -> "SectionModel":
        """An unfitted model from a training config (``options``: the other keys of ``sections``)."""
        return cls()

    def fit(self, sentences: list, roles: list[str], silver: int = 0,
            work_dir: str | Path | None = None) -> "SectionModel":
        """Fit on ``sentences`` and their ``roles``; the last ``silver`` of them are silver data
        (roles read by the rules); ``work_dir``: room for checkpoints."""
        raise NotImplementedError

    def probabilities(self, sentences: list) -> np.ndarray:
        """(sentences, classes) probabilities."""
        raise NotImplementedError

    def save(self, directory: str | Path) -> None:
        raise NotImplementedError

    @classmethod
    def load(cls, directory: str | Path) -> "SectionModel":
        raise NotImplementedError


class QuantityModel:
    """Quantity spans of a prepared report (``report.Report``)."""

    @classmethod
    def create(cls, config, options: dict | None = None) -> "QuantityModel":
        """An unfitted model from a training config (``options``: the other keys of ``quantities``)."""
        return cls()

    def fit(self, documents: list[Document]) -> "QuantityModel":
        """Learn from gold documents (nothing to learn unless the model learns)."""
        return self

    def spans(self, report, rule_spans: list[Span] | None = None) -> list[Span]:
        """The quantity spans of ``report`` (``rule_spans``: the rule tagger's, when at hand)."""
        raise NotImplementedError

    def save(self, directory: str | Path) -> None:
        """Nothing to save unless the model learns."""

    @classmethod
    def load(cls, directory: str | Path) -> "QuantityModel":
        return cls()


class Registry:
    """Component classes by type name: registered by decorator, or by dotted path (imported when
    first asked for)."""

    def __init__(self, what: str):
        self.what = what
        self._entries: dict[str, type | str] = {}

    def register(self, name: str, path: str | None = None):
        """``@registry.register(name)`` on a class, or ``registry.register(name, "module:Class")``."""
        if path is not None:
            self._entries[name] = path
            return path

        def add(cls: type) -> type:
            self._entries[name] = cls
            return cls

        return add

    def has(self, name: str) -> bool:
        """Whether ``name`` is known (without importing it)."""
        return name in self._entries or name in ENCODER_TYPES

    def names(self) -> list[str]:
        return sorted([*self._entries, *ENCODER_TYPES])

    def get(self, name: str) -> type | None:
        """The class of ``name`` (``None`` for the encoder's own types); ``UnknownComponent``
        naming the known types otherwise."""
        if name in ENCODER_TYPES:
            return None
        entry = self._entries.get(name)
        if entry is None:
            raise UnknownComponent(f"unknown {self.what} type {name!r}; known: {', '.join(self.names())}")
        if isinstance(entry, str):
            module, _, attribute = entry.partition(":")
            entry = self._entries[name] = getattr(importlib.import_module(module), attribute)
        return entry


SECTION_MODELS = Registry("section model")
QUANTITY_MODELS = Registry("quantity model")
register_section_model = SECTION_MODELS.register
register_quantity_model = QUANTITY_MODELS.register

SECTION_MODELS.register("sentence_head", "govtag.models.sentence_head:SentenceHead")
SECTION_MODELS.register("sentence_encoder", "govtag.models.sentence_encoder:SentenceEncoder")
SECTION_MODELS.register("ensemble", "govtag.models.ensemble:Ensemble")
QUANTITY_MODELS.register("rules", "govtag.rules.tagger:RuleQuantities")
QUANTITY_MODELS.register("candidates", "govtag.models.quantity_layer:QuantityLayer")


@runtime_checkable
class Tagger(Protocol):
    """What every loaded model is: ``govtag.run.loading.load`` returns one."""

    name: str

    def tag_many(self, texts: list[str], doc_ids: list[str] | None = None) -> list[Document]:
        """One document per text, in order."""

    def close(self) -> None:
        """Release workers or devices (a tagger is also a context manager)."""

    def describe(self) -> str:
        """What it runs with, in one line."""
