"""What ``govtag predict`` reads: regular files only (a FIFO or a device is refused, nothing
hangs), a size limit that can be raised, folders that cannot be listed said so, closed stdin."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import FIXTURES
from govtag.cli.main import main

SRC = str(Path(__file__).resolve().parents[1] / "src")
REPORT_TEXT = (FIXTURES / "basic_township.txt").read_text(encoding="utf-8")


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def govtag(*argv, timeout=120) -> subprocess.CompletedProcess:
    """``govtag ARGV`` in a child process, killed after ``timeout`` seconds."""
    return subprocess.run([sys.executable, "-m", "govtag.cli", *map(str, argv)], text=True,
                          capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL,
                          env={**os.environ, "PYTHONPATH": SRC})


@pytest.fixture
def folder(tmp_path) -> Path:
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "good.txt").write_text(REPORT_TEXT, encoding="utf-8")
    return reports


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_fifo_in_a_folder_is_skipped_with_a_reason_not_waited_on(folder):
    os.mkfifo(folder / "pipe.txt")  # nobody ever writes to it
    try:
        done = govtag("predict", "--rules", "--format", "jsonl", folder, timeout=90)
    except subprocess.TimeoutExpired:
        pytest.fail("predict waited on a FIFO")
    assert done.returncode == 1, done.stderr
    assert [json.loads(line)["doc_id"] for line in done.stdout.splitlines()] == ["good"]
    assert "pipe.txt: a named pipe (FIFO), not a report file" in done.stderr


def test_a_named_device_is_refused_without_reading_it(capsys):
    code, out, err = run(capsys, "predict", "--rules", os.devnull)
    assert code == 2 and out == ""
    assert f"{os.devnull}: a character device, not a report file" in err
    assert "Traceback" not in err


def test_a_report_over_the_size_limit_is_refused_and_the_limit_can_be_raised(capsys, folder):
    code, out, err = run(capsys, "predict", "--rules", "--max-report-mb", "0.0002",
                         folder / "good.txt")
    assert code == 2 and out == "" and "MiB limit" in err and "--max-report-mb" in err
    code, out, _ = run(capsys, "predict", "--rules", "--max-report-mb", "1", folder / "good.txt")
    assert code == 0 and json.loads(out)


def test_the_size_limit_applies_to_stdin_and_comes_from_the_environment(capsys, monkeypatch):
    monkeypatch.setenv("GOVTAG_MAX_REPORT_MB", "0.0002")
    monkeypatch.setattr(sys, "stdin", type("In", (), {"buffer": _Bytes(REPORT_TEXT * 3)})())
    code, out, err = run(capsys, "predict", "--rules")
    assert code == 2 and out == "" and "<stdin>: larger than" in err


class _Bytes:
    def __init__(self, text):
        self.data = text.encode("utf-8")

    def read(self, size=-1):
        return self.data if size < 0 else self.data[:size]


def test_closed_stdin_is_one_line(capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", None)  # what Python makes of `govtag predict <&-`
    code, out, err = run(capsys, "predict", "--rules")
    assert code == 2 and out == "" and "Traceback" not in err
    assert "standard input is closed" in err


# ------------------------------------------------------------------ folders that cannot be listed

@pytest.fixture
def lock(monkeypatch):
    """Make a folder unlistable: mode 000, and for root (who may list it anyway) a listing that
    fails as it would for anyone else."""
    locked = []

    def refuse(real):
        def listing(path=".", *args, **kwargs):
            if os.path.realpath(path) in locked:
                raise PermissionError(13, "Permission denied", os.fspath(path))
            return real(path, *args, **kwargs)
        return listing

    if os.geteuid() == 0:
        monkeypatch.setattr(os, "scandir", refuse(os.scandir))
        monkeypatch.setattr(os, "listdir", refuse(os.listdir))

    def apply(path: Path) -> Path:
        locked.append(os.path.realpath(path))
        path.chmod(0)
        return path

    yield apply
    for path in locked:
        os.chmod(path, 0o755)


def test_an_unreadable_subfolder_is_reported_not_skipped(capsys, folder, lock):
    sub = folder / "sub"
    sub.mkdir()
    (sub / "hidden.txt").write_text(REPORT_TEXT, encoding="utf-8")
    lock(sub)
    code, out, err = run(capsys, "predict", "--rules", "--format", "jsonl", folder)
    assert code == 1  # the rest tagged, one input skipped
    assert [json.loads(line)["doc_id"] for line in out.splitlines()] == ["good"]
    assert f"{sub}: cannot read directory (Permission denied)" in err


def test_an_unreadable_folder_given_directly_says_permission_denied(capsys, folder, lock):
    lock(folder)
    code, out, err = run(capsys, "predict", "--rules", folder)
    assert code == 2 and out == ""
    assert "Permission denied" in err and "no report found" not in err


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_read_report_refuses_a_fifo_at_once(tmp_path):
    import threading

    from govtag.core.text import ReportReadError, read_report

    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    outcome = []

    def read():
        try:
            read_report(fifo)
        except ReportReadError as err:
            outcome.append(str(err))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(timeout=10)
    if reader.is_alive():  # blocked in open(): give it a writer, so the thread can end
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        pytest.fail("read_report waited on a FIFO")
    assert outcome and "named pipe (FIFO)" in outcome[0]


def test_a_folder_is_listed_in_path_order_as_before(tmp_path):
    from govtag.run.inputs import expand_paths

    (tmp_path / "a").mkdir()
    for name in ("a/b.txt", "a-c.txt", "z.txt", "a/notes.md"):
        (tmp_path / name).write_text(REPORT_TEXT, encoding="utf-8")
    assert expand_paths([str(tmp_path)]) == [str(p) for p in sorted(tmp_path.rglob("*.txt"))]
