"""Checks of a model directory's files before anything is loaded from it.

``check_model_dir`` says in one ``ModelError`` naming the file what makes a directory unusable:
a path that does not exist, a folder that is not a govtag model (no ``config.json``, or a plain
Hugging Face model whose config is of another ``model_type``), no weights, or a weights file
(``model.safetensors``, the sentence head's arrays, the sentence encoder's weights in
``sentence_encoder/``) that is empty or truncated. Safetensors files
are checked by reading their header against the file's size, without loading the tensors.
``loading`` turns whatever a loader raises on a damaged file into the same kind of one line.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from pathlib import Path

from safetensors import SafetensorError, safe_open

from govtag.core.errors import ModelError

MODEL_TYPE = "govtag"
WEIGHT_FILES = ("model.safetensors", "model.safetensors.index.json", "pytorch_model.bin",
                "pytorch_model.bin.index.json")
HEAD_FILES = ("sentence_head.json", "sentence_head.safetensors")  # a sentence head's two files
SENTENCE_ENCODER = "sentence_encoder"  # the folder of a fine-tuned sentence encoder


def check_model_dir(model_dir: Path, encoder: bool = True) -> Path:
    """``model_dir`` when it holds a usable govtag model (``encoder=False``: a baseline, whose
    sentence head, when it has one, is checked)."""
    if not model_dir.exists():
        raise ModelError(f"{model_dir}: no such model directory")
    if not model_dir.is_dir():
        raise ModelError(f"{model_dir}: not a directory (give a govtag model directory)")
    head = (model_dir / HEAD_FILES[0]).is_file()
    if head:
        _check_head(model_dir)
    if (model_dir / SENTENCE_ENCODER).is_dir():
        _check_sentence_encoder(model_dir / SENTENCE_ENCODER)
    if not encoder or (head and not (model_dir / "config.json").is_file()):
        return model_dir  # a baseline: a section model and no encoder
    if not (model_dir / "config.json").is_file():
        raise ModelError(f"{model_dir}: not a govtag model directory (no config.json)")
    _check_config(model_dir / "config.json")
    if not any((model_dir / name).is_file() for name in WEIGHT_FILES):
        raise ModelError(f"{model_dir}: incomplete model directory: config.json but no weights "
                         f"({' or '.join(WEIGHT_FILES[::2])}); train or copy the model again")
    for weights in sorted(model_dir.glob("*.safetensors")):
        check_safetensors(weights)
    return model_dir


def _check_config(path: Path) -> None:
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as err:
        raise ModelError(f"{path}: not a readable model config ({_first_line(err)})") from err
    kind = config.get("model_type") if isinstance(config, dict) else None
    if kind != MODEL_TYPE:
        raise ModelError(f"{path}: not a govtag model (model_type {kind!r}); a plain Hugging Face "
                         "model is a base_model for a training config, not a tagger")


def _check_head(model_dir: Path) -> None:
    settings, arrays = (model_dir / name for name in HEAD_FILES)
    try:
        meta = json.loads(settings.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as err:
        raise ModelError(f"{settings}: unreadable sentence head settings ({_first_line(err)})") from err
    if not isinstance(meta, dict) or "settings" not in meta or "classes" not in meta:
        raise ModelError(f"{settings}: not a govtag sentence head (no settings or classes)")
    if not arrays.is_file():
        raise ModelError(f"{arrays}: missing (the sentence head's weights)")
    check_safetensors(arrays)


def _check_sentence_encoder(folder: Path) -> None:
    if not any((folder / name).is_file() for name in WEIGHT_FILES):
        raise ModelError(f"{folder}: incomplete sentence encoder: no weights "
                         f"({' or '.join(WEIGHT_FILES[::2])}); train or copy the model again")
    for weights in sorted(folder.glob("*.safetensors")):
        check_safetensors(weights)


def check_safetensors(path: Path) -> None:
    """``ModelError`` naming ``path`` when it is not a complete safetensors file."""
    try:
        with safe_open(str(path), framework="numpy") as weights:
            weights.keys()
    except _LOAD_ERRORS as err:
        raise ModelError(f"{path}: damaged weights file, empty or truncated ({_first_line(err)}); "
                         "train or copy the model again") from err


@contextmanager
def loading(model_dir: Path, what: str = "the model"):
    """Any error raised while loading ``what`` from ``model_dir`` as one ``ModelError``."""
    try:
        yield
    except _LOAD_ERRORS as err:  # a damaged file surfaces as whatever the loader meets first
        raise ModelError(f"{model_dir}: cannot load {what} ({type(err).__name__}: "
                         f"{_first_line(err)})") from err


def _load_errors() -> tuple[type[BaseException], ...]:
    return (OSError, ValueError, KeyError, RuntimeError, EOFError, SafetensorError)


_LOAD_ERRORS = _load_errors()


def _first_line(err: BaseException) -> str:
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__
