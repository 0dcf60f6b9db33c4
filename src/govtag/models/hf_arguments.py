"""The ``TrainingArguments`` every govtag run with the Hugging Face Trainer shares (token model,
sentence encoder, ``adapt``)."""

from __future__ import annotations

import dataclasses

import torch
from transformers import TrainingArguments


def warmup_arguments(ratio: float) -> dict:
    """The warm-up share of the run as ``TrainingArguments`` takes it: ``warmup_ratio`` where it
    exists (transformers 4), else ``warmup_steps``, which transformers 5 reads as a ratio when
    below 1 (a whole-run warm-up, ratio 1, is passed just below 1 to stay a ratio)."""
    if any(field.name == "warmup_ratio" for field in dataclasses.fields(TrainingArguments)):
        return {"warmup_ratio": ratio}
    return {"warmup_steps": min(ratio, 1 - 1e-9)}


def shared_arguments(seed: int, warmup: float, weight_decay: float = 0.01) -> dict:
    """The ``TrainingArguments`` every govtag run shares (token model, sentence encoder, ``adapt``):
    seeds, warm-up share, weight decay, the CPU when no GPU is there, no reporting, no loader workers."""
    return {"seed": seed, "data_seed": seed, **warmup_arguments(warmup), "weight_decay": weight_decay,
            "report_to": [], "use_cpu": not torch.cuda.is_available(), "dataloader_num_workers": 0}
