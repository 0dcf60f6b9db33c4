"""The ensemble section model: the mean of a sentence head's and a fine-tuned sentence encoder's
role probabilities (``sections: {type: ensemble}``).

The head is fitted on gold and silver sentences (silver ones without their rule features), the
encoder on gold sentences only; both are saved side by side in the model directory. With
``confident`` below 1 the encoder reads only the sentences the head is unsure of (its top role
below that probability) and the others keep the head's probabilities: most of the encoder's time
is saved where the head alone is right.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import numpy as np

from govtag.core.components import SectionModel
from govtag.core.io import write_json_atomic
from govtag.models.settings import EnsembleSettings
from govtag.models.sentence_encoder import SentenceEncoder
from govtag.models.sentence_head import CLASSES, SentenceHead, in_class_order


SETTINGS_FILE = "ensemble.json"


class Ensemble(SectionModel):
    """Section models whose probabilities are averaged."""

    def __init__(self, parts: list, make_encoder=None, settings: EnsembleSettings | None = None):
        self.parts = parts
        self.classes = list(CLASSES)
        self._make_encoder = make_encoder  # the encoder is made after the head is fitted
        self.settings = settings or EnsembleSettings()

    @classmethod
    def create(cls, config, base: str = "", options: dict | None = None) -> "Ensemble":
        return cls([SentenceHead.create(config, base)],
                   make_encoder=lambda: SentenceEncoder.create(config, base),
                   settings=EnsembleSettings(**(options or {})))

    def fit(self, sentences, roles, silver: int = 0, work_dir: str | Path | None = None) -> "Ensemble":
        head = self.parts[0]
        head.fit(sentences, roles, silver)
        gold = len(sentences) - silver
        encoder = self._make_encoder()
        self.parts = [head, encoder.fit(sentences[:gold], roles[:gold], work_dir=work_dir)]
        return self

    def probabilities(self, sentences) -> np.ndarray:
        first, *others = self.parts
        probabilities = in_class_order(first, sentences)
        unsure = self.unsure(probabilities)
        if others and unsure.any():
            chosen = [sentence for sentence, row in zip(sentences, unsure) if row]
            total = probabilities[unsure] + sum(in_class_order(part, chosen) for part in others)
            probabilities[unsure] = total / len(self.parts)
        return probabilities

    def unsure(self, probabilities: np.ndarray) -> np.ndarray:
        """Which sentences the other models read: those whose first-model top role is below
        ``confident`` (every sentence at 1.0)."""
        if self.settings.confident >= 1.0:
            return np.ones(len(probabilities), bool)
        return probabilities.max(1) < self.settings.confident

    def save(self, directory: str | Path) -> None:
        for part in self.parts:
            part.save(directory)
        write_json_atomic(Path(directory) / SETTINGS_FILE, asdict(self.settings))

    @classmethod
    def load(cls, directory: str | Path) -> "Ensemble":
        path = Path(directory) / SETTINGS_FILE  # absent in directories saved before it existed
        settings = EnsembleSettings(**json.loads(path.read_text(encoding="utf-8"))) if path.is_file() else None
        return cls([SentenceHead.load(directory), SentenceEncoder.load(directory)], settings=settings)
