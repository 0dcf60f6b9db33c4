"""Reading report bytes safely: regular files only, a size limit, folders that cannot be listed.

``read_path`` reads one named input: a regular file up to the size limit (a FIFO, a device such
as ``/dev/zero`` or a socket is refused before any read, so nothing hangs or fills memory), or,
for a folder that cannot be listed, says why. ``read_stdin`` reads standard input (closed stdin
is an error, not a crash). ``walk_txt`` lists the ``.txt`` files under a folder with the
subfolders it could not list, which are reported, not skipped silently. The limit is
``DEFAULT_MAX_MB`` MiB, raised with ``$GOVTAG_MAX_REPORT_MB`` or ``--max-report-mb``.
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

from govtag.core.errors import GovtagError


class ReportReadError(GovtagError, ValueError):
    """A report file cannot be read as text."""


DEFAULT_MAX_MB = 32  # the largest report read, in MiB: far above any work report
MAX_MB_ENV = "GOVTAG_MAX_REPORT_MB"
_KINDS = ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def max_report_bytes(max_mb: float | None = None) -> int:
    """The size limit in bytes: ``max_mb``, else ``$GOVTAG_MAX_REPORT_MB``, else the default."""
    if max_mb is None:
        value = os.environ.get(MAX_MB_ENV)
        try:
            max_mb = float(value) if value else DEFAULT_MAX_MB
        except ValueError:
            raise ReportReadError(f"${MAX_MB_ENV} must be a number of MiB, got {value!r}") from None
    if max_mb <= 0:
        raise ReportReadError(f"the report size limit must be above 0 MiB, got {max_mb}")
    return int(max_mb * 2**20)


def read_path(path: str, limit: int) -> bytes:
    """The bytes of the regular file ``path``; ``ReportReadError`` for anything else."""
    if os.path.isdir(path):
        raise ReportReadError(f"{path}: {directory_problem(path)}")
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as err:
        raise ReportReadError(f"{path}: cannot read file ({err.strerror})") from err
    with os.fdopen(fd, "rb") as file:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            kind = next((name for test, name in _KINDS if test(mode)), "not a regular file")
            raise ReportReadError(f"{path}: {kind}, not a report file (give a file, or '-' "
                                  "to read standard input)")
        return _limited(file.read, path, limit)


def read_stdin(limit: int) -> bytes:
    """Standard input, up to ``limit`` bytes."""
    if sys.stdin is None:
        raise ReportReadError("<stdin>: standard input is closed (give report files, or "
                              "'-' with a report on standard input)")
    try:
        return _limited(sys.stdin.buffer.read, "<stdin>", limit)
    except OSError as err:
        raise ReportReadError(f"<stdin>: cannot read standard input ({err.strerror})") from err


def _limited(read, name: str, limit: int) -> bytes:
    data = read(limit + 1)
    if len(data) > limit:
        raise ReportReadError(f"{name}: larger than the {limit / 2**20:g} MiB limit on a report "
                              f"(raise it with --max-report-mb or ${MAX_MB_ENV})")
    return data


def directory_problem(path: str) -> str:
    """Why the folder ``path`` gives no report: it cannot be listed, or it is a folder."""
    try:
        os.listdir(path)
    except OSError as err:
        return f"cannot read directory ({err.strerror})"
    return "is a directory"


def walk_txt(directory: Path) -> tuple[list[Path], list[Path]]:
    """(the ``.txt`` files under ``directory``, recursively, sorted; the folders that could not
    be listed). Symbolic links to folders are followed, each folder once."""
    files, unreadable, seen = [], [], set()

    def failed(err: OSError) -> None:
        unreadable.append(Path(err.filename))

    for root, dirs, names in os.walk(directory, onerror=failed, followlinks=True):
        real = os.path.realpath(root)
        if real in seen:
            dirs[:] = []
            continue
        seen.add(real)
        files += [Path(root, name) for name in names if name.endswith(".txt")]
    return sorted(files), sorted(unreadable)
