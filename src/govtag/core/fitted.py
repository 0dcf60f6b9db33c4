"""A fitted component on disk without pickle: its settings and classes as JSON, its arrays as
safetensors, each file written atomically (``save_fitted``, ``load_fitted``)."""

from __future__ import annotations

import json
from dataclasses import asdict, fields
from pathlib import Path

import numpy as np
from safetensors.numpy import load_file, save as save_arrays

from govtag.core.io import write_bytes_atomic, write_json_atomic


def save_fitted(directory: str | Path, files: tuple[str, str], settings, classes: list[str],
                arrays: dict[str, np.ndarray]) -> None:
    """Write ``settings`` (a dataclass) and ``classes`` to ``files[0]``, ``arrays`` to ``files[1]``."""
    directory = Path(directory)
    write_bytes_atomic(directory / files[1], save_arrays(arrays))
    write_json_atomic(directory / files[0], {"settings": asdict(settings), "classes": classes})


def load_fitted(directory: str | Path, files: tuple[str, str], settings_type):
    """The settings (keys ``settings_type`` does not know are dropped), classes and arrays that
    ``save_fitted`` wrote."""
    directory = Path(directory)
    meta = json.loads((directory / files[0]).read_text(encoding="utf-8"))
    known = {f.name for f in fields(settings_type)}
    settings = settings_type(**{k: v for k, v in meta["settings"].items() if k in known})
    return settings, list(meta["classes"]), load_file(str(directory / files[1]))
