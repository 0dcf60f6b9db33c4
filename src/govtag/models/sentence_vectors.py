"""Frozen sentence vectors: what a pretrained sentence encoder makes of each sentence.

``SentenceVectors(name)`` loads a base encoder (an offline short name such as ``m3e-small``, a
local directory or a hub id; see ``bases.resolve_base``) once per process and turns sentences into
the mean of its last hidden states over their tokens. A sentence longer than one window is read in
several windows whose vectors are averaged by token count, so nothing is cut off. The encoder is
not trained: the sentence head learns weights over its vectors (``HeadSettings.vectors``).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from govtag.models.bases import resolve_base

WINDOW_TOKENS = 128  # tokens per window, special tokens included
BATCH_SIZE = 64  # windows per forward pass


class SentenceVectors:
    """A frozen encoder that gives each sentence a fixed-size vector."""

    def __init__(self, name: str):
        self.name = name
        self.tokenizer, self.model = _load(name)
        self.dim = int(self.model.config.hidden_size)

    def encode(self, texts: list[str]) -> np.ndarray:
        """(len(texts), dim) float32: each text's mean token vector over all its windows."""
        import torch  # a large import, only when vectors are asked for

        vectors = np.zeros((len(texts), self.dim), np.float32)
        weights = np.zeros(len(texts), np.float32)
        windows = self.tokenizer(list(texts), truncation=True, max_length=WINDOW_TOKENS,
                                 return_overflowing_tokens=True, add_special_tokens=True)
        owners = windows["overflow_to_sample_mapping"]
        order = np.argsort([len(ids) for ids in windows["input_ids"]], kind="stable")
        with torch.inference_mode():
            for first in range(0, len(order), BATCH_SIZE):
                rows = order[first:first + BATCH_SIZE]
                batch = self.tokenizer.pad({"input_ids": [windows["input_ids"][i] for i in rows]},
                                           return_tensors="pt")
                hidden = self.model(**batch).last_hidden_state
                mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                sums, counts = (hidden * mask).sum(1).float().numpy(), mask.sum(1).float().numpy()[:, 0]
                for row, total, count in zip(rows, sums, counts):
                    vectors[owners[row]] += total
                    weights[owners[row]] += count
        return vectors / np.maximum(weights, 1.0)[:, None]


@lru_cache(maxsize=2)
def _load(name: str):
    import torch  # large imports, only when vectors are asked for
    from transformers import AutoModel, AutoTokenizer

    path = resolve_base(name)  # float16 weights (a --half base) are computed in float32
    return AutoTokenizer.from_pretrained(path), AutoModel.from_pretrained(path, dtype=torch.float32).eval()
