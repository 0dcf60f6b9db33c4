"""The manifest of a model directory (``govtag.json``): which components it holds and their settings.

    {"govtag_model": 1, "encoder": true,
     "sections": {"type": "sentence_head", "settings": {...}},
     "quantities": {"type": "token"}}

``encoder``: the directory holds a token-classification model (``config.json`` and weights);
``sections`` and ``quantities`` name registered component types (``govtag.core.components``), ``token``
being the encoder's own heads. A directory saved before manifests existed is read from its files:
an encoder (``config.json``), a sentence head (``sentence_head.json``), a sentence encoder
(``sentence_encoder/``).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, is_dataclass
from pathlib import Path

from govtag.core.components import QUANTITY_MODELS, SECTION_MODELS, UnknownComponent
from govtag.core.errors import ModelError
from govtag.core.io import write_json_atomic

MANIFEST = "govtag.json"
VERSION = 1


@dataclass
class Manifest:
    """What a model directory holds."""

    encoder: bool
    sections: dict = field(default_factory=lambda: {"type": "token"})
    quantities: dict = field(default_factory=lambda: {"type": "token"})

    @property
    def section_type(self) -> str:
        return self.sections["type"]

    @property
    def quantity_type(self) -> str:
        return self.quantities["type"]

    def section_model(self, directory: str | Path):
        """The saved section model (``None``: the encoder's token head decides)."""
        cls = _component_class(SECTION_MODELS, self.section_type, directory)
        return cls.load(directory) if cls else None

    def quantity_model(self, directory: str | Path):
        """The saved quantity model (``None``: the encoder's token head tags quantities)."""
        cls = _component_class(QUANTITY_MODELS, self.quantity_type, directory)
        return cls.load(directory) if cls else None

    def write(self, directory: str | Path) -> Path:
        path = Path(directory) / MANIFEST
        write_json_atomic(path, {"govtag_model": VERSION, **asdict(self)})
        return path


def _component_class(registry, type_name: str, directory):
    try:
        return registry.get(type_name)
    except UnknownComponent as err:
        raise ModelError(f"{directory}: {err} (register it before loading this model)") from err


def component_entry(type_name: str, component=None) -> dict:
    """A manifest entry: the type and, when the component has dataclass settings, those."""
    settings = getattr(component, "settings", None)
    return {"type": type_name, **({"settings": asdict(settings)} if is_dataclass(settings) else {})}


def read_manifest(directory: str | Path) -> Manifest:
    """The manifest of ``directory``, or what its files say when it has none."""
    directory = Path(directory)
    path = directory / MANIFEST
    if not path.is_file():
        return inferred_manifest(directory)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return Manifest(bool(raw["encoder"]), _entry(raw["sections"]), _entry(raw["quantities"]))
    except (ValueError, KeyError, TypeError) as err:
        raise ModelError(f"{path}: not a govtag model manifest ({type(err).__name__}: {err})") from err


def _entry(raw) -> dict:
    if not isinstance(raw, dict) or not isinstance(raw.get("type"), str):
        raise TypeError(f"a component is {{'type': NAME, ...}}, not {raw!r}")
    return raw


def inferred_manifest(directory: Path) -> Manifest:
    """The manifest of a directory saved before manifests, from its files."""
    encoder = (directory / "config.json").is_file()
    head = (directory / "sentence_head.json").is_file()
    sentence_encoder = (directory / "sentence_encoder" / "config.json").is_file()
    sections = {(True, True): "ensemble", (True, False): "sentence_head",
                (False, True): "sentence_encoder"}.get((head, sentence_encoder), "token")
    quantities = "rules" if not encoder else ("candidates" if (directory / "quantity_layer.json").is_file() else "token")
    return Manifest(encoder, {"type": sections}, {"type": quantities})
