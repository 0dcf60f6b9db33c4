"""One way to load any model: ``load(model_dir)`` gives a ``components.Tagger`` for every command.

The model directory's manifest (``govtag.models.manifest``) says what it holds: without an encoder, a
``SentenceTagger`` (a section model over sentences, quantities from the rules); with one, the
encoder's ``predict.Tagger`` with its section and quantity models, in worker processes
(``parallel.ParallelTagger``) when ``jobs`` is above 1. ``rules=True`` gives the rule tagger.
"""

from __future__ import annotations

from pathlib import Path

from govtag.core.components import Tagger
from govtag.models.manifest import read_manifest
from govtag.run.parallel import ParallelTagger
from govtag.run.predict import RuleTagger, Tagger as EncoderTagger, is_baseline, model_dir_of, model_settings
from govtag.run.sentence_tagger import SentenceTagger

__all__ = ["load", "load_predictor", "is_baseline", "model_dir_of", "model_settings"]


def load(model_dir: str | Path | None = None, rules: bool = False, jobs: int = 1, **options) -> Tagger:
    """The tagger of ``model_dir`` (default: the shipped model), or the rule tagger when ``rules``.

    ``options`` (device, quantize, stride, batch_size) go to a model with an encoder; see
    ``predict.Tagger.load``.
    """
    if rules:
        return RuleTagger()
    model_dir = model_dir_of(model_dir)
    if not read_manifest(model_dir).encoder:
        return SentenceTagger.load(model_dir)
    if jobs > 1:
        return ParallelTagger(jobs, model_dir, loader=load, **options)
    return EncoderTagger.load(model_dir, **options)


load_predictor = load  # its older name
