"""Tagging in worker processes: ``ParallelTagger`` shares reports out to workers, each with its
own ``predict.Tagger`` (on 2 cores, two single-threaded workers outrun one two-threaded process).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import torch

from .encoding import check_stride
from .errors import UsageError
from .labels import Document
from .predict import Tagger, check_text, checked_inputs, model_dir_of, model_settings


class ParallelTagger:
    """``Tagger`` behind ``jobs`` worker processes; each report is tagged whole by one worker.

    Each worker loads the model once, with ``cores // jobs`` torch threads, and ignores Ctrl-C
    (the main process handles it). Use it as a context manager (or call ``close``) to stop the
    workers; leaving the ``with`` block by an exception (Ctrl-C included) stops them at once.
    """

    def __init__(self, jobs: int, model_dir: str | Path | None = None, **options):
        if jobs < 1:
            raise UsageError(f"jobs must be at least 1, got {jobs}")
        model_dir = model_dir_of(model_dir)
        if options.get("stride") is not None:
            check_stride(options["stride"], model_settings(model_dir))
        if options.get("batch_size", 1) < 1:
            raise UsageError(f"batch size must be at least 1, got {options['batch_size']}")
        threads = max(1, len(os.sched_getaffinity(0)) // jobs)
        self.jobs, self.name = jobs, model_dir.name
        self.pool = ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn"),
                                        initializer=_start_worker,
                                        initargs=(str(model_dir), options, threads))

    def tag(self, text: str, doc_id: str = "") -> Document:
        check_text(text)
        return self.tag_many([text], [doc_id])[0]

    def tag_many(self, texts: list[str], doc_ids: list[str] | None = None) -> list[Document]:
        texts, doc_ids = checked_inputs(texts, doc_ids)
        shares = [share for share in share_out([len(t) for t in texts], self.jobs) if share]
        with _sigint_blocked():  # workers started by submit inherit the block: no Ctrl-C there
            futures = [self.pool.submit(_tag_in_worker, [texts[i] for i in share],
                                        [doc_ids[i] for i in share]) for share in shares]
        docs: list[Document | None] = [None] * len(texts)
        for share, future in zip(shares, futures):
            for index, doc in zip(share, future.result()):
                docs[index] = doc
        return docs

    def close(self, cancel: bool = False) -> None:
        """Stop the workers: after their work, or at once (``cancel``), dropping what is queued."""
        if cancel:
            for process in list((getattr(self.pool, "_processes", None) or {}).values()):
                process.terminate()
        self.pool.shutdown(wait=not cancel, cancel_futures=cancel)

    def __enter__(self) -> "ParallelTagger":
        return self

    def __exit__(self, exc_type, *_) -> None:
        self.close(cancel=exc_type is not None)


def share_out(lengths: list[int], parts: int) -> list[list[int]]:
    """Indices split into ``parts`` lists of near-equal total length (longest first, greedy)."""
    shares: list[list[int]] = [[] for _ in range(parts)]
    loads = [0] * parts
    for index in sorted(range(len(lengths)), key=lambda i: -lengths[i]):
        lightest = loads.index(min(loads))
        shares[lightest].append(index)
        loads[lightest] += lengths[index]
    return [sorted(share) for share in shares]


_WORKER_TAGGER: Tagger | None = None


@contextmanager
def _sigint_blocked():
    """Hold back SIGINT in this thread (it is delivered after); processes started meanwhile
    inherit the block, as multiprocessing does for its resource tracker."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def _start_worker(model_dir: str, options: dict, threads: int) -> None:
    global _WORKER_TAGGER
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the main process's to handle
    torch.set_num_threads(threads)
    _WORKER_TAGGER = Tagger.load(model_dir, **options)


def _tag_in_worker(texts: list[str], doc_ids: list[str]) -> list[Document]:
    return _WORKER_TAGGER.tag_many(texts, doc_ids)
