"""One way to load any model: ``load(model_dir)`` gives a ``components.Tagger`` for every command.

The model directory's manifest (``govtag.models.manifest``) says what it holds: without an encoder, a
``SentenceTagger`` (a section model over sentences, quantities from the rules); with one, the
encoder's ``predict.Tagger`` with its section and quantity models, in worker processes
(``parallel.ParallelTagger``) when ``jobs`` is above 1. ``rules=True`` gives the rule tagger.
``load_run`` loads a ``model_run.ModelRun`` already decided (what ``load`` builds from its options).
"""

from __future__ import annotations

from pathlib import Path

from govtag.core.components import Tagger
from govtag.run.model_run import ModelRun, is_baseline, model_dir_of, model_settings
from govtag.run.parallel import ParallelTagger
from govtag.run.predict import RuleTagger, Tagger as EncoderTagger
from govtag.run.sentence_tagger import SentenceTagger

__all__ = ["load", "load_run", "load_predictor", "is_baseline", "model_dir_of", "model_settings"]


def load(model_dir: str | Path | None = None, rules: bool = False, jobs: int = 1, **options) -> Tagger:
    """The tagger of ``model_dir`` (default: the shipped model), or the rule tagger when ``rules``.

    ``options`` (device, quantize, stride, batch_size) go to a model with an encoder; see
    ``predict.Tagger.load``.
    """
    if rules:
        return RuleTagger()
    return load_run(ModelRun.of(model_dir, jobs=jobs, **options))


def load_run(run: ModelRun) -> Tagger:
    """The tagger of a decided ``ModelRun``: a ``SentenceTagger`` without an encoder, else the
    encoder's tagger, in ``run.jobs`` worker processes when above 1."""
    if not run.encoder:
        return SentenceTagger.load(run.model_dir)
    if run.jobs > 1:
        return ParallelTagger(run.jobs, run, loader=load_run)
    return EncoderTagger.from_run(run)


load_predictor = load  # its older name
