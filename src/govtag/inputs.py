"""Collect reports from files, directories (``*.txt``, recursively) and standard input.

``iter_reports`` gives (doc_id, text, error) triples; ``iter_report_sources`` gives ``Report``
records that also keep the raw decoded text (BOM, ``\\r\\n``) for offsets against the file, and
the warnings met while reading (a truncated last character).
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path
from typing import Iterator, NamedTuple

from .text import ReportReadError, TruncatedTextWarning, clean_text, decode_raw


class Report(NamedTuple):
    """One input: its doc_id, and its text and raw text, or why it cannot be read."""

    doc_id: str
    text: str | None
    error: str | None
    raw: str | None = None
    warnings: tuple[str, ...] = ()


def expand_paths(paths: list[str]) -> list[str]:
    """Files as given, directories as their ``.txt`` files in sorted order; '-' stays stdin."""
    expanded = []
    for path in paths:
        if path != "-" and Path(path).is_dir():
            expanded += [str(p) for p in sorted(Path(path).rglob("*.txt"))]
        else:
            expanded.append(path)
    return expanded


def iter_report_sources(paths: list[str]) -> Iterator[Report]:
    """A ``Report`` for each input, readable or not, in order."""
    for path in expand_paths(paths):
        if path == "-":
            doc_id, name, reader = "stdin", "<stdin>", sys.stdin.buffer.read
        else:
            doc_id, name, reader = Path(path).stem, path, Path(path).read_bytes
        try:
            raw, notes = _decode_noting(_read(reader, name), name)
            yield Report(doc_id, clean_text(raw, name), None, raw, notes)
        except ReportReadError as err:
            yield Report(doc_id, None, str(err))


def _decode_noting(data: bytes, name: str) -> tuple[str, tuple[str, ...]]:
    """The raw text and the messages of the ``TruncatedTextWarning`` raised while decoding."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", TruncatedTextWarning)
        raw = decode_raw(data, name)
    notes = tuple(str(w.message) for w in caught if issubclass(w.category, TruncatedTextWarning))
    for other in caught:
        if not issubclass(other.category, TruncatedTextWarning):
            warnings.warn(other.message, other.category)
    return raw, notes


def _read(reader, name: str) -> bytes:
    try:
        return reader()
    except OSError as err:
        raise ReportReadError(f"{name}: cannot read file ({err.strerror})") from err


def iter_reports(paths: list[str]) -> Iterator[tuple[str, str | None, str | None]]:
    """(doc_id, text, None) for each readable report, (doc_id, None, error) for a bad one."""
    for report in iter_report_sources(paths):
        yield report.doc_id, report.text, report.error
