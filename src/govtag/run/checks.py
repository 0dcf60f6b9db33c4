"""Checks a command makes before any work: outputs that can be written and are no input, and
options that apply to what was asked for. Each raises a ``GovtagError`` subclass saying why."""

from __future__ import annotations

from pathlib import Path

from govtag.core.errors import UsageError
from govtag.run.inputs import expand_paths
from govtag.core.io import check_not_an_input, check_output_dir, check_output_file

COMPARISON_FILES = ("comparison.json", "comparison.md")


def check_output(output: str | None, paths: list[str]) -> None:
    """The output file can be written and is none of the input reports (before any work)."""
    if output:
        check_output_file(output)
        check_not_an_input(output, expand_paths(paths))


def check_comparison_output(directory: Path) -> None:
    """``compare -o``: the directory and the files it gets can be written (before scoring)."""
    check_output_dir(directory)
    for name in COMPARISON_FILES:
        check_output_file(directory / name)


def no_model_options(args) -> None:
    """``UsageError`` for a model run option given with ``--rules`` (it would be ignored)."""
    given = [option for option, value, default in (
        ("--stride", args.stride, None), ("--batch-size", args.batch_size, None),
        ("--quantize/--no-quantize", args.quantize, None), ("--device", args.device, "auto"))
        if value != default]
    if given:
        raise UsageError(f"{', '.join(given)}: model option(s), the rule tagger (--rules) has "
                         "no model; leave them out or give --model")
