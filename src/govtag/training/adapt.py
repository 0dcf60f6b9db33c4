"""Domain-adaptive masked-LM pretraining: continue the base encoder's MLM on unlabelled reports.

The reports are tokenised, concatenated and cut into blocks (as in the Hugging Face
``run_mlm`` example); ``DataCollatorForLanguageModeling`` masks 15% of the tokens and the
Hugging Face Trainer runs a fixed number of steps. The result is a local base directory
(``save_pretrained`` weights and tokenizer) that a training config names as ``base_model``.
Leave dev and test reports out of the corpus (``govtag adapt --exclude``).
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from datasets import Dataset
from torch import nn
from transformers import (AutoModelForMaskedLM, AutoTokenizer, DataCollatorForLanguageModeling, Trainer,
                          TrainingArguments, set_seed)

from govtag.training.config import resolve_base
from govtag.models.hf_arguments import shared_arguments
from govtag.core.errors import InputError
from govtag.core.io import give_umask_modes


@dataclass
class AdaptSettings:
    """Masked-LM adaptation: steps, block length, batch size, learning rate, seed."""

    steps: int = 300
    block_tokens: int = 256
    batch_size: int = 32
    learning_rate: float = 5e-4
    mask_share: float = 0.15
    seed: int = 42


def token_blocks(tokenizer, texts: list[str], block_tokens: int) -> Dataset:
    """All texts as one token stream (each closed by [SEP]) cut into blocks of ``block_tokens``."""
    inner = block_tokens - 2
    stream: list[int] = []
    for ids in tokenizer(texts, add_special_tokens=False)["input_ids"]:
        stream += ids + [tokenizer.sep_token_id]
    blocks = [[tokenizer.cls_token_id, *stream[i:i + inner], tokenizer.sep_token_id]
              for i in range(0, len(stream) - inner + 1, inner)]
    if not blocks:
        raise InputError(f"the corpus has {len(stream)} tokens: too little for one block of {block_tokens}")
    return Dataset.from_dict({"input_ids": blocks})


class MaskedTokensOnly(nn.Module):
    """A masked LM whose prediction head runs on the masked tokens only.

    The head's output layer spans the whole vocabulary (21k for Chinese BERTs); scoring the 15%
    of masked tokens instead of every token makes each step several times cheaper on a CPU.
    """

    def __init__(self, masked_lm):
        super().__init__()
        self.masked_lm = masked_lm
        self.encoder = getattr(masked_lm, masked_lm.base_model_prefix)
        # the model's own MLM head: ALBERT keeps it as ``predictions``, BERT as ``cls``
        self.head = masked_lm.predictions if hasattr(masked_lm, "predictions") else masked_lm.cls

    def forward(self, input_ids, attention_mask=None, token_type_ids=None, labels=None):
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids).last_hidden_state
        masked = labels != -100
        logits = self.head(hidden[masked])
        return {"loss": nn.functional.cross_entropy(logits, labels[masked])}


def adapt(base: str, texts: list[str], output: str | Path, settings: AdaptSettings) -> Path:
    """Continue MLM pretraining of ``base`` on ``texts``; save the adapted base to ``output``."""
    set_seed(settings.seed)
    base_dir = resolve_base(base)
    tokenizer = AutoTokenizer.from_pretrained(base_dir)
    tokenizer.model_max_length = 10**9  # the corpus is cut into blocks here, never truncated
    model = AutoModelForMaskedLM.from_pretrained(base_dir)
    blocks = token_blocks(tokenizer, texts, settings.block_tokens)
    output = Path(output)
    with tempfile.TemporaryDirectory() as scratch:  # the Trainer wants a folder; nothing is checkpointed
        _train_masked_lm(model, tokenizer, blocks, settings, scratch)
    staging = output.with_name(output.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    model.save_pretrained(str(staging))
    tokenizer.save_pretrained(str(staging))
    give_umask_modes(staging)
    shutil.rmtree(output, ignore_errors=True)
    staging.rename(output)
    return output


def _train_masked_lm(model, tokenizer, blocks: Dataset, settings: AdaptSettings, scratch: str) -> None:
    args = TrainingArguments(
        output_dir=scratch, max_steps=settings.steps,
        per_device_train_batch_size=settings.batch_size, learning_rate=settings.learning_rate,
        **shared_arguments(settings.seed, 0.06), save_strategy="no", logging_steps=20)
    collator = DataCollatorForLanguageModeling(tokenizer, mlm_probability=settings.mask_share,
                                               seed=settings.seed)
    Trainer(model=MaskedTokensOnly(model), args=args, train_dataset=blocks, data_collator=collator).train()
