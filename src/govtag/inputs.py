"""Collect reports from files, directories (``*.txt``, recursively) and standard input."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Iterator

from .text import ReportReadError, decode_report, read_report


def expand_paths(paths: list[str]) -> list[str]:
    """Files as given, directories as their ``.txt`` files in sorted order; '-' stays stdin."""
    expanded = []
    for path in paths:
        if path != "-" and Path(path).is_dir():
            expanded += [str(p) for p in sorted(Path(path).rglob("*.txt"))]
        else:
            expanded.append(path)
    return expanded


def iter_reports(paths: list[str]) -> Iterator[tuple[str, str | None, str | None]]:
    """(doc_id, text, None) for each readable report, (doc_id, None, error) for a bad one."""
    for path in expand_paths(paths):
        if path == "-":
            doc_id, reader = "stdin", lambda: decode_report(sys.stdin.buffer.read(), "<stdin>")
        else:
            doc_id, reader = Path(path).stem, lambda p=path: read_report(p)
        try:
            yield doc_id, reader(), None
        except ReportReadError as err:
            yield doc_id, None, str(err)
