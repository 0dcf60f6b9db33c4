"""Output files: checked before the work starts, then written atomically with the usual mode.

``check_output_file`` and ``check_output_dir`` raise ``OutputError`` up front when an output
cannot be written: a directory given as a file, a read-only file or directory, a parent that is a
file. Missing parent directories are fine (they are created at write time) as long as they can be.
``write_bytes_atomic`` writes a temporary file beside the target and renames it over the target,
so a reader sees the old file or the new one, never a part; a symbolic link is followed, and a
device, FIFO or socket is refused (never replaced). ``check_not_an_input`` refuses an output
that is one of the input reports. A new file gets the mode a file created with ``open()`` would
get under the umask (``give_umask_modes`` gives it to the files of a saved model); a replaced
file keeps its mode; a read-only target is refused, never silently replaced.
"""

from __future__ import annotations

import json
import os
import stat
import sys
import tempfile
from pathlib import Path

from govtag.core.errors import OutputError

NEW_FILE_MODE = 0o666


def check_output_file(path: str | Path) -> Path:
    """``path`` as a Path when a file can be written there; ``OutputError`` saying why not.

    A symbolic link is followed (its target is written, the link stays); a device, FIFO or socket
    is refused, never replaced."""
    path = Path(path)
    if path.is_dir():
        raise OutputError(f"{path}: is a directory; give a file name for the output")
    target = followed(path)
    if target.exists() and not target.is_file():
        raise OutputError(f"{path}: is not a regular file (a device, FIFO or socket); not "
                          "replacing it (give a file name, or leave out -o for standard output)")
    if target.exists() and is_read_only(target):
        raise OutputError(f"{path}: file is read-only; not replacing it (make it writable or "
                          "choose another output)")
    _check_creatable(target.parent)
    return path


def followed(path: Path) -> Path:
    """The file a symbolic link ``path`` points to (through every link), else ``path``."""
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def check_not_an_input(output: str | Path | None, inputs: list[str]) -> None:
    """``OutputError`` when ``output`` is one of the ``inputs`` files (by any path or link)."""
    if output is None:
        return
    try:
        written = os.stat(output)
    except OSError:
        return  # a new file cannot be an input
    for name in inputs:
        try:
            same = os.path.samestat(os.stat(name), written) if name != "-" else False
        except OSError:
            continue
        if same:
            raise OutputError(f"{output}: is also an input ({name}); not overwriting a report "
                              "(choose another output file)")


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
    """Write ``data`` to ``path`` (a link: to its target) all at once; ``OutputError`` naming the
    file when it cannot be written (a full disk), the old file then left as it was."""
    path = check_output_file(path)
    target = followed(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    mode = _mode_for(target)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        _write_file(fd, data, mode, path)
        _replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _write_file(fd: int, data: bytes, mode: int, path: Path) -> None:
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            os.fchmod(handle.fileno(), mode)
    except OSError as err:
        kept = "left unchanged" if path.exists() else "not written"
        raise OutputError(f"{path}: cannot write the output ({err.strerror or err}); "
                          f"{path} {kept}") from err


def _replace(tmp: str, path: Path) -> None:
    try:
        os.replace(tmp, path)
    except OSError as err:
        raise OutputError(f"{path}: cannot be replaced ({err.strerror})") from err


def give_umask_modes(directory: str | Path) -> None:
    """Give every file under ``directory`` the mode a new file gets under the umask (libraries
    such as safetensors write theirs 0600)."""
    mode = NEW_FILE_MODE & ~current_umask()
    for file in Path(directory).rglob("*"):
        if file.is_file() and not file.is_symlink():
            os.chmod(file, mode)


def write_stdout(text: str) -> None:
    """Write ``text`` to standard output now; ``OutputError`` naming it when it cannot take it
    (a full disk, a closed pipe); what is left unwritten then goes to the null device."""
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except OSError as err:
        _drop_stdout()
        raise OutputError(f"standard output: cannot write the output ({err.strerror or err})") \
            from err


def _drop_stdout() -> None:
    """Point standard output at the null device, so the exit's flush does not fail again."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
    except (OSError, ValueError):
        pass  # not a real file (a test's capture): nothing to flush at exit


def write_text_atomic(path: str | Path, text: str) -> None:
    write_bytes_atomic(path, text.encode("utf-8"))


def write_json_atomic(path: str | Path, obj: object) -> None:
    write_text_atomic(path, json.dumps(obj, ensure_ascii=False, indent=1) + "\n")
