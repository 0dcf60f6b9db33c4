"""Which model a command runs and how: ``ModelRun``, decided once from the options and handed down.

``ModelRun.of(model_dir, **options)`` finds the model directory (``None``: ``$GOVTAG_MODEL``, else
the shipped ``models/default``), checks its files (``govtag.models.model_files``), reads the window
settings it was trained with (config.json only) and, for a model with an encoder, turns the run
options into ``runtime.RunSettings`` with the stride checked against those windows. A model
without an encoder (a sentence model) runs no windows: nothing of the runtime is decided for it.
The loaders (``loading.load_run``, ``predict.Tagger.from_run``, ``parallel.ParallelTagger``, the
Ray actors) take the object as it is instead of deciding again.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

from govtag.core.errors import ModelError
from govtag.models.encoding import WindowSettings, check_stride
from govtag.models.manifest import MANIFEST, read_manifest
from govtag.models.model import GovtagConfig, window_settings
from govtag.models.model_files import HEAD_FILES, check_model_dir
from govtag.models.sentence_head import is_saved_in
from govtag.run import runtime
from govtag.run.runtime import RunSettings

MODEL_ENV, OLDER_MODEL_ENV = "GOVTAG_MODEL", "GOVTAG_MODEL_DIR"  # the latter: the notebook's former name
# the shipped model: models/default of the checkout the package runs from (never of the working
# directory: a folder that happens to be there is no model the user named)
CHECKOUT_MODEL_DIRS = (Path(__file__).resolve().parents[3] / "models" / "default",)


@dataclass(frozen=True)
class ModelRun:
    """A checked model directory, the window settings it was trained with and the settings it
    runs with (``runtime.RunSettings``, stride checked); both ``None`` for a model without an
    encoder."""

    model_dir: Path
    trained: WindowSettings | None = None
    settings: RunSettings | None = None

    @classmethod
    def of(cls, model_dir: str | Path | None = None, device: str | None = None,
           quantize: bool | None = None, stride: int | str | None = None, jobs: int | None = None,
           batch_size: int | None = None, reports: int | None = None,
           option: str = "stride") -> "ModelRun":
        """The model of ``model_dir`` with the run options decided (``None``: the defaults of
        ``govtag.run.runtime``); ``option`` names the stride in the error when it does not fit."""
        return cls.of_model(model_dir).resolved(device, quantize, stride, jobs, batch_size,
                                                reports, option)

    @classmethod
    def of_model(cls, model_dir: str | Path | None = None) -> "ModelRun":
        """The model alone: its directory checked, its trained windows read; nothing decided on
        how it runs (``resolved`` does, where it runs)."""
        model_dir = model_dir_of(model_dir)
        if is_baseline(model_dir):
            return cls(model_dir)
        return cls(model_dir, _trained_settings(model_dir))

    def resolved(self, device: str | None = None, quantize: bool | None = None,
                 stride: int | str | None = None, jobs: int | None = None,
                 batch_size: int | None = None, reports: int | None = None,
                 option: str = "stride") -> "ModelRun":
        """This model with the run options decided (a model without an encoder: as it is)."""
        if self.trained is None:
            return self
        settings = runtime.resolve(self.trained.stride, device, quantize, stride, jobs,
                                   batch_size, reports)
        check_stride(settings.stride, self.trained, option)
        return replace(self, settings=settings)

    @property
    def encoder(self) -> bool:
        """Whether the model has an encoder (windows, run settings)."""
        return self.trained is not None

    @property
    def jobs(self) -> int:
        """Worker processes it runs in (1 without an encoder)."""
        return self.settings.jobs if self.settings else 1

    def for_reports(self, reports: int) -> "ModelRun":
        """The same run in no more worker processes than there are ``reports`` to tag."""
        if self.settings is None:
            return self
        return self.with_jobs(runtime.jobs_for(self.settings.jobs, reports))

    def with_jobs(self, jobs: int) -> "ModelRun":
        """The same run in ``jobs`` processes (a worker's share: 1)."""
        return replace(self, settings=replace(self.encoder_settings(), jobs=jobs))

    def encoder_settings(self) -> RunSettings:
        """The run settings of the encoder; ``ModelError`` for a model without one, or when they
        were never decided (``of_model`` without ``resolved``)."""
        if self.trained is None:
            raise ModelError(f"{self.model_dir}: a model without an encoder; load it with "
                             "govtag.run.loading.load")
        if self.settings is None:
            raise ModelError(f"{self.model_dir}: its run settings were not decided (ModelRun.of)")
        return self.settings


def default_model_dir() -> Path:
    """``$GOVTAG_MODEL`` (or ``$GOVTAG_MODEL_DIR``), else the shipped model of a checkout."""
    named = os.environ.get(MODEL_ENV) or os.environ.get(OLDER_MODEL_ENV)
    found = [d for d in CHECKOUT_MODEL_DIRS if _holds_a_model(d)]
    if named or found:
        return Path(named) if named else found[0]
    shipped = (f" and none shipped in {' or '.join(map(str, CHECKOUT_MODEL_DIRS))}"
               if CHECKOUT_MODEL_DIRS else "")
    raise ModelError(f"no model given{shipped}: pass --model DIR or set {MODEL_ENV} to a govtag "
                     "model directory")


def _holds_a_model(directory: Path) -> bool:
    """Whether a directory holds a model of any kind: a manifest, an encoder's config.json or
    (saved before manifests) a sentence head."""
    return any((directory / name).is_file() for name in (MANIFEST, "config.json",
                                                         HEAD_FILES[0]))


def model_dir_of(model_dir: str | Path | None) -> Path:
    """``model_dir`` (``None``: the shipped default), checked to hold a usable model
    (``govtag.models.model_files``: config, weights, sentence head; a baseline: its section model)."""
    model_dir = Path(model_dir) if model_dir else default_model_dir()
    return check_model_dir(model_dir, encoder=not (model_dir.is_dir() and is_baseline(model_dir)))


def model_settings(model_dir: str | Path | None) -> WindowSettings:
    """The window settings a model directory was trained with (reads config.json only)."""
    return _trained_settings(model_dir_of(model_dir))


def is_baseline(model_dir: Path) -> bool:
    """A directory whose manifest (or, saved before manifests, whose sentence head) says it has
    no encoder."""
    has_manifest = (Path(model_dir) / MANIFEST).is_file()
    return (has_manifest or is_saved_in(model_dir)) and not read_manifest(model_dir).encoder


def _trained_settings(model_dir: Path) -> WindowSettings:
    try:
        config = GovtagConfig.from_pretrained(model_dir)
    except (OSError, ValueError) as err:
        raise ModelError(f"{model_dir}: config.json is not a govtag model config ({err})") from err
    return window_settings(config)
