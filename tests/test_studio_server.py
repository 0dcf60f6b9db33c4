"""govtag.outputs.studio: the labeling config file, selection, CLI wiring, and a REAL Label Studio server.

The server tests (marker ``labelstudio``) start ``label-studio`` from the separate virtualenv
``.venv-ls/`` (``scripts/install_labelstudio.sh``) on 127.0.0.1 and a free port, with a throw-away
data dir, and are skipped with a reason when it is not installed. Set ``LABEL_STUDIO_BIN`` to use
another ``label-studio`` executable. Run them with::

    scripts/install_labelstudio.sh && .venv/bin/python -m pytest -m labelstudio tests/test_studio_server.py
"""

from __future__ import annotations

import json
import math
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from govtag.cli import ls_commands as commands
from govtag.outputs import studio
from govtag.cli.main import build_parser
from govtag.cli.main import main as cli_main
from govtag.core.errors import InputError
from govtag.run.inputs import report_paths
from govtag.core.labels import Document, Span
from govtag.core.labelstudio import labeling_config, read_export

REPO = Path(__file__).resolve().parents[1]
LS_BIN = Path(os.environ.get("LABEL_STUDIO_BIN", REPO / ".venv-ls" / "bin" / "label-studio"))
START_TIMEOUT_S = 180
USER, PASSWORD = "govtag-test@example.com", "govtag-test-password"
TOKEN = "0123456789abcdef0123456789abcdef01234567"   # legacy token, made known at start-up

# Three made-up reports (not corpus text): Traditional characters, full-width digits, township
# style with a blanked year and place; and a fourth that is never annotated.
REPORTS = {
    "county_traditional": "某縣2023年政府工作報告\n一、工作回顧\n全年新增高標準農田1.85萬畝，發放補貼1431萬元，"
                          "惠及農戶3200戶。\n二、存在問題\n部分項目進度偏慢，資金缺口達15%。\n",
    "city_fullwidth": "一、主要成绩\n地区生产总值增长１２．８％，新建道路４公里，新增就业２０００人。\n"
                      "二、下一步计划\n力争城镇化率提高２个百分点。\n",
    "township_blank": "xx镇20__年工作总结\n一、工作成效\n全镇完成造林598亩，帮扶195户705人。\n"
                      "二、存在的问题\n基础设施仍较薄弱。\n三、20__年工作计划\n计划投入资金20万元，硬化道路3.5公里。\n",
}
UNANNOTATED = ("village_plan", "yy村20__年工作计划\n下一步将新修水渠3公里，改造危房12户。\n")

HAND = {  # (substring, label, layer) used when govtag.rules.tagger is not importable
    "county_traditional": [("全年新增高標準農田1.85萬畝，發放補貼1431萬元，惠及農戶3200戶。", "成绩", "section"),
                           ("部分項目進度偏慢，資金缺口達15%。", "问题", "section"),
                           ("1.85萬畝", "AREA", "quantity"), ("1431萬元", "MONEY", "quantity"),
                           ("3200戶", "COUNT", "quantity"), ("15%", "PERCENT", "quantity")],
    "city_fullwidth": [("地区生产总值增长１２．８％，新建道路４公里，新增就业２０００人。", "成绩", "section"),
                       ("１２．８％", "PERCENT", "quantity"), ("４公里", "MEASURE", "quantity"),
                       ("２０００人", "COUNT", "quantity")],
    "township_blank": [("全镇完成造林598亩，帮扶195户705人。", "成绩", "section"),
                       ("598亩", "AREA", "quantity"), ("195户", "COUNT", "quantity"),
                       ("705人", "COUNT", "quantity"), ("20万元", "MONEY", "quantity")],
    "village_plan": [("下一步将新修水渠3公里，改造危房12户。", "计划", "section"),
                     ("3公里", "MEASURE", "quantity"), ("12户", "COUNT", "quantity")],
}


def _hand_document(doc_id: str, text: str) -> Document:
    spans = []
    for piece, label, layer in HAND[doc_id]:
        start = text.index(piece)
        spans.append(Span(start, start + len(piece), label, layer))
    return Document(doc_id, text, spans)


def _predict(doc_id: str, text: str) -> Document:
    try:
        from govtag.rules.tagger import tag_document
    except ImportError:
        return _hand_document(doc_id, text)
    return tag_document(text, doc_id)


def _have_rules() -> bool:
    try:
        from govtag.rules.tagger import tag_document  # noqa: F401
    except ImportError:
        return False
    return True


# --------------------------------------------------------------------------- no server needed


def test_labeling_config_file_is_generated_from_the_code():
    path = REPO / "annotations" / "labeling_config.xml"
    assert path.read_text(encoding="utf-8") == labeling_config(), (
        "annotations/labeling_config.xml drifted from govtag.core.labelstudio.labeling_config(); "
        "regenerate it: python -c \"from govtag.core.labelstudio import labeling_config; "
        "print(labeling_config(), end='')\" > annotations/labeling_config.xml")


def test_select_uncertain_lowest_confidence_first_ties_by_id_nan_first():
    scores = {"a": 0.9, "b": 0.4, "c": 0.4, "d": float("nan"), "e": 0.7}
    texts = {doc_id: doc_id for doc_id in scores}
    picked = studio.select_uncertain(texts, scores.__getitem__, 3)
    assert [d for d, _ in picked] == ["d", "b", "c"]
    assert math.isnan(picked[0][1]) and picked[1][1] == 0.4
    assert studio.select_uncertain(texts, scores.__getitem__, 0) == []
    assert len(studio.select_uncertain(texts, scores.__getitem__, 99)) == 5
    with pytest.raises(ValueError):
        studio.select_uncertain(texts, scores.__getitem__, -1)


def test_connect_without_url_or_key_says_what_is_missing(monkeypatch):
    monkeypatch.delenv(studio.ENV_URL, raising=False)
    monkeypatch.delenv(studio.ENV_API_KEY, raising=False)
    with pytest.raises(studio.StudioError, match="LABEL_STUDIO_URL.*LABEL_STUDIO_API_KEY"):
        studio.connect()
    with pytest.raises(studio.StudioError, match="LABEL_STUDIO_API_KEY"):
        studio.connect("http://127.0.0.1:9")


def test_ls_commands_are_registered_and_return_exit_codes(tmp_path, monkeypatch, capsys):
    parser = build_parser()
    args = parser.parse_args(["ls", "push", "--project", "p", "--rules", "a.txt"])
    assert args.run is commands.run_ls_push and args.rules and args.paths == ["a.txt"]
    args = parser.parse_args(["ls", "pull", "--project", "p", "-o", "out.json"])
    assert args.run is commands.run_ls_pull
    args = parser.parse_args(["ls", "select", "3", "x"])
    assert args.run is commands.run_ls_select and args.n == 3
    # a missing report and a missing server are clear errors with exit code 2, no traceback
    monkeypatch.delenv(studio.ENV_URL, raising=False)
    assert cli_main(["ls", "push", "--project", "p", "--rules", str(tmp_path / "nope.txt")]) == 2
    assert "no such file" in capsys.readouterr().err
    assert cli_main(["ls", "pull", "--project", "p", "-o", str(tmp_path / "o.json")]) == 2
    assert "LABEL_STUDIO_URL" in capsys.readouterr().err


def test_report_paths_reads_directories_and_refuses_duplicate_ids(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "r1.txt").write_text("一、工作回顾\n", encoding="utf-8")
    (tmp_path / "a" / "note.md").write_text("x", encoding="utf-8")
    assert list(report_paths([tmp_path / "a"])) == ["r1"]
    (tmp_path / "b" / "r1.txt").write_text("二、存在问题\n", encoding="utf-8")
    with pytest.raises(InputError, match="two reports with doc_id 'r1'"):
        report_paths([tmp_path / "a", tmp_path / "b"])


# --------------------------------------------------------------------------- real server


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=5) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


@pytest.fixture(scope="session")
def ls_server():
    """(url, token) of a fresh Label Studio server on 127.0.0.1; stopped and wiped afterwards."""
    if not LS_BIN.exists():
        pytest.skip(f"Label Studio server not installed ({LS_BIN} missing): "
                    "run scripts/install_labelstudio.sh")
    data_dir = Path(tempfile.mkdtemp(prefix="govtag-ls-"))
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = dict(os.environ,
               LATEST_VERSION_CHECK="false",                  # no PyPI call at start-up
               LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN="true",   # let --user-token authenticate
               LABEL_STUDIO_BASE_DATA_DIR=str(data_dir),
               COLLECT_ANALYTICS="false")
    for name in ("LABEL_STUDIO_URL", "LABEL_STUDIO_API_KEY", "LABEL_STUDIO_HOST", "DJANGO_DB"):
        env.pop(name, None)
    log = open(data_dir / "server.log", "wb")
    proc = subprocess.Popen(
        [str(LS_BIN), "start", "--no-browser", "--internal-host", "127.0.0.1", "--port", str(port),
         "--host", url, "--data-dir", str(data_dir / "data"), "--username", USER,
         "--password", PASSWORD, "--user-token", TOKEN],
        stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env,
        cwd=data_dir, start_new_session=True)
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not _healthy(url):
            if proc.poll() is not None or time.monotonic() > deadline:
                log.flush()
                tail = (data_dir / "server.log").read_text(errors="replace")[-3000:]
                why = (f"exited with {proc.returncode}" if proc.returncode is not None
                       else f"did not answer within {START_TIMEOUT_S} s")
                pytest.fail(f"Label Studio server {why}; log tail:\n{tail}")
            time.sleep(1)
        yield url, TOKEN
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=20)
        log.close()
        shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def client(ls_server):
    url, token = ls_server
    return studio.connect(url, token, timeout=60)


def _spans(doc: Document) -> list[tuple]:
    return sorted((s.layer, s.start, s.end, s.label) for s in doc.spans)


def _task_ids(client, project_id: int) -> dict[str, int]:
    return {t.data["doc_id"]: t.id for t in client.tasks.list(project=project_id, fields="all")}


@pytest.mark.labelstudio
@pytest.mark.slow
def test_push_annotate_pull_round_trip(client, ls_server, tmp_path, capsys):
    url, token = ls_server
    title = "govtag round trip"
    docs = [_predict(doc_id, text) for doc_id, text in REPORTS.items()]
    for doc in docs:
        assert doc.layer("quantity"), f"{doc.doc_id}: pre-annotation found no quantity"

    first = studio.push(client, title, docs, model_version="test-rules")
    assert (first.project_created, first.created, first.skipped) == (True, 3, 0)
    again = studio.push(client, title, docs, model_version="test-rules")
    assert (again.project_created, again.created, again.skipped) == (False, 0, 3)
    assert sorted(again.skipped_ids) == sorted(REPORTS)
    assert again.project_id == first.project_id

    # the fourth report goes in through the command line, as a user would push it
    report = tmp_path / f"{UNANNOTATED[0]}.txt"
    report.write_text(UNANNOTATED[1], encoding="utf-8")
    if _have_rules():
        code = cli_main(["ls", "push", "--url", url, "--api-key", token, "--project", title,
                            "--rules", str(report)])
        assert code == 0, capsys.readouterr().err
        assert "1 task(s) created" in capsys.readouterr().out
    else:
        studio.push(client, title, [_hand_document(*UNANNOTATED)], model_version="hand")

    # the tasks carry the text, the doc_id and the prediction exactly as pushed
    project_id = first.project_id
    tasks = {t.data["doc_id"]: t for t in client.tasks.list(project=project_id, fields="all")}
    assert set(tasks) == set(REPORTS) | {UNANNOTATED[0]}
    by_id = {d.doc_id: d for d in docs}
    for doc_id, doc in by_id.items():
        task = tasks[doc_id]
        assert task.data["text"] == doc.text
        (prediction,) = task.predictions
        assert prediction.model_version == "test-rules"
        from govtag.core.labelstudio import document_results
        assert prediction.result == document_results(doc)

    # an annotator accepts the pre-annotation of every task; for one task they then edit a
    # span: the first quantity gets another label and its end moves one character left
    expected = {}
    for doc_id, doc in by_id.items():
        task = tasks[doc_id]
        result = [dict(item, value=dict(item["value"])) for item in task.predictions[0].result]
        annotation = client.annotations.create(task.id, result=result, lead_time=12.5)
        expected[doc_id] = _spans(doc)
        if doc_id == "city_fullwidth":
            item = next(i for i in result if i["from_name"] == "quantity")
            old = Span(item["value"]["start"], item["value"]["end"], item["value"]["labels"][0],
                       "quantity")
            new_label = "COUNT" if old.label != "COUNT" else "MEASURE"
            new_end = old.end - 1
            item["value"].update(end=new_end, text=doc.text[old.start:new_end],
                                 labels=[new_label])
            client.annotations.update(annotation.id, result=result)
            expected[doc_id] = sorted(
                ("quantity", old.start, new_end, new_label) if s == ("quantity", old.start,
                                                                    old.end, old.label) else s
                for s in expected[doc_id])
            assert expected[doc_id] != _spans(doc)

    pulled, rejected = studio.pull(client, title)
    assert {d.doc_id: _spans(d) for d in pulled} == expected
    for d in pulled:
        assert d.text == REPORTS[d.doc_id]
    # the task nobody annotated is reported, not dropped
    assert [(r.doc_id, r.reason.split(" (")[0]) for r in rejected] == \
        [(UNANNOTATED[0], studio.NOT_ANNOTATED)]
    assert rejected[0].task_id == tasks[UNANNOTATED[0]].id

    # pull through the command line writes a training file that reads back the same spans
    out = tmp_path / "round1.json"
    code = cli_main(["ls", "pull", "--url", url, "--api-key", token, "--project",
                        str(project_id), "-o", str(out)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "wrote 3 annotated document(s)" in captured.out
    assert UNANNOTATED[0] in captured.err and "not annotated" in captured.err
    assert {d.doc_id: _spans(d) for d in read_export(out)} == expected
    exported = json.loads(out.read_text(encoding="utf-8"))
    assert all(t["annotations"][0]["result"] for t in exported)


@pytest.mark.labelstudio
@pytest.mark.slow
def test_pull_rejects_broken_annotations_with_reasons(client):
    title = "govtag broken annotations"
    text = "一、工作回顾\n新增就业2000人，增长5%。\n"
    doc = Document("broken", text, [Span(7, 23, "成绩", "section")])
    doc2 = Document("skipped", text, [])
    push = studio.push(client, title, [doc, doc2], model_version="hand")
    ids = _task_ids(client, push.project_id)

    def item(start, end, label, layer, shown=None):
        return {"from_name": layer, "to_name": "text", "type": "labels",
                "value": {"start": start, "end": end, "labels": [label],
                          "text": text[start:end] if shown is None else shown}}

    # overlapping section spans and a value.text that does not match its offsets
    client.annotations.create(ids["broken"], result=[
        item(7, 15, "成绩", "section"), item(10, 20, "计划", "section"),
        item(11, 16, "COUNT", "quantity", shown="2000")])
    client.annotations.create(ids["skipped"], result=[], was_cancelled=True)
    docs, rejected = studio.pull(client, push.project_id)
    assert docs == []
    reasons = {r.doc_id: r.reason for r in rejected}
    assert "overlapping" in reasons["broken"] or "value.text" in reasons["broken"]
    assert reasons["skipped"].startswith(studio.NOT_ANNOTATED) and "skipped" in reasons["skipped"]


@pytest.mark.labelstudio
@pytest.mark.slow
def test_push_refuses_a_project_with_another_config(client):
    client.projects.create(title="govtag other config",
                           label_config='<View><Text name="text" value="$text"/>'
                                        '<Choices name="c" toName="text"><Choice value="x"/>'
                                        '</Choices></View>')
    with pytest.raises(studio.StudioError, match="different labeling config"):
        studio.push(client, "govtag other config", [_hand_document(*UNANNOTATED)], "hand")
