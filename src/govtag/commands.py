"""What each ``govtag`` command does, given its parsed arguments; ``govtag.cli`` parses them.

Every ``run_*`` function returns an exit code: 0 all done, 1 some inputs skipped (the rest done),
2 usage or input error; errors are raised (``GovtagError``, ``OSError``) and turned into one line
by ``cli.run_command``. The ``ls`` commands talk to a Label Studio server through
``govtag.studio``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from .errors import UsageError
from .inputs import readable, tag_inputs, without_reports_of

EXIT_OK, EXIT_PARTIAL, EXIT_ERROR, EXIT_INTERRUPTED = 0, 1, 2, 130


def at_least(option: str, value: int | None, minimum: int) -> None:
    """``UsageError`` naming ``option`` when ``value`` is given and below ``minimum``."""
    if value is not None and value < minimum:
        raise UsageError(f"{option} must be at least {minimum}, got {value}")


def show_progress(args) -> bool:
    """Progress bars on stderr: when it is a terminal, or with -v."""
    return bool(args.verbose or sys.stderr.isatty())


def run_view(args) -> int:
    from .inputs import iter_report_sources
    from .io import check_output_file, write_text_atomic
    from .formats import analyse
    from .predict import load_predictor
    from .view import render_page

    check_output_file(args.output)
    if not args.rules:
        _check_model_options(args.model, None)
    with load_predictor(args.model, args.rules) as predictor:
        docs, failures, _ = tag_inputs(predictor, iter_report_sources(args.paths),
                                       progress=show_progress(args))
    if not docs:
        return _nothing_tagged(failures, args.output)
    results = [{**analyse(doc), "text": doc.text} for doc in docs]
    write_text_atomic(args.output, render_page(results, args.title))
    print(f"wrote {len(docs)} report(s) to {args.output}", file=sys.stderr)
    return _exit_code(docs, failures)


def run_adapt(args) -> int:
    from .adapt import AdaptSettings, adapt
    from .inputs import iter_report_sources

    from .io import check_output_dir

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
    settings = AdaptSettings(args.steps, args.block_tokens, args.batch_size, args.learning_rate,
                             seed=args.seed)
    print(f"govtag: adapting {args.base} on {len(texts)} report(s), {sum(map(len, texts)):,} chars",
          file=sys.stderr)
    output = adapt(args.base, texts, args.output, settings)
    print(f"adapted base saved to {output}")
    return EXIT_PARTIAL if failures else EXIT_OK


def run_train(args) -> int:
    import yaml

    from .config import load_config
    from .io import check_output_dir
    from .train import check_run_dir, train

    overrides = {}
    for item in args.set:
        key, sep, value = item.partition("=")
        if not sep:
            raise UsageError(f"--set needs KEY=VALUE, got {item!r}")
        overrides[key.strip()] = yaml.safe_load(value)
    config = load_config(args.config, overrides)
    check_output_dir(config.output)
    check_run_dir(Path(config.output), resume=args.resume, overwrite=args.overwrite)
    model_dir = train(config, resume=args.resume, overwrite=args.overwrite)
    print(f"model saved to {model_dir}")
    if not args.no_eval:
        return _evaluate_and_print(str(model_dir), False, config.data.dev, model_dir / "dev_eval")
    return EXIT_OK


def run_evaluate(args) -> int:
    at_least("--stride", args.stride, 0)
    return _evaluate_and_print(args.model, args.rules, args.data, args.output,
                               quantize=args.quantize, stride=args.stride,
                               progress=show_progress(args))


def _evaluate_and_print(model, rules, data, output, quantize=False, stride=None,
                        progress=False) -> int:
    from .evaluate import evaluate_predictor, format_report, write_report
    from .io import check_output_dir
    from .labelstudio import read_export
    from .predict import load_predictor

    if output:
        check_output_dir(output)
    if not rules:
        _check_model_options(model, stride)
    gold = read_export(data)
    options = {} if rules else {"quantize": quantize, "stride": stride}
    predictor = load_predictor(model, rules, **options)
    report = evaluate_predictor(predictor.tag, gold, progress=progress)
    print(format_report(report))
    if output:
        for path in write_report(report, output):
            print(f"wrote {path}")
    return EXIT_OK


def run_compare(args) -> int:
    from .evaluate import evaluate_predictor, format_comparison
    from .io import write_json_atomic, write_text_atomic
    from .labelstudio import read_export
    from .predict import load_predictor

    gold = read_export(args.data)
    systems = {"rules": load_predictor(rules=True)}
    for model in args.models:
        systems[model] = load_predictor(model)
    reports = {name: evaluate_predictor(predictor.tag, gold, progress=False)
               for name, predictor in systems.items()}
    table = format_comparison(reports)
    print(table)
    if args.output:
        write_json_atomic(Path(args.output) / "comparison.json", {"data": args.data, "reports": reports})
        write_text_atomic(Path(args.output) / "comparison.md", table)
        print(f"wrote {args.output}/comparison.json and comparison.md")
    return EXIT_OK


def _check_model_options(model, stride) -> None:
    """The model directory is complete and ``--stride`` fits its windows (config.json only)."""
    from .encoding import check_stride
    from .predict import is_baseline, model_dir_of, model_settings

    if is_baseline(model_dir_of(model)):
        return  # no encoder, no windows
    settings = model_settings(model)
    if stride is not None:
        check_stride(stride, settings, "--stride")


def _check_predict_options(args) -> None:
    from .formats import BINARY_FORMATS
    from .io import check_output_file

    at_least("--batch-size", args.batch_size, 1)
    at_least("--jobs", args.jobs, 1)
    at_least("--stride", args.stride, 0)
    if args.format in BINARY_FORMATS and not args.output:
        raise UsageError(f"--format {args.format} writes a binary file: give it with -o FILE")
    if args.offsets == "file" and args.format == "labelstudio":
        raise UsageError("--offsets file does not apply to --format labelstudio (Label Studio "
                         "offsets index the task text)")
    if args.output:
        check_output_file(args.output)
    if not args.rules:
        _check_model_options(args.model, args.stride)


def run_predict(args) -> int:
    from .formats import BINARY_FORMATS, analyse, render, render_bytes, with_offsets
    from .inputs import iter_report_sources
    from .predict import load_predictor

    _check_predict_options(args)
    progress = show_progress(args)
    options = {} if args.rules else {"batch_size": args.batch_size, "quantize": args.quantize,
                                     "stride": args.stride}
    jobs = 1 if args.rules else args.jobs
    reports = iter_report_sources(args.paths or ["-"])
    with load_predictor(args.model, args.rules, jobs=jobs, **options) as predictor:
        predictor.progress = progress
        docs, failures, raws = tag_inputs(predictor, reports, batch_docs=8 * jobs, progress=progress)
    if not docs:
        return _nothing_tagged(failures, args.output)
    scores = [None if d.score is None else round(d.score, 4) for d in docs]
    results = [with_offsets(analyse(d), args.offsets, raw) for d, raw in zip(docs, raws)]
    if args.format in BINARY_FORMATS:
        from .io import write_bytes_atomic

        write_bytes_atomic(args.output, render_bytes(results, args.format))
    else:
        _emit(render(results, docs, args.format, predictor.name, scores), args.output)
    return _exit_code(docs, failures)


def run_preannotate(args) -> int:
    from .formats import render, silver_tasks, span_lines
    from .inputs import iter_report_sources
    from .io import check_output_file
    from .predict import RuleTagger

    check_output_file(args.output)
    predictor = RuleTagger()
    reports = iter_report_sources(args.paths)
    if args.exclude:
        reports = without_reports_of(args.exclude, reports)
    docs, failures, _ = tag_inputs(predictor, reports, progress=show_progress(args))
    if not docs:
        return _nothing_tagged(failures, args.output)
    if args.format == "jsonl":
        text = span_lines(docs)
    elif args.format == "silver":
        text = silver_tasks(docs)
    else:
        text = render([], docs, "labelstudio", predictor.name)
    _emit(text, args.output)
    print(f"wrote {len(docs)} report(s) to {args.output}", file=sys.stderr)
    return _exit_code(docs, failures)


def _nothing_tagged(failures: list[str], output: str | None) -> int:
    """No report could be tagged: an error; nothing is written, an existing output is left alone."""
    from .errors import InputError

    reason = f"all {len(failures)} input(s) failed" if failures else "no report found in the inputs"
    kept = f"; {output} left unchanged" if output else ""
    raise InputError(f"nothing tagged ({reason}){kept}")


def _emit(text: str, output: str | None) -> None:
    if output:
        from .io import write_text_atomic

        write_text_atomic(output, text)
    else:
        sys.stdout.write(text)


def _exit_code(docs, failures) -> int:
    if failures and not docs:
        return EXIT_ERROR
    return EXIT_PARTIAL if failures else EXIT_OK


def _ls_client(args):
    from .studio import connect

    return connect(args.url, args.api_key, timeout=args.timeout)


def _ls_tagger(model: str | None):
    """The model tagger; a missing torch/transformers install is a StudioError, not a crash."""
    from .studio import StudioError

    try:
        from .predict import Tagger
    except ImportError as err:
        raise StudioError(f"the model is not available: {err}") from err
    return Tagger.load(model)


def run_ls_push(args) -> int:
    from .inputs import read_reports
    from .studio import push

    reports = read_reports(args.paths)
    if args.rules:
        from .rules import tag_document

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
        print(f"  skipped {doc_id}")
    return EXIT_OK


def run_ls_pull(args) -> int:
    from .io import check_output_file
    from .labelstudio import write_tasks
    from .studio import NOT_ANNOTATED, pull

    check_output_file(args.output)
    docs, rejected = pull(_ls_client(args), args.project)
    write_tasks(docs, args.output)
    invalid = [r for r in rejected if not r.reason.startswith(NOT_ANNOTATED)]
    waiting = len(rejected) - len(invalid)
    print(f"wrote {len(docs)} annotated document(s) to {args.output}; "
          f"{waiting} task(s) not annotated yet, {len(invalid)} rejected as invalid")
    for r in rejected:
        print(f"  task {r.task_id} ({r.doc_id}): {r.reason}", file=sys.stderr)
    return EXIT_PARTIAL if args.strict and invalid else EXIT_OK


def run_ls_select(args) -> int:
    from .inputs import read_reports
    from .io import check_output_file, write_json_atomic, write_text_atomic
    from .studio import select_uncertain

    if args.n < 0:
        raise UsageError(f"N must be at least 0, got {args.n}")
    if args.output:
        check_output_file(args.output)
    reports = read_reports(args.paths)
    tagger = _ls_tagger(args.model)
    picked = select_uncertain({d: text for d, (_, text) in reports.items()}, tagger.confidence, args.n)
    rows = [(doc_id, conf, str(reports[doc_id][0])) for doc_id, conf in picked]
    for doc_id, conf, path in rows:
        print(f"{doc_id}\t{conf:.4f}\t{path}")
    if args.output and args.output.endswith(".json"):
        write_json_atomic(args.output, [{"doc_id": d, "confidence": c, "path": p} for d, c, p in rows])
    elif args.output:
        write_text_atomic(args.output, "".join(f"{d}\t{c:.6f}\t{p}\n" for d, c, p in rows))
    return EXIT_OK
