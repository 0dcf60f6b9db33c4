"""Tests for govtag.core.io: outputs checked up front, atomic writes with the umask's file mode."""

import os
import stat

import pytest

from govtag.core.errors import GovtagError, OutputError
from govtag.core.io import check_output_dir, check_output_file, write_text_atomic

AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


@pytest.fixture
def umask():
    """Set the process umask for a test and restore it afterwards."""
    old = os.umask(0o022)
    yield os.umask
    os.umask(old)


def mode_of(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("mask, expected", [(0o022, 0o644), (0o027, 0o640), (0o002, 0o664)])
def test_new_file_gets_the_mode_of_the_umask(tmp_path, umask, mask, expected):
    umask(mask)
    target = tmp_path / "out.json"
    write_text_atomic(target, "[]\n")
    assert target.read_text(encoding="utf-8") == "[]\n"
    assert mode_of(target) == expected


def test_replaced_file_keeps_its_mode(tmp_path, umask):
    umask(0o022)
    target = tmp_path / "out.json"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o660)
    write_text_atomic(target, "new")
    assert target.read_text(encoding="utf-8") == "new" and mode_of(target) == 0o660


def test_read_only_target_is_refused_not_replaced(tmp_path):
    target = tmp_path / "out.json"
    target.write_text("keep me", encoding="utf-8")
    target.chmod(0o444)
    with pytest.raises(OutputError, match="read-only"):
        write_text_atomic(target, "new")
    assert target.read_text(encoding="utf-8") == "keep me"
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"], "temporary file left behind"


def test_a_directory_is_not_an_output_file(tmp_path):
    with pytest.raises(OutputError, match="is a directory"):
        check_output_file(tmp_path)


def test_a_parent_that_is_a_file_is_refused(tmp_path):
    blocker = tmp_path / "notes.txt"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(OutputError, match="not a directory"):
        check_output_file(blocker / "sub" / "out.json")
    with pytest.raises(OutputError, match="not a directory"):
        check_output_dir(blocker)


def test_missing_parents_are_created_at_write_time(tmp_path):
    target = tmp_path / "a" / "b" / "out.json"
    assert check_output_file(target) == target
    assert not (tmp_path / "a").exists(), "the check creates nothing"
    write_text_atomic(target, "x")
    assert target.read_text(encoding="utf-8") == "x"


@pytest.mark.skipif(AS_ROOT, reason="root may write into read-only directories")
def test_read_only_directory_is_refused(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        with pytest.raises(OutputError, match="not writable"):
            check_output_file(locked / "out.json")
    finally:
        locked.chmod(0o755)


def test_output_errors_are_govtag_errors():
    assert issubclass(OutputError, GovtagError)


def test_immutable_target_is_refused(tmp_path):
    import shutil
    import subprocess

    target = tmp_path / "out.json"
    target.write_text("keep", encoding="utf-8")
    chattr = shutil.which("chattr")
    if not chattr or subprocess.run([chattr, "+i", str(target)], capture_output=True).returncode:
        pytest.skip("cannot make a file immutable here")
    try:
        with pytest.raises(OutputError, match="read-only"):
            write_text_atomic(target, "new")
    finally:
        subprocess.run([chattr, "-i", str(target)], check=True)
    assert target.read_text(encoding="utf-8") == "keep"
