"""Batch prediction on a Ray cluster: ``govtag predict --engine ray`` and ``predict_on_ray``.

The driver lists the report files; ``ray.data`` hands them out in batches to a pool of tagger
actors (``TaggerActor``: the model loaded once per actor; one GPU each when Ray sees GPUs, else one
CPU each), which read, tag and analyse the reports. The results stream back to the driver, which
writes them as JSONL or Parquet shards (the same rows as ``govtag predict --format jsonl`` or
``parquet``) into a staging directory beside the output and renames it into place at the end:
the output directory is complete or absent, never partial. A report that cannot be read or
tagged is listed with its reason in ``manifest.json`` and the rest is written. A dead actor is
restarted and its batch tried again; a batch still lost is tried report by report, so that only
a report that kills its worker on its own is lost (and listed). The files must be readable from
every node (a shared file system) when the cluster has several.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import torch

from govtag import __version__
from govtag.core.errors import InputError, OutputError, UsageError
from govtag.outputs.formats import analyse, json_lines, render_bytes, with_offsets
from govtag.run.inputs import Source, list_sources, name_text, read_source
from govtag.core.io import check_output_dir, write_bytes_atomic, write_json_atomic
from govtag.run.loading import load_run
from govtag.run.model_run import ModelRun
from govtag.run.predict import RuleTagger

MANIFEST = "manifest.json"
FORMATS = ("jsonl", "parquet")
REPORTS_PER_BATCH = 8  # reports an actor tags in one call
RETRIES = 2  # restarts of a dead actor, and tries of a batch it held


@dataclass
class RayOutcome:
    """What a Ray run wrote: the output directory, its shard files, reports written, failures."""

    output: Path
    shards: list[str] = field(default_factory=list)
    reports: int = 0
    failures: list[dict] = field(default_factory=list)


def import_ray():
    """The ``ray`` module, or ``UsageError`` saying how to install it."""
    try:
        import ray  # optional (govtag[ray]): only with --engine ray
        import ray.data  # noqa: F401
    except ImportError as err:
        raise UsageError(f"--engine ray needs Ray: pip install 'govtag[ray]' ({err})") from err
    return ray


def predict_on_ray(paths: list[str], output: str | Path, model: str | Path | ModelRun | None = None,
                   rules: bool = False, address: str | None = None, workers: int | None = None,
                   fmt: str = "jsonl", offsets: str = "text", shard_size: int = 1000,
                   max_mb: float | None = None, loader=load_run, **options) -> RayOutcome:
    """Tag the reports under ``paths`` on Ray and write shards into the directory ``output``.

    ``model``: a model directory (``None``: the shipped one) or its ``ModelRun``; the model is
    decided here, once, and its run settings on each actor, for the device it has.
    ``address``: a running cluster (``auto``, ``ray://host:10001``); without it a local Ray is
    started (with ``workers`` CPUs when given) and stopped. ``max_mb``: the size limit of a
    report (``govtag.core.report_files``). ``options``: the run options of
    ``Tagger.load`` (device, quantize, stride, batch_size). ``loader(run)``: what loads the
    model on each actor (``loading.load_run``; a module-level callable the actors can import).
    """
    if fmt not in FORMATS:
        raise UsageError(f"Ray output is {' or '.join(FORMATS)} shards, not {fmt}")
    files = listed_reports(paths)
    output = _checked_output(Path(output))
    run = None if rules else model if isinstance(model, ModelRun) else ModelRun.of_model(model)
    ray = import_ray()
    started = _connect(ray, address, workers)
    try:
        actor = _actor_settings(ray, workers, options)
        spec = {"run": run, "offsets": offsets, "options": actor.pop("options"), "max_mb": max_mb,
                "loader": loader}
        return _write_all(ray, files, spec, actor, output, fmt, shard_size)
    finally:
        if started:
            ray.shutdown()


def listed_reports(paths: list[str]) -> list:
    """Report files (``Source``: path and doc_id) as ``govtag predict`` finds them."""
    files = list_sources(list(paths))
    if any(source.path == "-" for source in files):
        raise UsageError("--engine ray reads files, not standard input")
    if not files:
        raise InputError("no report found in the inputs")
    return files


def _checked_output(output: Path) -> Path:
    """``output`` when it is absent, empty, or an earlier govtag Ray output (it is replaced)."""
    check_output_dir(output)
    if output.is_dir() and any(output.iterdir()) and not (output / MANIFEST).is_file():
        raise OutputError(f"{output}: directory is not empty and holds no govtag {MANIFEST}; "
                          "give a new or empty directory")
    return output


def _connect(ray, address: str | None, workers: int | None) -> bool:
    """Join ``address``, or start a local Ray; True when started here (to be stopped)."""
    if ray.is_initialized():
        return False
    settings = {"address": address} if address else {"num_cpus": workers, "include_dashboard": False}
    ray.init(**settings, logging_level=logging.WARNING, log_to_driver=False)
    return True


def _actor_settings(ray, workers: int | None, options: dict) -> dict:
    """How many actors, with what resources: one GPU each when the cluster has GPUs."""
    resources = ray.cluster_resources()
    gpus, cpus = int(resources.get("GPU", 0)), max(1, int(resources.get("CPU", 1)))
    options = dict(options)
    if gpus and options.get("device") in (None, "auto", "cuda"):
        return {"concurrency": workers or gpus, "num_gpus": 1, "num_cpus": 1,
                "options": {**options, "device": "cuda"}}
    if options.get("device") == "cuda":
        raise UsageError("--device cuda: the Ray cluster has no GPU")
    return {"concurrency": workers or cpus, "num_cpus": 1, "options": {**options, "device": "cpu"}}


def _write_all(ray, files, spec, actor, output: Path, fmt: str, shard_size: int) -> RayOutcome:
    staging = output.parent / f".{output.name}.tmp-{uuid.uuid4().hex[:8]}"
    staging.mkdir(parents=True)
    try:
        outcome = RayOutcome(output)
        seen = _write_pass(ray, list(enumerate(files)), spec, actor, staging, fmt, shard_size,
                           outcome, REPORTS_PER_BATCH)
        missing = [(i, path) for i, path in enumerate(files) if i not in seen]
        if missing:  # batches lost with their actor: report by report
            seen |= _write_pass(ray, missing, spec, actor, staging, fmt, shard_size, outcome, 1)
        for i, source in enumerate(files):
            if i not in seen:
                outcome.failures.append({"doc_id": source.doc_id, "path": name_text(source.path),
                                         "reason": "its worker died while tagging it (each try)"})
        _write_manifest(staging, fmt, outcome)
        _swap_in(staging, output)
        return outcome
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _write_pass(ray, items, spec, actor, staging, fmt, shard_size, outcome, per_batch) -> set[int]:
    """Tag ``items`` (index, ``Source``) on the actors, writing shards as results come; the
    indices done. Paths travel as bytes (a name need not be UTF-8)."""
    from ray.data import DataContext  # optional (govtag[ray])

    context = DataContext.get_current()
    context.enable_progress_bars = False
    context.max_errored_blocks = -1  # a block lost after its retries: tried again report by report
    dataset = ray.data.from_items([{"index": i, "path": os.fsencode(s.path), "doc_id": s.doc_id}
                                   for i, s in items],
                                  override_num_blocks=max(1, -(-len(items) // per_batch)))
    tagged = dataset.map_batches(
        TaggerActor, batch_size=per_batch, fn_constructor_kwargs=spec,
        concurrency=actor["concurrency"], num_cpus=actor["num_cpus"],
        num_gpus=actor.get("num_gpus"), max_restarts=RETRIES, max_task_retries=RETRIES)
    seen: set[int] = set()
    for batch in tagged.iter_batches(batch_size=shard_size, batch_format="numpy"):
        rows = [dict(zip(batch, values)) for values in zip(*batch.values())]
        seen.update(int(row["index"]) for row in rows)
        _write_shard(staging, rows, fmt, outcome)
    return seen


def _write_shard(staging: Path, rows: list[dict], fmt: str, outcome: RayOutcome) -> None:
    results = [json.loads(row["result"]) for row in rows if not row["error"]]
    outcome.failures += [{"doc_id": str(row["doc_id"]), "path": str(row["path"]),
                          "reason": str(row["error"])} for row in rows if row["error"]]
    if not results:
        return
    name = f"part-{len(outcome.shards):05d}.{fmt}"
    data = (json_lines(results).encode("utf-8") if fmt == "jsonl"
            else render_bytes(results, "parquet"))
    write_bytes_atomic(staging / name, data)
    outcome.shards.append(name)
    outcome.reports += len(results)


def _write_manifest(staging: Path, fmt: str, outcome: RayOutcome) -> None:
    write_json_atomic(staging / MANIFEST, {"govtag": __version__, "format": fmt,
                                           "reports": outcome.reports, "shards": outcome.shards,
                                           "failures": outcome.failures})


def _swap_in(staging: Path, output: Path) -> None:
    """Rename ``staging`` to ``output``; an earlier output is moved aside first, then removed."""
    old = None
    if output.exists():
        old = output.parent / f".{output.name}.old-{uuid.uuid4().hex[:8]}"
        output.rename(old)
    staging.rename(output)
    if old:
        shutil.rmtree(old, ignore_errors=True)


class TaggerActor:
    """A Ray actor holding one predictor (loaded once by ``loader`` from the ``ModelRun`` with its
    run settings decided here; the rule tagger without a run); tags batches of report paths."""

    def __init__(self, run, offsets, options, max_mb=None, loader=load_run):
        if options.get("device") == "cpu":
            torch.set_num_threads(1)  # one CPU per actor
        self.predictor = RuleTagger() if run is None else loader(run.resolved(jobs=1, **options))
        self.offsets, self.max_mb = offsets, max_mb

    def __call__(self, batch: dict) -> dict:
        sources = [Source(os.fsdecode(bytes(path)), str(doc_id))
                   for path, doc_id in zip(batch["path"], batch["doc_id"])]
        rows = tag_paths(self.predictor, sources, self.offsets, self.max_mb)
        return {"index": list(batch["index"]), **{key: [row[key] for row in rows]
                                                  for key in ("doc_id", "path", "result", "error")}}


def tag_paths(predictor, sources: list, offsets: str = "text",
              max_mb: float | None = None) -> list[dict]:
    """A row per ``Source`` (path, doc_id): doc_id, path, the result as JSON (as ``govtag
    predict --format jsonl`` writes it) or the reason it failed."""
    reports = [read_source(source, max_mb) for source in sources]
    paths = [name_text(source.path) for source in sources]
    good = [r for r in reports if not r.error]
    docs = iter(predictor.tag_many([r.text for r in good], [r.doc_id for r in good]) if good else [])
    rows = []
    for path, report in zip(paths, reports):
        row = {"doc_id": report.doc_id, "path": path, "result": "", "error": report.error or ""}
        if not report.error:
            result = with_offsets(analyse(next(docs)), offsets, report.raw)
            row["result"] = json.dumps(result, ensure_ascii=False)
        rows.append(row)
    return rows
