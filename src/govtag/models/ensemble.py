"""The ensemble section model: the mean of a sentence head's and a fine-tuned sentence encoder's
role probabilities (``sections: {type: ensemble}``).

The head is fitted on gold and silver sentences (silver ones without their rule features), the
encoder on gold sentences only; both are saved side by side in the model directory.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from govtag.core.components import SectionModel
from govtag.models.sentence_encoder import SentenceEncoder
from govtag.models.sentence_head import CLASSES, SentenceHead, in_class_order


class Ensemble(SectionModel):
    """Section models whose probabilities are averaged."""

    def __init__(self, parts: list, make_encoder=None):
        self.parts = parts
        self.classes = list(CLASSES)
        self._make_encoder = make_encoder  # the encoder is made after the head is fitted

    @classmethod
    def create(cls, config, base: str = "", options: dict | None = None) -> "Ensemble":
        return cls([SentenceHead.create(config, base)],
                   make_encoder=lambda: SentenceEncoder.create(config, base))

    def fit(self, sentences, roles, silver: int = 0, work_dir: str | Path | None = None) -> "Ensemble":
        head = self.parts[0]
        head.fit(sentences, roles, silver)
        gold = len(sentences) - silver
        encoder = self._make_encoder()
        self.parts = [head, encoder.fit(sentences[:gold], roles[:gold], work_dir=work_dir)]
        return self

    def probabilities(self, sentences) -> np.ndarray:
        return sum(in_class_order(part, sentences) for part in self.parts) / len(self.parts)

    def save(self, directory: str | Path) -> None:
        for part in self.parts:
            part.save(directory)

    @classmethod
    def load(cls, directory: str | Path) -> "Ensemble":
        return cls([SentenceHead.load(directory), SentenceEncoder.load(directory)])
