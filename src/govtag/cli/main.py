"""The ``govtag`` command line: train, evaluate, predict, view, preannotate, adapt, ls (Label Studio),
base (import a base encoder).

Exit codes, the same for every command: 0 all done, 1 some inputs skipped (the rest done),
2 usage or input error (nothing done, no output touched), 130 interrupted (Ctrl-C), 143
terminated (SIGTERM; worker processes end with govtag, even on ``kill -9``). Errors govtag
raises on purpose (``GovtagError``) and file errors (``OSError``) become one line
``govtag CMD: error: ...`` (``-v`` adds the traceback); any other exception is a bug and keeps
its traceback.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
import traceback
from contextlib import contextmanager

from govtag import __version__
from govtag.cli.commands import (EXIT_ERROR, EXIT_INTERRUPTED, EXIT_TERMINATED, run_adapt, run_compare, run_evaluate,
                       run_predict, run_preannotate, run_train, run_view)
from govtag.cli.base_commands import add_base_commands
from govtag.cli.ls_commands import run_ls_pull, run_ls_push, run_ls_select
from govtag.core.errors import GovtagError, Terminated, printable
from govtag.outputs.formats import FORMATS, OFFSETS  # its import registers the writers
from govtag.core.report_files import DEFAULT_MAX_MB, MAX_MB_ENV
from govtag.outputs.studio import DEFAULT_TIMEOUT_S, ENV_API_KEY, ENV_URL
from govtag.outputs.writers import formats


def main(argv: list[str] | None = None) -> int:
    """Run the command line ``argv`` (``None``: this program's arguments, ``sys.argv``)."""
    code = _main(argv)
    if argv is None and code in (EXIT_INTERRUPTED, EXIT_TERMINATED):
        _ignore_further_stops()  # the program ends now: let it end cleanly
    return code


def _main(argv: list[str] | None) -> int:
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
    parts = (args.command, getattr(args, "ls_command", None), getattr(args, "base_command", None))
    return " ".join(part for part in parts if part)


def run_command(args) -> int:
    """Run ``args.run(args)``; govtag and file errors and Ctrl-C become a line and an exit code."""
    name = command_name(args)
    try:
        with terminate_as_interrupt():
            return args.run(args)
    except Terminated:
        print(f"govtag {name}: terminated", file=sys.stderr)
        return EXIT_TERMINATED
    except KeyboardInterrupt:
        print(f"govtag {name}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except (GovtagError, OSError) as err:
        if getattr(args, "verbose", False):
            traceback.print_exc()
        print(f"govtag {name}: error: {printable(describe_error(err))}", file=sys.stderr)
        return EXIT_ERROR


@contextmanager
def terminate_as_interrupt():
    """SIGTERM (``kill``) stops the command as Ctrl-C does: workers stopped, partial files
    removed, one line; then the exit code of a process ended by SIGTERM (143)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(*_):
        raise Terminated

    old = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, old)


def _ignore_further_stops() -> None:
    """Once stopped, a second Ctrl-C or SIGTERM (a key held, an impatient supervisor) must not
    break the program's exit: multiprocessing's finalizers, the one line, the exit code."""
    if threading.current_thread() is threading.main_thread():
        for stop in (signal.SIGINT, signal.SIGTERM):
            signal.signal(stop, signal.SIG_IGN)


def describe_error(err: BaseException) -> str:
    """One line for an error: an OSError as ``FILE: reason``, others as their message."""
    if isinstance(err, OSError) and err.strerror:
        where = f"{err.filename}: " if err.filename else ""
        return f"{where}{err.strerror}"
    return str(err)


def preannotate_formats() -> tuple[str, ...]:
    """The formats registered for ``govtag preannotate``."""
    return formats("preannotate")


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
    _add_ls(commands)
    add_base_commands(commands)
    return parser


def _model_or_rules(p, rules_help: str,
                    model_help: str = "model directory (default: the shipped model)") -> None:
    """``--model DIR`` or ``--rules``, not both."""
    source = p.add_mutually_exclusive_group()
    source.add_argument("--model", help=model_help)
    source.add_argument("--rules", action="store_true", help=rules_help)


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


def _gold_data(p) -> None:
    p.add_argument("--data", required=True, help="Label Studio JSON export with gold annotations")


def _add_evaluate(commands) -> None:
    p = commands.add_parser("evaluate", help="score a model or the rule tagger on a Label Studio export",
                            description="Seqeval strict span P/R/F1 per layer, character-level "
                            "section F1, per-document table and a confusion matrix PNG.")
    _gold_data(p)
    _model_or_rules(p, "evaluate the rule tagger")
    p.add_argument("-o", "--output", help="directory for metrics.json, section_confusion.png, documents.csv")
    _run_options(p)
    p.set_defaults(run=run_evaluate)


def _add_compare(commands) -> None:
    p = commands.add_parser("compare", help="score the rule tagger and models side by side",
                            description="Score the rule tagger and each model on the same gold "
                            "documents in one run; print one table (and write comparison.json), then for "
                            "each model the quantity spans it adds and removes against the rules, "
                            "with their precision on gold.")
    p.set_defaults(run=run_compare)
    _gold_data(p)
    p.add_argument("models", nargs="*", metavar="MODEL",
                   help="model directories (a tagger or a baseline); the rule tagger is always scored")
    p.add_argument("-o", "--output", help="directory for comparison.json and comparison.md")


def _add_predict(commands) -> None:
    p = commands.add_parser("predict", help="tag reports (files, directories or stdin)",
                            description="Tag reports; spans index the original text of each file.")
    p.add_argument("paths", nargs="*", help="report files or directories of .txt files; '-' or none: stdin")
    _model_or_rules(p, "use the rule tagger")
    p.add_argument("--format", choices=FORMATS,
                   help="json (default; jsonl with --engine ray), jsonl, csv, labelstudio, or parquet (one row per "
                   "quantity with its doc_id; needs -o)")
    p.add_argument("--offsets", choices=OFFSETS, default="text",
                   help="what start/end index: text (default; BOM removed, line ends made \\n) or "
                   "file (code points of the file as it is, BOM and \\r\\n counted)")
    p.add_argument("-o", "--output", help="output file (written atomically, only when at least "
                   "one report was tagged); default stdout. With --engine ray: a directory of shards")
    _run_options(p)
    _size_option(p)
    p.add_argument("-j", "--jobs", type=int,
                   help="worker processes, each tagging whole reports (default: one per available "
                   "core, at most one per report, 1 on a GPU; --jobs 1: in this process); more "
                   "than the available cores is cut down to them, with a warning")
    p.add_argument("--engine", choices=("local", "ray"), default="local",
                   help="local (default): this machine; ray: a Ray cluster (pip install "
                   "'govtag[ray]'), output shards in the -o directory (--format jsonl or parquet)")
    p.add_argument("--address", help="with --engine ray: the cluster to join (e.g. auto, "
                   "ray://head:10001); default: a local Ray started and stopped here")
    p.add_argument("--workers", type=int, help="with --engine ray: tagger actors (default: one "
                   "per GPU Ray sees, else one per CPU)")
    p.set_defaults(run=run_predict)


def stride_option(value: str) -> int | str:
    """``--stride``: a number of tokens, or ``model`` for the model's training stride."""
    if value == "model":
        return value
    try:
        return int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of tokens or 'model', got {value!r}") from None


def _run_options(p) -> None:
    """How the model runs: device, int8, stride, batch size (defaults: govtag.run.runtime)."""
    p.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto",
                   help="auto (default): CUDA when available, else the CPU")
    p.add_argument("--quantize", action=argparse.BooleanOptionalAction, default=None,
                   help="int8 dynamic quantisation (default: on, on the CPU; never on a GPU)")
    p.add_argument("--stride", type=stride_option, metavar="N|model",
                   help="tokens shared by consecutive windows (default: 16, at most the model's; "
                   "'model': the model's training value, 64 for the shipped model)")
    p.add_argument("--batch-size", type=int, help="windows per forward pass (default: 16 on the "
                   "CPU, 128 on a GPU)")


def _size_option(p) -> None:
    p.add_argument("--max-report-mb", type=float, metavar="MIB",
                   help=f"the largest report read, in MiB (default: ${MAX_MB_ENV}, else "
                   f"{DEFAULT_MAX_MB}); only regular files are read (a FIFO or device is refused)")


def _add_view(commands) -> None:
    p = commands.add_parser("view", help="tag reports and write one HTML page to look at them",
                            description="Tag reports and write a self-contained HTML page (works "
                            "offline): section roles as coloured bands, quantities highlighted with "
                            "value, unit, qualifier, per, change, status and relation on hover, a "
                            "table of the quantities by section with sums per unit over totals, and "
                            "a legend that hides targets.")
    p.set_defaults(run=run_view)
    p.add_argument("paths", nargs="+", help="report files or directories of .txt files; '-': stdin")
    _model_or_rules(p, "use the rule tagger")
    p.add_argument("-o", "--output", required=True, help="the HTML file (written atomically)")
    p.add_argument("--title", default="govtag view", help="the page title")
    _size_option(p)


def _add_preannotate(commands) -> None:
    p = commands.add_parser("preannotate", help="rule-tagger pre-annotations for Label Studio",
                            description="Tag reports with the rule tagger and write Label Studio "
                            "tasks with predictions, or JSON lines.")
    p.set_defaults(run=run_preannotate, rules=True, model=None, quantize=False, batch_size=32)
    p.add_argument("paths", nargs="+", help="report files or directories of .txt files")
    p.add_argument("--format", choices=preannotate_formats(), default="labelstudio",
                   help="labelstudio: tasks with predictions (pre-annotations); silver: tasks whose "
                   "annotations are the rule tags, for data.silver in a training config")
    p.add_argument("-o", "--output", required=True, help="output file (written atomically)")
    p.add_argument("--exclude", nargs="+", default=[], metavar="EXPORT",
                   help="Label Studio exports whose reports (same doc_id or same text) are left "
                   "out, e.g. dev and test, to make silver training data")


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


def _add_ls(commands) -> None:
    ls = commands.add_parser(
        "ls", help="Label Studio: push reports, pull annotations, select reports to annotate",
        description="Annotation loop with a Label Studio server: push (pre-annotated reports), "
                    "annotate in Label Studio, pull (validated training file), train, select.")
    ls_commands = ls.add_subparsers(dest="ls_command", metavar="{push,pull,select}")
    ls_commands.required = True
    _add_ls_push(ls_commands)
    _add_ls_pull(ls_commands)
    _add_ls_select(ls_commands)


def _server_options(parser) -> None:
    parser.add_argument("--url", help=f"Label Studio server (default ${ENV_URL})")
    parser.add_argument("--api-key", help=f"API key / access token (default ${ENV_API_KEY})")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_S,
                        help="seconds per request (default %(default)s)")


def _add_ls_push(commands) -> None:
    p = commands.add_parser("push", help="import reports as tasks with pre-annotations")
    _server_options(p)
    p.add_argument("--project", required=True, help="project title (created when missing)")
    _model_or_rules(p, "pre-annotate with the rule tagger", model_help="model directory for "
                    "pre-annotation (default model when neither --model nor --rules is given)")
    p.add_argument("--model-version", help="label of the predictions in Label Studio "
                                           "(default: rules or the model directory name)")
    p.add_argument("paths", nargs="+", metavar="PATHS", help="report .txt files or directories")
    p.set_defaults(run=run_ls_push)


def _add_ls_pull(commands) -> None:
    p = commands.add_parser("pull", help="export annotations as a validated training file")
    _server_options(p)
    p.add_argument("--project", required=True, help="project title or id")
    p.add_argument("-o", "--output", required=True, metavar="OUT.json",
                   help="Label Studio JSON training file to write")
    p.add_argument("--strict", action="store_true",
                   help="exit 1 when an annotated task was rejected as invalid")
    p.set_defaults(run=run_ls_pull)


def _add_ls_select(commands) -> None:
    p = commands.add_parser("select", help="the N reports the model is least sure about")
    p.add_argument("n", type=int, metavar="N", help="how many reports to pick")
    p.add_argument("--model", help="model directory (default model when omitted)")
    p.add_argument("-o", "--output", metavar="OUT",
                   help="write doc_id, confidence, path as TSV (or a JSON list for .json)")
    p.add_argument("paths", nargs="+", metavar="PATHS", help="report .txt files or directories")
    p.set_defaults(run=run_ls_select)

if __name__ == "__main__":
    sys.exit(main())
