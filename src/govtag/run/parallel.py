"""Tagging in worker processes: ``ParallelTagger`` shares reports out to workers, each with its
own ``predict.Tagger`` (on 2 cores, two single-threaded workers outrun one two-threaded process).

A worker that dies (killed, out of memory) loses nothing that another can tag: its unfinished
shares go to fresh workers, and reports that still kill their worker are tried one at a time;
only a report that kills a worker on its own is given up, as ``LostReports`` with the reason,
with every other report tagged.
Workers die with the main process (killed, ``kill -9`` included): none is left behind holding
a model. A model that cannot be loaded is one ``ModelError``, not a worker death per report.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from pathlib import Path

import torch

from govtag.run import runtime
from govtag.core.errors import LostReports, ModelError, UsageError
from govtag.core.labels import Document
from govtag.run.model_run import ModelRun
from govtag.run.predict import Tagger, check_text, checked_inputs


class ParallelTagger:
    """``Tagger`` behind ``jobs`` worker processes; each report is tagged whole by one worker.

    Each worker loads the model once, with ``cores // jobs`` torch threads, and ignores Ctrl-C
    (the main process handles it). Use it as a context manager (or call ``close``) to stop the
    workers; leaving the ``with`` block by an exception (Ctrl-C included) stops them at once.
    """

    def __init__(self, jobs: int, model_dir: str | Path | ModelRun | None = None, loader=None,
                 **options):
        """``model_dir`` with the run ``options`` (device, quantize, stride, batch_size; see
        ``predict.Tagger.load``), or the ``ModelRun`` a caller has decided (then no options).
        ``loader(run)`` loads the model of a worker's ``ModelRun`` (its jobs 1) in each worker
        (default: ``predict.Tagger.from_run``; ``loading.load_run`` passes itself, by reference)."""
        if jobs < 1:
            raise UsageError(f"jobs must be at least 1, got {jobs}")
        if isinstance(model_dir, ModelRun) and options:
            raise UsageError(f"give a ModelRun or run options, not both ({', '.join(options)})")
        run = model_dir if isinstance(model_dir, ModelRun) else ModelRun.of(model_dir, jobs=jobs,
                                                                             **options)
        self.run = run.with_jobs(jobs)
        self.run_settings = self.run.settings
        self.threads = max(1, runtime.available_cores() // jobs)
        self.jobs, self.name, self.model_dir = jobs, run.model_dir.name, str(run.model_dir)
        self.loader = loader or Tagger.from_run
        self.pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(self.jobs, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_start_worker,
                                   initargs=(self.loader, self.run.with_jobs(1), self.threads,
                                             os.getpid()))

    def describe(self) -> str:
        return self.run_settings.describe()

    def tag(self, text: str, doc_id: str = "") -> Document:
        check_text(text)
        return self.tag_many([text], [doc_id])[0]

    def tag_many(self, texts: list[str], doc_ids: list[str] | None = None) -> list[Document]:
        """One document per text, in order; ``LostReports`` (holding the others) when a report
        kills every worker that tags it."""
        texts, doc_ids = checked_inputs(texts, doc_ids)
        docs: list[Document | None] = [None] * len(texts)
        shares = [share for share in share_out([len(t) for t in texts], self.jobs) if share]
        for _ in range(2):  # shares whose worker died go once more to fresh workers
            shares = self._run_shares(shares, texts, doc_ids, docs)
        singles = [[index] for share in shares for index in share]
        if singles:  # still dying: alone, to find the report that kills its worker
            singles = self._run_shares(singles, texts, doc_ids, docs)
            lost = [share for share in singles if self._run_shares([share], texts, doc_ids, docs)]
            if lost:
                raise LostReports(docs, {share[0]: "its worker process died while tagging it "
                                                   "(each time it was tried)" for share in lost})
        return docs

    def _run_shares(self, shares, texts, doc_ids, docs) -> list[list[int]]:
        """Tag ``shares`` into ``docs``; the shares lost with a dead worker (pool restarted)."""
        with _sigint_blocked():  # workers started by submit inherit the block: no Ctrl-C there
            futures = [self.pool.submit(_tag_in_worker, [texts[i] for i in share],
                                        [doc_ids[i] for i in share]) for share in shares]
        broken = []
        for share, future in zip(shares, futures):
            try:
                for index, doc in zip(share, future.result()):
                    docs[index] = doc
            except BrokenProcessPool:
                broken.append(share)
        if broken:
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = self._new_pool()
        return broken

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


_WORKER_TAGGER = None  # the worker's tagger, loaded once
_WORKER_ERROR: ModelError | None = None  # why this worker could not load the model


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


def _start_worker(loader, run: ModelRun, threads: int, parent: int) -> None:
    global _WORKER_TAGGER, _WORKER_ERROR
    die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the main process's to handle
    torch.set_num_threads(threads)
    try:
        _WORKER_TAGGER = loader(run)
    except ModelError as err:  # said once by the main process, not as a worker death per report
        _WORKER_ERROR = err


def _tag_in_worker(texts: list[str], doc_ids: list[str]) -> list[Document]:
    if _WORKER_ERROR is not None:
        raise _WORKER_ERROR
    return _WORKER_TAGGER.tag_many(texts, doc_ids)


def die_with_parent(parent: int) -> None:
    """End this process within a second of the process ``parent`` ending, however it ends
    (``kill -9`` included): a thread watches for the new parent the system then gives it.

    (Linux's parent-death signal is not used: it follows the thread that started the worker,
    which need not live as long as the process.)"""
    if os.getppid() != parent:  # the parent died before the watch began
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True,
                     name="govtag-parent-watch").start()


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(1)
