"""A loader whose tagger kills its own process on a chosen report, as a killed worker dies: the
seam the worker-death tests use (``ParallelTagger(loader=...)``, ``predict_on_ray(loader=...)``).

``dying_loader(doc_id)`` dies every time it is about to tag ``doc_id``; with ``marker`` only while
the file ``marker`` does not exist (it is created first, so the next try goes through). Module
level and picklable: spawned workers find this module on the ``sys.path`` they inherit from the
test process, Ray workers through ``PYTHONPATH`` (``TESTS``).
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

from govtag.run.loading import load_run

TESTS = str(Path(__file__).resolve().parent)
EXIT_CODE = 70


def dying_loader(doc_id: str, marker: str | Path | None = None):
    """A loader (``loader(run)``) of the real tagger of ``run`` behind ``DyingTagger``."""
    return functools.partial(_load_dying, doc_id, str(marker) if marker else None)


def _load_dying(doc_id: str, marker: str | None, run):
    return DyingTagger(load_run(run), doc_id, marker)


class DyingTagger:
    """``tagger``, except that ``tag_many`` ends the process (``os._exit``) when given ``doc_id``."""

    def __init__(self, tagger, doc_id: str, marker: str | None):
        self.tagger, self.doc_id, self.marker = tagger, doc_id, marker

    def tag_many(self, texts, doc_ids=None):
        if self.doc_id in (doc_ids or []) and not (self.marker and os.path.exists(self.marker)):
            if self.marker:
                open(self.marker, "w").close()
            os._exit(EXIT_CODE)
        return self.tagger.tag_many(texts, doc_ids)

    def __getattr__(self, name):
        return getattr(self.tagger, name)
