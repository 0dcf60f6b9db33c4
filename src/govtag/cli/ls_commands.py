"""What each ``govtag ls`` command does: push reports, pull annotations, select reports to annotate.

They talk to a Label Studio server through ``govtag.outputs.studio``; exit codes as in ``govtag.cli.commands``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from govtag.cli.commands import EXIT_OK, EXIT_PARTIAL
from govtag.run.checks import check_output
from govtag.core.errors import UsageError, printable
from govtag.run.inputs import name_text, read_reports
from govtag.core.io import check_output_file, write_json_atomic, write_text_atomic
from govtag.core.labelstudio import write_tasks
from govtag.outputs.studio import NOT_ANNOTATED, StudioError, connect, pull, push, select_uncertain


def _ls_client(args):
    return connect(args.url, args.api_key, timeout=args.timeout)


def _ls_tagger(model: str | None):
    """The model in ``model`` (default: the shipped one), of any kind ``predict`` accepts; a
    missing torch/transformers install is a StudioError, not a crash."""

    try:
        from govtag.run.loading import load  # torch and transformers: imported when a model is asked for
    except ImportError as err:
        raise StudioError(f"the model is not available: {err}") from err
    return load(model)


def run_ls_push(args) -> int:
    reports = read_reports(args.paths)
    if args.rules:
        from govtag.rules.tagger import tag_document  # the rule grammar compiles its lexicons on import

        docs = [tag_document(text, doc_id) for doc_id, (_, text) in reports.items()]
        version = args.model_version or "rules"
    else:
        tagger = _ls_tagger(args.model)
        docs = [tagger.tag(text, doc_id) for doc_id, (_, text) in reports.items()]
        version = args.model_version or (Path(args.model).name if args.model else "default")
    result = push(_ls_client(args), args.project, docs, version)
    where = "new project" if result.project_created else "project"
    print(f"{where} {args.project!r} (id {result.project_id}): {result.created} task(s) created, "
          f"{result.skipped} skipped (doc_id already there)")
    for doc_id in result.skipped_ids:
        print(f"  skipped {printable(doc_id)}")
    return EXIT_OK


def run_ls_pull(args) -> int:
    check_output_file(args.output)
    docs, rejected = pull(_ls_client(args), args.project)
    write_tasks(docs, args.output)
    invalid = [r for r in rejected if not r.reason.startswith(NOT_ANNOTATED)]
    waiting = len(rejected) - len(invalid)
    print(f"wrote {len(docs)} annotated document(s) to {printable(args.output)}; "
          f"{waiting} task(s) not annotated yet, {len(invalid)} rejected as invalid")
    for r in rejected:
        print(f"  task {r.task_id} ({printable(r.doc_id)}): {printable(r.reason)}", file=sys.stderr)
    return EXIT_PARTIAL if args.strict and invalid else EXIT_OK


def run_ls_select(args) -> int:
    if args.n < 0:
        raise UsageError(f"N must be at least 0, got {args.n}")
    check_output(args.output, args.paths)
    reports = read_reports(args.paths)
    tagger = _ls_tagger(args.model)
    picked = select_uncertain({d: text for d, (_, text) in reports.items()}, tagger.confidence, args.n)
    rows = [(doc_id, conf, name_text(str(reports[doc_id][0]))) for doc_id, conf in picked]
    for doc_id, conf, path in rows:
        print(f"{printable(doc_id)}\t{conf:.4f}\t{printable(path)}")
    if args.output and args.output.endswith(".json"):
        write_json_atomic(args.output, [{"doc_id": d, "confidence": c, "path": p} for d, c, p in rows])
    elif args.output:
        write_text_atomic(args.output, "".join(f"{d}\t{c:.6f}\t{p}\n" for d, c, p in rows))
    return EXIT_OK
