"""The ``govtag`` command line: train, evaluate, predict, view, preannotate, adapt, ls (Label Studio).

Exit codes, the same for every command: 0 all done, 1 some inputs skipped (the rest done),
2 usage or input error (nothing done, no output touched), 130 interrupted (Ctrl-C). Errors govtag
raises on purpose (``GovtagError``) and file errors (``OSError``) become one line
``govtag CMD: error: ...`` (``-v`` adds the traceback); any other exception is a bug and keeps
its traceback.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import traceback
from pathlib import Path

from . import __version__
from .errors import GovtagError, UsageError

EXIT_OK, EXIT_PARTIAL, EXIT_ERROR, EXIT_INTERRUPTED = 0, 1, 2, 130


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    if not getattr(args, "run", None):
        parser.print_help()
        return EXIT_ERROR
    return run_command(args)


def command_name(args) -> str:
    """The command as typed, e.g. ``predict`` or ``ls pull``."""
    return " ".join(part for part in (args.command, getattr(args, "ls_command", None)) if part)


def run_command(args) -> int:
    """Run ``args.run(args)``; govtag and file errors and Ctrl-C become a line and an exit code."""
    name = command_name(args)
    try:
        return args.run(args)
    except KeyboardInterrupt:
        print(f"govtag {name}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except (GovtagError, OSError) as err:
        if getattr(args, "verbose", False):
            traceback.print_exc()
        print(f"govtag {name}: error: {describe_error(err)}", file=sys.stderr)
        return EXIT_ERROR


def describe_error(err: BaseException) -> str:
    """One line for an error: an OSError as ``FILE: reason``, others as their message."""
    if isinstance(err, OSError) and err.strerror:
        where = f"{err.filename}: " if err.filename else ""
        return f"{where}{err.strerror}"
    return str(err)


def at_least(option: str, value: int | None, minimum: int) -> None:
    """``UsageError`` naming ``option`` when ``value`` is given and below ``minimum``."""
    if value is not None and value < minimum:
        raise UsageError(f"{option} must be at least {minimum}, got {value}")


def show_progress(args) -> bool:
    """Progress bars on stderr: when it is a terminal, or with -v."""
    return bool(args.verbose or sys.stderr.isatty())


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="govtag", description="Tag section roles (成绩/问题/计划) and quantities "
        "(MONEY/PERCENT/AREA/COUNT/MEASURE) in Chinese government work reports.")
    parser.add_argument("--version", action="version", version=f"govtag {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    _add_train(commands)
    _add_evaluate(commands)
    _add_compare(commands)
    _add_predict(commands)
    _add_view(commands)
    _add_preannotate(commands)
    _add_adapt(commands)
    from .studio import add_ls_commands

    add_ls_commands(commands)
    return parser


def _add_train(commands) -> None:
    p = commands.add_parser("train", help="train a tagger from a YAML config",
                            description="Train the two-head tagger from a YAML config (see configs/).")
    p.add_argument("config", help="YAML training config, e.g. configs/default.yaml")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="override a config value, e.g. --set training.epochs=2 (YAML value)")
    again = p.add_mutually_exclusive_group()
    again.add_argument("--resume", action="store_true", help="continue from the last checkpoint")
    again.add_argument("--overwrite", action="store_true",
                       help="replace the model and checkpoints already in the run directory")
    p.add_argument("--no-eval", action="store_true", help="skip the final dev evaluation")
    p.set_defaults(run=run_train)


def _add_evaluate(commands) -> None:
    p = commands.add_parser("evaluate", help="score a model or the rule tagger on a Label Studio export",
                            description="Seqeval strict span P/R/F1 per layer, character-level "
                            "section F1, per-document table and a confusion matrix PNG.")
    p.add_argument("--data", required=True, help="Label Studio JSON export with gold annotations")
    source = p.add_mutually_exclusive_group()
    source.add_argument("--model", help="model directory (default: the shipped model)")
    source.add_argument("--rules", action="store_true", help="evaluate the rule tagger")
    p.add_argument("-o", "--output", help="directory for metrics.json, section_confusion.png, documents.csv")
    p.add_argument("--quantize", action="store_true", help="int8 dynamic quantisation of the model")
    p.add_argument("--stride", type=int, help="tokens shared by consecutive windows (default: the model's)")
    p.set_defaults(run=run_evaluate)


def _add_compare(commands) -> None:
    p = commands.add_parser("compare", help="score the rule tagger and models side by side",
                            description="Score the rule tagger and each model on the same gold "
                            "documents in one run; print one table (and write comparison.json).")
    p.add_argument("--data", required=True, help="Label Studio JSON export with gold annotations")
    p.add_argument("models", nargs="*", metavar="MODEL",
                   help="model directories (a tagger or a baseline); the rule tagger is always scored")
    p.add_argument("-o", "--output", help="directory for comparison.json and comparison.md")
    p.set_defaults(run=run_compare)


def _add_predict(commands) -> None:
    p = commands.add_parser("predict", help="tag reports (files, directories or stdin)",
                            description="Tag reports; spans index the original text of each file.")
    p.add_argument("paths", nargs="*", help="report files or directories of .txt files; '-' or none: stdin")
    source = p.add_mutually_exclusive_group()
    source.add_argument("--model", help="model directory (default: the shipped model)")
    source.add_argument("--rules", action="store_true", help="use the rule tagger")
    from .formats import FORMATS, OFFSETS

    p.add_argument("--format", choices=FORMATS, default="json",
                   help="json (default), jsonl, csv, labelstudio, or parquet (one row per "
                   "quantity with its doc_id; needs -o)")
    p.add_argument("--offsets", choices=OFFSETS, default="text",
                   help="what start/end index: text (default; BOM removed, line ends made \\n) or "
                   "file (code points of the file as it is, BOM and \\r\\n counted)")
    p.add_argument("-o", "--output", help="output file (written atomically, only when at least "
                   "one report was tagged); default stdout")
    p.add_argument("--batch-size", type=int, default=16, help="windows per forward pass")
    p.add_argument("--quantize", action="store_true", help="int8 dynamic quantisation (faster on CPU)")
    p.add_argument("--stride", type=int, help="tokens shared by consecutive windows (default: the model's)")
    p.add_argument("-j", "--jobs", type=int, default=1,
                   help="worker processes, each tagging whole reports (use the number of cores)")
    p.set_defaults(run=run_predict)


def _add_view(commands) -> None:
    p = commands.add_parser("view", help="tag reports and write one HTML page to look at them",
                            description="Tag reports and write a self-contained HTML page (works "
                            "offline): section roles as coloured bands, quantities highlighted with "
                            "value, unit, qualifier, per and change on hover, and a table of the "
                            "quantities by section with sums per unit over exact totals.")
    p.add_argument("paths", nargs="+", help="report files or directories of .txt files; '-': stdin")
    source = p.add_mutually_exclusive_group()
    source.add_argument("--model", help="model directory (default: the shipped model)")
    source.add_argument("--rules", action="store_true", help="use the rule tagger")
    p.add_argument("-o", "--output", required=True, help="the HTML file (written atomically)")
    p.add_argument("--title", default="govtag view", help="the page title")
    p.set_defaults(run=run_view)


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


def _add_preannotate(commands) -> None:
    p = commands.add_parser("preannotate", help="rule-tagger pre-annotations for Label Studio",
                            description="Tag reports with the rule tagger and write Label Studio "
                            "tasks with predictions, or JSON lines.")
    p.add_argument("paths", nargs="+", help="report files or directories of .txt files")
    p.add_argument("--format", choices=("labelstudio", "jsonl", "silver"), default="labelstudio",
                   help="labelstudio: tasks with predictions (pre-annotations); silver: tasks whose "
                   "annotations are the rule tags, for data.silver in a training config")
    p.add_argument("-o", "--output", required=True, help="output file (written atomically)")
    p.add_argument("--exclude", nargs="+", default=[], metavar="EXPORT",
                   help="Label Studio exports whose reports (same doc_id or same text) are left "
                   "out, e.g. dev and test, to make silver training data")
    p.set_defaults(run=run_preannotate, rules=True, model=None, quantize=False, batch_size=32)


def _add_adapt(commands) -> None:
    p = commands.add_parser("adapt", help="domain-adaptive masked-LM pretraining of a base encoder",
                            description="Continue the base encoder's masked-LM pretraining on "
                            "unlabelled reports; the output directory is a base_model for configs.")
    p.add_argument("paths", nargs="+", help="report files or directories of .txt files")
    p.add_argument("-o", "--output", required=True, help="directory for the adapted base")
    p.add_argument("--base", default="albert-tiny", help="base encoder (as base_model in a config)")
    p.add_argument("--exclude", nargs="+", default=[], metavar="EXPORT",
                   help="Label Studio exports whose reports are left out (dev and test)")
    p.add_argument("--steps", type=int, default=300, help="optimiser steps")
    p.add_argument("--batch-size", type=int, default=32, help="blocks per step")
    p.add_argument("--block-tokens", type=int, default=256, help="tokens per block")
    p.add_argument("--learning-rate", type=float, default=5e-4)
    p.add_argument("--seed", type=int, default=42)
    p.set_defaults(run=run_adapt)


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
        reports = _without_reports_of(args.exclude, reports)
    failures = []
    texts = [report.text for report in reports if _readable(report, failures)]
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
        reports = _without_reports_of(args.exclude, reports)
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


def _without_reports_of(exports: list[str], reports):
    """The reports that are in none of ``exports`` (by doc_id or by text); says how many went."""
    from .labelstudio import read_export

    excluded = [doc for path in exports for doc in read_export(path)]
    ids, texts = {doc.doc_id for doc in excluded}, {doc.text for doc in excluded}
    reports = list(reports)
    kept = [r for r in reports if r[0] not in ids and (r[1] is None or r[1] not in texts)]
    print(f"govtag: left out {len(reports) - len(kept)} report(s) found in {', '.join(exports)}",
          file=sys.stderr)
    return kept


def tag_inputs(predictor, reports, batch_docs: int = 8, progress: bool = False):
    """Tag ``Report`` records in small batches; (documents, failures, raw texts of the documents).

    A bar of reports done is shown on stderr with ``progress`` when there are several.
    """
    from tqdm import tqdm

    reports = list(reports)
    docs, failures, raws, batch = [], [], [], []
    with tqdm(total=len(reports), unit="report", disable=not progress or len(reports) < 2,
              file=sys.stderr) as bar:
        for report in reports:
            if not _readable(report, failures):
                bar.update(1)
                continue
            batch.append(report)
            raws.append(report.raw)
            if len(batch) == batch_docs:
                docs += _tag_batch(predictor, batch, bar)
                batch = []
        docs += _tag_batch(predictor, batch, bar)
    return docs, failures, raws


def _readable(report, failures: list[str]) -> bool:
    """Whether ``report`` can be tagged; says on stderr why not, or what was odd about it."""
    for note in report.warnings:
        print(f"govtag: warning: {note}", file=sys.stderr)
    if report.error:
        failures.append(report.error)
        print(f"govtag: skipped {report.error}", file=sys.stderr)
    return not report.error


def _tag_batch(predictor, batch, bar):
    if not batch:
        return []
    docs = predictor.tag_many([r.text for r in batch], [r.doc_id for r in batch])
    bar.update(len(batch))
    return docs


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


if __name__ == "__main__":
    sys.exit(main())
