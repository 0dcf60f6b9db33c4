"""A lexicon edit works or fails with one line: a new magnitude is parsed with the value its
lexicon line gives, and a broken entry is a govtag error, not a traceback.

Each case runs in a fresh interpreter whose ``govtag.rules.lexicon.LEXICON_DIR`` points at an edited
copy of the lexicons (the lists are read once, at import)."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import govtag

from govtag.core.errors import GovtagError
from govtag.rules.lexicon import LEXICON_DIR, LexiconError

SRC = Path(govtag.__file__).resolve().parents[1]  # the source tree under test


def edited_lexicons(tmp_path: Path, name: str, old: str, new: str) -> Path:
    directory = tmp_path / "lexicons"
    shutil.copytree(LEXICON_DIR, directory)
    path = directory / f"{name}.txt"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return directory


def run_with(directory: Path, code: str) -> subprocess.CompletedProcess:
    prelude = f"import govtag.rules.lexicon as lexicon, pathlib; lexicon.LEXICON_DIR = pathlib.Path({str(directory)!r})\n"
    return subprocess.run([sys.executable, "-c", prelude + code], capture_output=True, text=True,
                          env={"PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin"}, timeout=120)


def test_a_magnitude_added_to_the_numerals_is_parsed_with_its_value(tmp_path):
    directory = edited_lexicons(tmp_path, "numerals", "亿=100000000", "亿=100000000 兆=1000000000000")
    done = run_with(directory, "from govtag.rules.quantities import parse_quantity\n"
                               "print(parse_quantity('3兆元', 'MONEY').value)")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(3 * 10**12)


def test_magnitude_values_come_from_the_lexicon():
    from govtag.rules import numerals
    from govtag.rules.quantities import parse_quantity

    assert numerals.MAGNITUDES == "".join(numerals.MAGNITUDE_VALUES)
    for word, value in numerals.MAGNITUDE_VALUES.items():
        assert parse_quantity(f"2{word}元", "MONEY").value == 2 * value


def test_a_broken_cue_is_a_one_line_error_from_the_command_line(tmp_path):
    directory = edited_lexicons(tmp_path, "heading_plan", "\n", "\n{打算|计划\n")
    report = tmp_path / "r.txt"
    report.write_text("一、工作回顾\n新建道路5公里。\n", encoding="utf-8")
    done = run_with(directory, f"import sys; from govtag.cli.main import main; sys.exit(main(['predict', '--rules', {str(report)!r}]))")
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and "error: lexicon 'heading_plan'" in done.stderr


@pytest.mark.parametrize("line", ["magnitudes: 百 十=10", "magnitudes: 十=ten"])
def test_a_magnitude_without_a_value_is_named(tmp_path, line):
    directory = edited_lexicons(tmp_path, "numerals", "magnitudes: 十=10", line)
    done = run_with(directory, "import govtag.rules.numerals")
    assert done.returncode != 0 and "is not word=number" in done.stderr


def test_lexicon_errors_are_govtag_errors():
    assert issubclass(LexiconError, GovtagError) and issubclass(LexiconError, ValueError)
