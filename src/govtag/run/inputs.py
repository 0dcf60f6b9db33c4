"""Collect reports from files, directories (``*.txt``, recursively) and standard input.

``list_sources`` lists the inputs with unique doc_ids (a file's name without ``.txt``; below a
directory given, its path there). ``iter_reports`` gives (doc_id, text, error) triples;
``iter_report_sources`` gives ``Report`` records that also keep the raw decoded text (BOM,
``\\r\\n``) for offsets against the file, and the warnings met while reading (a truncated last
character). ``report_paths`` and ``read_reports`` collect reports strictly, by doc_id (a
missing path, an empty directory or two reports with one doc_id are errors), for the Label
Studio commands. ``tag_inputs`` tags collected reports in batches, saying on stderr which were
skipped; ``without_reports_of`` leaves out the reports of Label Studio exports.
"""

from __future__ import annotations

import os
import sys
import warnings
from collections import Counter
from pathlib import Path
from typing import Iterable, Iterator, NamedTuple
from tqdm import tqdm

from govtag.core.errors import InputError, LostReports, printable
from govtag.core.labelstudio import read_export
from govtag.core.report_files import directory_problem, max_report_bytes, read_path, read_stdin, walk_txt
from govtag.core.text import ReportReadError, TruncatedTextWarning, clean_text, decode_raw, read_report


class Report(NamedTuple):
    """One input: its doc_id, and its text and raw text, or why it cannot be read."""
    doc_id: str
    text: str | None
    error: str | None
    raw: str | None = None
    warnings: tuple[str, ...] = ()


class Source(NamedTuple):
    """One input to read: its path ('-': standard input) and its doc_id."""

    path: str
    doc_id: str


def expand_paths(paths: list[str]) -> list[str]:
    """Files as given, directories as their ``.txt`` files in sorted order; '-' stays stdin.
    A folder that cannot be listed stays in the list, for reading it to say why."""
    return [source.path for source in list_sources(paths)]


def txt_files(directory: Path) -> list[Path]:
    """The ``.txt`` files under ``directory`` (recursively), in sorted order; ``InputError``
    when a folder under it cannot be listed."""
    files, unreadable = walk_txt(directory)
    if unreadable:
        raise InputError(f"{unreadable[0]}: {directory_problem(str(unreadable[0]))}")
    return files


def list_sources(paths: list[str], unique: bool = True) -> list[Source]:
    """Every input with its doc_id: a file given by name is its name without the extension
    (``reports/a.txt``: ``a``), a file found in a directory its path below that directory
    (``reports/`` holding ``2023/a.txt``: ``2023/a``), standard input ``stdin``. With ``unique``,
    files that would share an id take their path as given, without the extension (``x/a``,
    ``y/a``), and a file given again gets ``#2``, ``#3``. Bytes of a name that are not UTF-8 are
    written ``\\xNN``."""
    found = []
    for path in paths:
        if path == "-":
            found.append(("-", "stdin", "stdin"))
        elif Path(path).is_dir():
            files, unreadable = walk_txt(Path(path))
            found += [(str(file), name_text(_without_extension(file.relative_to(path))),
                       name_text(_without_extension(file))) for file in sorted(files + unreadable)]
        else:
            found.append((path, name_text(Path(path).stem), name_text(_without_extension(Path(path)))))
    if not unique:
        return [Source(path, doc_id) for path, doc_id, _ in found]
    return _unique(found)


def _without_extension(path: Path) -> Path:
    return path.with_name(path.stem) if path.name else path


def _unique(found: list[tuple[str, str, str]]) -> list[Source]:
    paths_of: dict[str, set[str]] = {}
    for _, doc_id, given in found:
        paths_of.setdefault(doc_id, set()).add(given)
    ids = [doc_id if len(paths_of[doc_id]) == 1 else given for _, doc_id, given in found]
    seen: Counter = Counter()
    sources = []
    for (path, _, _), doc_id in zip(found, ids):
        seen[doc_id] += 1
        sources.append(Source(path, doc_id if seen[doc_id] == 1 else f"{doc_id}#{seen[doc_id]}"))
    return sources


def name_text(name: str | Path) -> str:
    """A file name as text that can always be written: ``/`` between folders, and each byte
    of a part that is not UTF-8 (a GBK name from a Windows zip) as ``\\xNN``."""
    text = name.as_posix() if isinstance(name, Path) else name
    return "/".join(_part_text(part) for part in os.fsencode(text).split(b"/"))


def _part_text(part: bytes) -> str:
    try:
        return part.decode("utf-8")
    except UnicodeDecodeError:  # every byte over 0x7f escaped, not the ones that look like UTF-8
        return part.decode("ascii", "backslashreplace")


def iter_report_sources(paths: list[str], max_mb: float | None = None) -> Iterator[Report]:
    """A ``Report`` for each input, readable or not, in order; ``max_mb``: the size limit of a
    report in MiB (default: ``govtag.core.report_files.max_report_bytes``)."""
    for source in list_sources(paths):
        yield read_source(source, max_mb)


def read_source(source: Source, max_mb: float | None = None) -> Report:
    """The ``Report`` of one input: its text, or why it cannot be read (``max_mb``: as in
    ``iter_report_sources``)."""
    limit = max_report_bytes(max_mb)
    if source.path == "-":
        name, reader = "<stdin>", lambda: read_stdin(limit)
    else:
        name, reader = name_text(source.path), lambda: read_path(source.path, limit)
    try:
        raw, notes = _decode_noting(_read(reader, name), name)
        return Report(source.doc_id, clean_text(raw, name), None, raw, notes)
    except ReportReadError as err:
        return Report(source.doc_id, None, str(err))


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


def report_paths(paths: Iterable[str | Path]) -> dict[str, Path]:
    """doc_id (as ``list_sources`` forms it) -> path, for report files and directories of .txt.

    Directories are searched recursively; two files with the same doc_id are an error.
    """
    found: dict[str, Path] = {}
    for raw in paths:
        _report_files(Path(raw))
        for source in list_sources([str(raw)], unique=False):
            file, doc_id = Path(source.path), source.doc_id
            if not file.is_file():
                continue
            if doc_id in found and found[doc_id].resolve() != file.resolve():
                raise InputError(f"two reports with doc_id {doc_id!r}: {found[doc_id]} and {file}")
            found[doc_id] = file
    return found


def _report_files(path: Path) -> list[Path]:
    if path.is_dir():
        files = [p for p in txt_files(path) if p.is_file()]
        if not files:
            raise InputError(f"{path}: directory holds no .txt report")
        return files
    if path.is_file():
        return [path]
    raise InputError(f"{path}: no such file or directory")


def read_reports(paths: Iterable[str | Path]) -> dict[str, tuple[Path, str]]:
    """doc_id -> (path, text) of every report ``report_paths`` finds."""
    return {doc_id: (path, read_report(path)) for doc_id, path in report_paths(paths).items()}


def without_reports_of(exports: list[str], reports):
    """The reports that are in none of ``exports`` (by doc_id or by text); says how many went."""
    excluded = [doc for path in exports for doc in read_export(path)]
    ids, texts = {doc.doc_id for doc in excluded}, {doc.text for doc in excluded}
    reports = list(reports)
    kept = [r for r in reports if r[0] not in ids and (r[1] is None or r[1] not in texts)]
    print(f"govtag: left out {len(reports) - len(kept)} report(s) found in "
          f"{printable(', '.join(exports))}", file=sys.stderr)
    return kept


def tag_inputs(predictor, reports, batch_docs: int = 8, progress: bool = False):
    """Tag ``Report`` records in small batches; (documents, failures, raw texts of the documents).

    A bar of reports done is shown on stderr with ``progress`` when there are several. Reports a
    predictor gives up on (``LostReports``: their worker died) are failures; the rest of
    the batch is kept.
    """
    reports = list(reports)
    docs, failures, raws, batch = [], [], [], []
    with tqdm(total=len(reports), unit="report", disable=not progress or len(reports) < 2,
              file=sys.stderr) as bar:
        for report in reports:
            if not readable(report, failures):
                bar.update(1)
                continue
            batch.append(report)
            if len(batch) == batch_docs:
                _tag_batch(predictor, batch, bar, (docs, raws, failures))
                batch = []
        _tag_batch(predictor, batch, bar, (docs, raws, failures))
    return docs, failures, raws


def readable(report, failures: list[str]) -> bool:
    """Whether ``report`` can be tagged; says on stderr why not, or what was odd about it."""
    for note in report.warnings:
        print(f"govtag: warning: {printable(note)}", file=sys.stderr)
    if report.error:
        failures.append(report.error)
        print(f"govtag: skipped {printable(report.error)}", file=sys.stderr)
    return not report.error


def _tag_batch(predictor, batch, bar, into) -> None:
    if not batch:
        return
    docs, raws, failures = into
    try:
        tagged, reasons = predictor.tag_many([r.text for r in batch], [r.doc_id for r in batch]), {}
    except LostReports as lost:
        tagged, reasons = lost.docs, lost.reasons
    for index, (report, doc) in enumerate(zip(batch, tagged)):
        if index in reasons:
            failures.append(f"{report.doc_id}: {reasons[index]}")
            print(f"govtag: skipped {printable(failures[-1])}", file=sys.stderr)
        else:
            docs.append(doc)
            raws.append(report.raw)
    bar.update(len(batch))
