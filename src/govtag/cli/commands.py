"""What each ``govtag`` command does, given its parsed arguments; ``govtag.cli.main`` parses them.

Every ``run_*`` function returns an exit code: 0 all done, 1 some inputs skipped (the rest done),
2 usage or input error; errors are raised (``GovtagError``, ``OSError``) and turned into one line
by ``cli.run_command``. The ``ls`` commands are in ``govtag.cli.ls_commands``; ``predict --engine
ray`` runs ``govtag.run.distributed``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from govtag.outputs import view  # noqa: F401  (registers the html writer)
from govtag.run.checks import COMPARISON_FILES, check_comparison_output, check_output, no_model_options
from govtag.core.errors import InputError, UsageError, printable
from govtag.outputs.formats import BINARY_FORMATS, analyse, render, render_bytes, with_offsets
from govtag.run.inputs import iter_report_sources, readable, tag_inputs, without_reports_of
from govtag.core.io import check_output_dir, write_bytes_atomic, write_json_atomic, write_stdout, write_text_atomic
from govtag.core.labelstudio import read_export
from govtag.outputs.quantity_changes import format_changes, quantity_changes
from govtag.outputs.writers import Output, writer

EXIT_OK, EXIT_PARTIAL, EXIT_ERROR, EXIT_INTERRUPTED, EXIT_TERMINATED = 0, 1, 2, 130, 143


# The modules below import torch, transformers or scikit-learn (seconds): imported on first use,
# so that --help, the rule tagger and the argument checks start at once.
def _loading():
    from govtag.run import loading

    return loading


def _runtime():
    from govtag.run import runtime

    return runtime


def _model_runs():
    from govtag.run import model_run

    return model_run


def _configs():
    from govtag.training import config  # YAML: only for train

    return config


def _training():
    from govtag.training import train

    return train


def _adapting():
    from govtag.training import adapt

    return adapt


def _distributed():
    from govtag.run import distributed

    return distributed


def _evaluation():
    from govtag.outputs import evaluate

    return evaluate


def at_least(option: str, value: int | None, minimum: int) -> None:
    """``UsageError`` naming ``option`` when ``value`` is given and below ``minimum``."""
    if value is not None and value < minimum:
        raise UsageError(f"{option} must be at least {minimum}, got {value}")


def show_progress(args) -> bool:
    """Progress bars on stderr: when it is a terminal, or with -v."""
    return bool(args.verbose or sys.stderr.isatty())


def run_view(args) -> int:
    check_output(args.output, args.paths)
    run = None if args.rules else _model_run(args.model)
    with _load(run) as predictor:
        docs, failures, _ = tag_inputs(predictor, iter_report_sources(args.paths,
                                                                      args.max_report_mb),
                                       progress=show_progress(args))
    if not docs:
        return _nothing_tagged(failures, args.output)
    results = [{**analyse(doc), "text": doc.text} for doc in docs]
    write_text_atomic(args.output, writer("html", "view").write(Output(results, title=args.title)))
    print(f"wrote {len(docs)} report(s) to {printable(args.output)}", file=sys.stderr)
    return _exit_code(docs, failures)


def run_adapt(args) -> int:
    at_least("--steps", args.steps, 1)
    at_least("--batch-size", args.batch_size, 1)
    if not 8 <= args.block_tokens <= 512:
        raise UsageError(f"--block-tokens must be 8 to 512, got {args.block_tokens}")
    check_output_dir(args.output)
    reports = iter_report_sources(args.paths)
    if args.exclude:
        reports = without_reports_of(args.exclude, reports)
    failures = []
    texts = [report.text for report in reports if readable(report, failures)]
    if not texts:
        raise UsageError("no readable report to adapt on")
    adapt = _adapting()
    settings = adapt.AdaptSettings(args.steps, args.block_tokens, args.batch_size,
                                   args.learning_rate, seed=args.seed)
    print(f"govtag: adapting {args.base} on {len(texts)} report(s), {sum(map(len, texts)):,} chars",
          file=sys.stderr)
    output = adapt.adapt(args.base, texts, args.output, settings)
    print(f"adapted base saved to {output}")
    return EXIT_PARTIAL if failures else EXIT_OK


def run_train(args) -> int:
    config = _configs().load_config(args.config, _configs().parse_overrides(args.set))
    check_output_dir(config.output)
    train = _training()
    train.check_run_dir(Path(config.output), resume=args.resume, overwrite=args.overwrite)
    model_dir = train.train(config, resume=args.resume, overwrite=args.overwrite)
    if not train.is_main_process():
        return EXIT_OK  # the first process saves and evaluates
    print(f"model saved to {model_dir}")
    if not args.no_eval:
        return _evaluate_and_print(str(model_dir), False, config.data.dev, model_dir / "dev_eval")
    return EXIT_OK


def run_evaluate(args) -> int:
    _check_run_options(args)
    return _evaluate_and_print(args.model, args.rules, args.data, args.output,
                               run_options(args), progress=show_progress(args))


def run_options(args) -> dict:
    """The model's run options as given (``None``: the default of ``govtag.run.runtime``)."""
    return {"device": args.device, "quantize": args.quantize, "stride": args.stride,
            "batch_size": args.batch_size}


def settings_of(predictor) -> str:
    """What a predictor runs with, in one line."""
    return predictor.describe()


def _evaluate_and_print(model, rules, data, output, options=None, progress=False) -> int:
    if output:
        check_output_dir(output)
    run = None if rules else _model_run(model, options)
    gold = read_export(data)
    predictor = _load(run)
    evaluate = _evaluation()
    report = evaluate.evaluate_predictor(predictor.tag, gold, progress=progress)
    report["settings"] = settings_of(predictor)
    print(f"settings: {report['settings']}")
    print(evaluate.format_report(report))
    if output:
        for path in evaluate.write_report(report, output):
            print(f"wrote {path}")
    return EXIT_OK


def run_compare(args) -> int:
    if args.output:
        check_comparison_output(Path(args.output))
    gold = read_export(args.data)
    loading, evaluate = _loading(), _evaluation()
    systems = {"rules": loading.load(rules=True)}
    for model in args.models:
        systems[model] = loading.load(model)
    predicted = {name: [predictor.tag(doc.text, doc.doc_id) for doc in gold]
                 for name, predictor in systems.items()}
    reports = {name: evaluate.evaluate_documents(gold, docs) for name, docs in predicted.items()}
    changes = {name: quantity_changes(gold, predicted["rules"], docs)
               for name, docs in predicted.items() if name != "rules"}
    table = evaluate.format_comparison(reports) + ("\n" + format_changes(changes) if changes else "")
    print(table)
    if args.output:
        write_json_atomic(Path(args.output) / COMPARISON_FILES[0],
                          {"data": args.data, "reports": reports, "quantity_changes": changes})
        write_text_atomic(Path(args.output) / COMPARISON_FILES[1], table)
        print(f"wrote {printable(args.output)}/comparison.json and comparison.md")
    return EXIT_OK


def _model_run(model, options: dict | None = None):
    """The ``ModelRun`` of ``model`` with the run ``options``, in one process."""
    return _resolved(_model_runs().ModelRun.of_model(model), options, jobs=1)


def _resolved(run, options: dict | None, jobs: int | None):
    """``run`` with its run options decided once, before any work: ``--stride`` fits the
    model's windows (a model without an encoder: nothing to decide)."""
    return run.resolved(jobs=jobs, option="--stride", **(options or {}))


def _load(run):
    """The tagger of ``run`` (a ``ModelRun``), the rule tagger for ``None``."""
    return _loading().load(rules=True) if run is None else _loading().load_run(run)


def _check_run_options(args) -> None:
    if getattr(args, "rules", False):
        no_model_options(args)
    at_least("--batch-size", args.batch_size, 1)
    if isinstance(args.stride, int):
        at_least("--stride", args.stride, 0)
    if not getattr(args, "rules", False):

        _runtime().resolve_device(args.device)  # --device cuda without CUDA: an error before any work


def _check_predict_options(args):
    """The options of ``govtag predict`` checked; the ``ModelRun`` (``None``: the rules)."""
    _check_run_options(args)
    at_least("--jobs", args.jobs, 1)
    at_least("--workers", args.workers, 1)
    if args.max_report_mb is not None and args.max_report_mb <= 0:
        raise UsageError(f"--max-report-mb must be above 0, got {args.max_report_mb}")
    args.format = args.format or ("jsonl" if args.engine == "ray" else "json")
    if args.engine == "ray":
        _check_ray_options(args)
    elif args.address or args.workers:
        raise UsageError("--address and --workers go with --engine ray")
    if args.format in BINARY_FORMATS and not args.output:
        raise UsageError(f"--format {args.format} writes a binary file: give it with -o FILE")
    if args.offsets == "file" and args.format == "labelstudio":
        raise UsageError("--offsets file does not apply to --format labelstudio (Label Studio "
                         "offsets index the task text)")
    if args.output and args.engine != "ray":
        check_output(args.output, args.paths or ["-"])
    if args.rules:
        return None
    run = _model_runs().ModelRun.of_model(args.model)
    return _resolved(run, run_options(args), _capped_jobs(args.jobs) if run.encoder else None)


def _check_ray_options(args) -> None:
    if not args.output:
        raise UsageError("--engine ray writes shards into a directory: give it with -o DIR")
    if args.format not in ("jsonl", "parquet"):
        raise UsageError(f"--engine ray writes jsonl or parquet shards, not {args.format}")
    if args.jobs:
        raise UsageError("--jobs is for --engine local; with Ray give --workers")


def run_predict(args) -> int:
    run = _check_predict_options(args)
    if args.engine == "ray":
        return run_predict_ray(args, run)
    progress = show_progress(args)
    reports = list(iter_report_sources(args.paths or ["-"], args.max_report_mb))
    with _predictor(args, run, sum(1 for r in reports if not r.error)) as predictor:
        predictor.progress = progress
        jobs = getattr(predictor, "jobs", 1)
        docs, failures, raws = tag_inputs(predictor, reports, batch_docs=8 * jobs, progress=progress)
    if not docs:
        return _nothing_tagged(failures, args.output)
    scores = [None if d.score is None else round(d.score, 4) for d in docs]
    results = [with_offsets(analyse(d), args.offsets, raw) for d, raw in zip(docs, raws)]
    if args.format in BINARY_FORMATS:

        write_bytes_atomic(args.output, render_bytes(results, args.format))
    else:
        _emit(render(results, docs, args.format, predictor.name, scores), args.output)
    return _exit_code(docs, failures)


def _predictor(args, run, reports: int):
    """The predictor ``govtag predict`` uses: ``run`` (``None``: the rules) in no more worker
    processes than there are ``reports``; says its settings with -v."""
    if run is not None:
        run = run.for_reports(reports)
    predictor = _load(run)
    if args.verbose:
        print(f"govtag: settings: {settings_of(predictor)}", file=sys.stderr)
    return predictor


def _capped_jobs(jobs: int | None) -> int | None:
    """``--jobs``, at most one worker per available core (each loads the model), with a word."""
    cores = _runtime().available_cores()
    if jobs is None or jobs <= cores:
        return jobs
    print(f"govtag: warning: --jobs {jobs} is more than the {cores} available core(s); using "
          f"{cores} worker process(es) (each holds its own copy of the model)", file=sys.stderr)
    return cores


def run_predict_ray(args, run) -> int:
    outcome = _distributed().predict_on_ray(args.paths, args.output, model=run, rules=args.rules,
                             address=args.address, workers=args.workers, fmt=args.format,
                             offsets=args.offsets, max_mb=args.max_report_mb,
                             **run_options(args))
    print(f"wrote {outcome.reports} report(s) in {len(outcome.shards)} shard(s) to "
          f"{printable(args.output)}", file=sys.stderr)
    for failure in outcome.failures:
        print(f"govtag: skipped {printable(failure['doc_id'])}: {printable(failure['reason'])}",
              file=sys.stderr)
    return EXIT_PARTIAL if outcome.failures else EXIT_OK


def run_preannotate(args) -> int:
    check_output(args.output, args.paths)
    predictor = _loading().load(rules=True)
    reports = iter_report_sources(args.paths)
    if args.exclude:
        reports = without_reports_of(args.exclude, reports)
    docs, failures, _ = tag_inputs(predictor, reports, progress=show_progress(args))
    if not docs:
        return _nothing_tagged(failures, args.output)
    _emit(writer(args.format, "preannotate").write(Output(docs=docs, model_version=predictor.name)),
          args.output)
    print(f"wrote {len(docs)} report(s) to {printable(args.output)}", file=sys.stderr)
    return _exit_code(docs, failures)


def _nothing_tagged(failures: list[str], output: str | None) -> int:
    """No report could be tagged: an error; nothing is written, an existing output is left alone."""
    reason = f"all {len(failures)} input(s) failed" if failures else "no report found in the inputs"
    kept = f"; {output} left unchanged" if output else ""
    raise InputError(f"nothing tagged ({reason}){kept}")


def _emit(text: str, output: str | None) -> None:
    if output:

        write_text_atomic(output, text)
    else:
        write_stdout(text)


def _exit_code(docs, failures) -> int:
    if failures and not docs:
        return EXIT_ERROR
    return EXIT_PARTIAL if failures else EXIT_OK
