"""Tests for outputs and names that could destroy data or mislead: devices, links and inputs as
``-o``, file names that are not UTF-8 or hold control characters, doc_ids that repeat, CSV cells
a spreadsheet would run, secrets in server errors, a full disk, the mode of saved model files."""

import json
import os
import stat
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from conftest import FIXTURES
from govtag.cli.main import main
from govtag.core.errors import OutputError, keep_secret, printable, redact
from govtag.outputs.formats import spreadsheet_safe
from govtag.run.inputs import list_sources
from govtag.core.io import write_text_atomic
from govtag.run.predict import RuleTagger

REPORT = FIXTURES / "pipeline_xx_town.txt"
SRC = Path(__file__).resolve().parents[1] / "src"


def run(capsys, *argv):
    code = main([str(a) if not isinstance(a, bytes) else os.fsdecode(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err





def copy_report(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(REPORT.read_bytes())
    return path


# ------------------------------------------------------------------ devices, FIFOs, links as -o

@pytest.fixture
def device(tmp_path):
    """A character device like /dev/full, made in the test's folder (needs CAP_MKNOD)."""
    node = tmp_path / "full"
    try:
        os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 7))
    except (PermissionError, OSError) as err:
        pytest.skip(f"cannot make a device node here ({err})")
    return node


def test_a_device_as_output_is_refused_and_stays_a_device(capsys, device, no_tagging):
    code, _, err = run(capsys, "predict", "--rules", "-o", device, REPORT)
    assert code == 2 and "not a regular file" in err
    assert stat.S_ISCHR(device.lstat().st_mode), "the device was replaced"


def test_a_fifo_as_output_is_refused_and_stays_a_fifo(capsys, tmp_path, no_tagging):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    code, _, err = run(capsys, "view", "--rules", "-o", fifo, REPORT)
    assert code == 2 and "not a regular file" in err
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    with pytest.raises(OutputError, match="not a regular file"):
        write_text_atomic(fifo, "x")
    assert stat.S_ISFIFO(fifo.lstat().st_mode)


def test_a_link_to_a_device_is_refused(capsys, tmp_path, device, no_tagging):
    link = tmp_path / "out.json"
    link.symlink_to(device)
    code, _, err = run(capsys, "predict", "--rules", "-o", link, REPORT)
    assert code == 2 and "not a regular file" in err
    assert link.is_symlink() and stat.S_ISCHR(device.lstat().st_mode)


def test_a_symlinked_output_writes_its_target_and_stays_a_link(capsys, tmp_path):
    target = tmp_path / "results" / "out.json"
    target.parent.mkdir()
    target.write_text("old", encoding="utf-8")
    link = tmp_path / "latest.json"
    link.symlink_to(target)
    code, _, _ = run(capsys, "predict", "--rules", "-o", link, REPORT)
    assert code == 0 and link.is_symlink() and os.readlink(link) == str(target)
    assert json.loads(target.read_text(encoding="utf-8"))[0]["doc_id"] == "pipeline_xx_town"
    assert sorted(p.name for p in target.parent.iterdir()) == ["out.json"]


# ------------------------------------------------------------------ an input as -o

@pytest.mark.parametrize("command", [("predict", "--rules"), ("view", "--rules"), ("preannotate",)])
def test_an_input_report_as_output_is_refused_before_any_work(capsys, tmp_path, command,
                                                               no_tagging):
    report = copy_report(tmp_path / "reports" / "a.txt")
    code, _, err = run(capsys, *command, "-o", report, tmp_path / "reports")
    assert code == 2 and "is also an input" in err
    assert report.read_bytes() == REPORT.read_bytes()


def test_an_input_reached_by_another_path_is_refused(capsys, tmp_path, no_tagging):
    report = copy_report(tmp_path / "a.txt")
    (tmp_path / "hard.txt").hardlink_to(report)
    (tmp_path / "soft.json").symlink_to(report)
    for output in (tmp_path / "hard.txt", tmp_path / "soft.json", tmp_path / "." / "a.txt"):
        code, _, err = run(capsys, "predict", "--rules", "-o", output, report)
        assert code == 2 and "is also an input" in err
    assert report.read_bytes() == REPORT.read_bytes()


# ------------------------------------------------------------------ names that are not UTF-8

GBK_NAME = "中文报告".encode("gbk")  # a name from a Windows zip, not UTF-8


@pytest.fixture
def gbk_reports(tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    try:
        (Path(os.fsencode(folder).decode("utf-8")) / os.fsdecode(GBK_NAME + b".txt")).write_bytes(
            REPORT.read_bytes())
    except (OSError, UnicodeError) as err:
        pytest.skip(f"the file system refuses a non-UTF-8 name ({err})")
    return folder


ESCAPED_ID = "".join(f"\\x{byte:02x}" for byte in GBK_NAME)


@pytest.mark.parametrize("fmt", ["json", "csv", "jsonl"])
def test_a_name_that_is_not_utf8_gives_a_valid_doc_id_and_file(capsys, tmp_path, gbk_reports, fmt):
    out = tmp_path / f"out.{fmt}"
    code, _, err = run(capsys, "predict", "--rules", "--format", fmt, "-o", out, gbk_reports)
    assert code == 0, err
    text = out.read_bytes().decode("utf-8")  # valid UTF-8
    assert (ESCAPED_ID if fmt == "csv" else json.dumps(ESCAPED_ID)) in text


def test_a_name_that_is_not_utf8_on_stdout_is_valid_utf8(capsys, gbk_reports):
    code, out, _ = run(capsys, "predict", "--rules", gbk_reports)
    assert code == 0
    out.encode("utf-8")  # no lone surrogate, so the bytes written are valid UTF-8
    assert json.loads(out)[0]["doc_id"] == ESCAPED_ID


def test_a_name_that_is_not_utf8_in_parquet(capsys, tmp_path, gbk_reports):
    pq = pytest.importorskip("pyarrow.parquet")
    out = tmp_path / "q.parquet"
    assert run(capsys, "predict", "--rules", "--format", "parquet", "-o", out, gbk_reports)[0] == 0
    assert set(pq.read_table(out).column("doc_id").to_pylist()) == {ESCAPED_ID}


# ------------------------------------------------------------------ unique doc_ids

@pytest.mark.parametrize("layout, given, expected", [
    (["a/x.txt", "b/x.txt"], ["."], ["a/x", "b/x"]),                   # one folder
    (["x.txt", "sub/y.txt"], ["."], ["sub/y", "x"]),                   # top level keeps its name
    (["a/x.txt", "b/x.txt"], ["a/x.txt", "b/x.txt"], ["a/x", "b/x"]),  # files by name
    (["a/x.txt", "b/x.txt"], ["a", "b"], ["a/x", "b/x"]),              # two folders
    (["a/x.txt", "b/y.txt"], ["a", "b/y.txt"], ["x", "y"]),            # no clash: short names
    (["x.txt"], ["x.txt", "x.txt"], ["x", "x#2"]),                     # the same file twice
    (["r.v2.txt"], ["r.v2.txt"], ["r.v2"]),
])
def test_doc_ids_are_unique(tmp_path, monkeypatch, layout, given, expected):
    monkeypatch.chdir(tmp_path)
    for name in layout:
        copy_report(tmp_path / name)
    ids = [source.doc_id for source in list_sources(given)]
    assert ids == expected


def test_same_name_in_two_folders_gives_rows_that_can_be_told_apart(capsys, tmp_path):
    for name in ("2022/x.txt", "2023/x.txt"):
        copy_report(tmp_path / "reports" / name)
    out, silver = tmp_path / "out.jsonl", tmp_path / "silver.json"
    assert run(capsys, "predict", "--rules", "--format", "jsonl", "-o", out, tmp_path / "reports")[0] == 0
    ids = [json.loads(line)["doc_id"] for line in out.read_text(encoding="utf-8").splitlines()]
    assert ids == ["2022/x", "2023/x"]
    assert run(capsys, "preannotate", "--format", "silver", "-o", silver, tmp_path / "reports")[0] == 0
    code, _, err = run(capsys, "evaluate", "--rules", "--data", silver)
    assert code == 0, err


# ------------------------------------------------------------------ CSV formula injection

@pytest.mark.parametrize("cell, expected", [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
    ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("\rx", "'\rx"),
    ("x=1", "x=1"), ("1500万元", "1500万元"), ("", ""), (-3.5, -3.5), (None, None), (7, 7),
])
def test_spreadsheet_safe_cells(cell, expected):
    assert spreadsheet_safe({"c": cell}) == {"c": expected}


def test_a_formula_file_name_is_escaped_in_csv(capsys, tmp_path):
    import csv

    report = copy_report(tmp_path / '=HYPERLINK("x.example","y").txt')
    code, out, _ = run(capsys, "predict", "--rules", "--format", "csv", report)
    assert code == 0
    rows = list(csv.DictReader(out.splitlines()))
    assert rows and all(row["doc_id"] == "'" + report.stem for row in rows)


# ------------------------------------------------------------------ names printed on stderr

def test_a_newline_in_a_name_cannot_forge_an_error_line(capsys, tmp_path):
    bad = tmp_path / "x\ngovtag predict: error: forged\x1b[2J.txt"
    bad.write_bytes(b"\x00\x01\x02" * 40)  # not text: skipped with its name
    code, _, err = run(capsys, "predict", "--rules", bad, REPORT)
    assert code == 1
    assert not any(line.startswith("govtag predict: error") for line in err.splitlines()), err
    assert "\x1b" not in err and "x\\ngovtag predict: error: forged\\x1b[2J.txt" in err


def test_a_control_character_in_an_output_name_stays_on_one_line(capsys, tmp_path):
    folder = tmp_path / "a\nb"
    folder.mkdir()
    code, _, err = run(capsys, "predict", "--rules", "-o", folder, REPORT)
    assert code == 2 and len(err.strip().splitlines()) == 1 and "a\\nb" in err


@pytest.mark.parametrize("text, expected", [
    ("a\nb", "a\\nb"), ("\x1b[31m", "\\x1b[31m"), ("\x9b", "\\x9b"), ("\u202eabc", "\\u202eabc"),
    (os.fsdecode(b"\xd6\xd0.txt"), "\\xd6\\xd0.txt"), ("中文 ok", "中文 ok"),
])
def test_printable(text, expected):
    assert printable(text) == expected


# ------------------------------------------------------------------ secrets in server errors

@pytest.mark.parametrize("text", [
    "Authorization: Token 0123456789abcdef0123", '{"Authorization": "Bearer abc.def.ghi"}',
    "refresh eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl", "http://admin:pw123@ls.example/",
])
def test_redact_hides_tokens(text):
    hidden = redact(text)
    assert "***" in hidden
    assert not any(secret in hidden for secret in ("0123456789abcdef0123", "abc.def.ghi",
                                                   "eyJhbGciOiJIUzI1NiJ9", "pw123"))


def test_a_known_key_is_redacted_anywhere():
    keep_secret("k3y-that-looks-plain")
    assert redact("server said: k3y-that-looks-plain is wrong") == "server said: *** is wrong"


class EchoingServer(BaseHTTPRequestHandler):
    """A server that answers 401 with the request's Authorization header in the reason."""

    def _echo(self):
        detail = f"Invalid token (Authorization: {self.headers.get('Authorization')})"
        body = json.dumps({"detail": detail}).encode()
        self.send_response(401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _echo

    def log_message(self, *_args):
        pass


def test_a_server_echoing_the_key_does_not_show_it(capsys, tmp_path):
    pytest.importorskip("label_studio_sdk")
    server = HTTPServer(("127.0.0.1", 0), EchoingServer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    key = "f00dfeed" * 5
    try:
        code, out, err = run(capsys, "ls", "pull", "--url", f"http://127.0.0.1:{server.server_port}",
                             "--api-key", key, "--project", "1", "-o", tmp_path / "o.json",
                             "--timeout", "10")
    finally:
        server.shutdown()
    assert code == 2 and "401" in err, err
    assert key not in err and key not in out


# ------------------------------------------------------------------ compare -o, --rules options

def test_compare_checks_its_output_before_scoring(capsys, tmp_path, monkeypatch):
    def refuse(*_args, **_kwargs):
        raise AssertionError("scoring started before the output was checked")

    monkeypatch.setattr("govtag.outputs.evaluate.evaluate_predictor", refuse)
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    code, _, err = run(capsys, "compare", "--data", tmp_path / "unused.json", "-o", blocker)
    assert code == 2 and "not a directory" in err
    (tmp_path / "out" / "comparison.json").mkdir(parents=True)
    code, _, err = run(capsys, "compare", "--data", tmp_path / "unused.json", "-o", tmp_path / "out")
    assert code == 2 and "is a directory" in err


@pytest.mark.parametrize("option", [("--stride", "5"), ("--batch-size", "4"), ("--no-quantize",),
                                    ("--device", "cpu")])
def test_model_options_with_rules_are_refused(capsys, option, no_tagging):
    code, _, err = run(capsys, "predict", "--rules", *option, REPORT)
    assert code == 2 and option[0].lstrip("-").split("-")[-1] in err and "--rules" in err
    code, _, err = run(capsys, "evaluate", "--rules", "--data", "unused.json", *option)
    assert code == 2 and "--rules" in err


# ------------------------------------------------------------------ full disk, file modes

def test_a_full_disk_names_the_file_and_keeps_the_old_one(tmp_path):
    out = tmp_path / "out.json"
    out.write_text("old", encoding="utf-8")
    limit = "import resource; resource.setrlimit(resource.RLIMIT_FSIZE, (100, 100))"
    done = subprocess.run(
        [sys.executable, "-c", f"{limit}; import sys; from govtag.cli.main import main; "
         f"sys.exit(main(sys.argv[1:]))", "predict", "--rules", "-o", str(out), str(REPORT)],
        capture_output=True, text=True, timeout=300, env={**os.environ, "PYTHONPATH": str(SRC)})
    assert done.returncode == 2, done.stderr
    line = done.stderr.strip().splitlines()[-1]
    assert line.startswith("govtag predict: error: ") and str(out) in line and "left unchanged" in line
    assert out.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


def test_saved_model_files_get_the_mode_of_the_umask(tiny_model):
    mask = os.umask(0o022)
    os.umask(mask)
    weights = tiny_model / "model.safetensors"
    assert weights.is_file()
    for file in (weights, tiny_model / "config.json"):
        assert stat.S_IMODE(file.stat().st_mode) == 0o666 & ~mask, file


@pytest.mark.slow
def test_ray_names_reports_as_predict_does(capsys, tmp_path, gbk_reports):
    pytest.importorskip("ray")
    for name in ("a/x.txt", "b/x.txt"):
        copy_report(gbk_reports / name)
    local = tmp_path / "local.jsonl"
    assert run(capsys, "predict", "--rules", "--format", "jsonl", "-o", local, gbk_reports)[0] == 0
    output = tmp_path / "ray"
    code, _, err = run(capsys, "predict", "--rules", "--engine", "ray", "--workers", "1", "-o",
                       output, gbk_reports)
    assert code == 0, err
    shards = sorted(output.glob("part-*.jsonl"))
    ray_rows = [json.loads(line) for shard in shards for line in shard.read_text("utf-8").splitlines()]
    local_rows = [json.loads(line) for line in local.read_text("utf-8").splitlines()]
    assert sorted(r["doc_id"] for r in ray_rows) == sorted(["a/x", "b/x", ESCAPED_ID])
    assert sorted(ray_rows, key=lambda r: r["doc_id"]) == sorted(local_rows, key=lambda r: r["doc_id"])


def test_a_full_standard_output_is_named(tmp_path):
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, "-m", "govtag.cli", "predict", "--rules", str(REPORT)],
                              stdout=full, stderr=subprocess.PIPE, text=True, timeout=300,
                              env={**os.environ, "PYTHONPATH": str(SRC)})
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "govtag predict: error: standard output: cannot write the output (No space left on device)"]
