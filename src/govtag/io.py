"""Output files: checked before the work starts, then written atomically with the usual mode.

``check_output_file`` and ``check_output_dir`` raise ``OutputError`` up front when an output
cannot be written: a directory given as a file, a read-only file or directory, a parent that is a
file. Missing parent directories are fine (they are created at write time) as long as they can be.
``write_bytes_atomic`` writes a temporary file beside the target and renames it over the target,
so a reader sees the old file or the new one, never a part. A new file gets the mode a file
created with ``open()`` would get under the umask; a replaced file keeps its mode; a read-only
target is refused, never silently replaced.
"""

from __future__ import annotations

import json
import os
import stat
import tempfile
from pathlib import Path

from .errors import OutputError

NEW_FILE_MODE = 0o666


def check_output_file(path: str | Path) -> Path:
    """``path`` as a Path when a file can be written there; ``OutputError`` saying why not."""
    path = Path(path)
    if path.is_dir():
        raise OutputError(f"{path}: is a directory; give a file name for the output")
    if path.exists() and is_read_only(path):
        raise OutputError(f"{path}: file is read-only; not replacing it (make it writable or "
                          "choose another output)")
    _check_creatable(path.parent)
    return path


def check_output_dir(path: str | Path) -> Path:
    """``path`` as a Path when it is (or can become) a writable directory; else ``OutputError``."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise OutputError(f"{path}: exists and is not a directory")
    _check_creatable(path)
    return path


def is_read_only(path: Path) -> bool:
    """True when no write permission bit is set or the caller may not write ``path`` (an
    immutable file, a read-only file system)."""
    return not path.stat().st_mode & 0o222 or not os.access(path, os.W_OK)


def _check_creatable(directory: Path) -> None:
    existing = directory
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise OutputError(f"{directory}: cannot create the directory, {existing} is not a directory")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise OutputError(f"{existing}: directory is not writable")


def current_umask() -> int:
    """The process umask (read from /proc where possible, so the umask is never changed)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except OSError:
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _mode_for(path: Path) -> int:
    if path.exists():
        return stat.S_IMODE(path.stat().st_mode)
    return NEW_FILE_MODE & ~current_umask()


def write_bytes_atomic(path: str | Path, data: bytes) -> None:
    path = check_output_file(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = _mode_for(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            os.fchmod(handle.fileno(), mode)
        _replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _replace(tmp: str, path: Path) -> None:
    try:
        os.replace(tmp, path)
    except OSError as err:
        raise OutputError(f"{path}: cannot be replaced ({err.strerror})") from err


def write_text_atomic(path: str | Path, text: str) -> None:
    write_bytes_atomic(path, text.encode("utf-8"))


def write_json_atomic(path: str | Path, obj: object) -> None:
    write_text_atomic(path, json.dumps(obj, ensure_ascii=False, indent=1) + "\n")
