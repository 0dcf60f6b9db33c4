"""Label Studio JSON: read exports into documents, write documents as tasks, labeling config.

The converters are lossless: export -> documents -> tasks gives back the same spans with the same
offsets. Label Studio's own converters split text on spaces, which garbles Chinese, so they are
not used. Every item is checked: ``value.text`` must equal the text at its offsets, labels must be
known, offsets inside the text, and no two spans of one layer may overlap.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import quoteattr

from govtag.core.errors import GovtagError
from govtag.core.labels import LABEL_COLOURS, LAYERS, AnnotationError, Document, Span, check_document, check_span
from govtag.core.io import write_json_atomic

TO_NAME = "text"
_LABEL_COLORS = LABEL_COLOURS


class ExportError(GovtagError, ValueError):
    """A Label Studio export or task does not follow the annotation contract."""


@dataclass
class Rejected:
    """A task that could not be turned into a document, and why."""

    task_id: object
    doc_id: str | None
    reason: str


def labeling_config() -> str:
    """The Label Studio labeling config, generated from the label layers."""
    lines = ["<View>", f'  <Text name="{TO_NAME}" value="$text" granularity="symbol"/>']
    for layer, labels in LAYERS.items():
        lines.append(f'  <Labels name="{layer}" toName="{TO_NAME}">')
        for label in labels:
            color = quoteattr(_LABEL_COLORS.get(label, "#888888"))
            lines.append(f"    <Label value={quoteattr(label)} background={color}/>")
        lines.append("  </Labels>")
    lines.append("</View>")
    return "\n".join(lines) + "\n"


def task_to_document(task: dict, source: str = "annotations") -> Document:
    """One task's text and its latest non-cancelled annotation (or first prediction) as a document."""
    if not isinstance(task, dict) or not isinstance(task.get("data"), dict):
        raise ExportError("task has no 'data' object")
    text = task["data"].get("text")
    if not isinstance(text, str):
        raise ExportError("task data has no 'text' string")
    doc_id = str(task["data"].get("doc_id") or task.get("id") or "")
    results = _results(task, source)
    if not all(isinstance(item, dict) for item in results):
        raise ExportError("a result item is not a JSON object")
    spans = [_result_to_span(item, text) for item in results if item.get("type", "labels") == "labels"]
    doc = Document(doc_id, text, spans)
    try:
        check_document(doc)
    except AnnotationError as err:
        raise ExportError(str(err)) from err
    return doc


def _results(task: dict, source: str) -> list[dict]:
    entries = task.get(source)
    if entries is None and source == "annotations":
        entries = task.get("completions")
    if not isinstance(entries, list):
        raise ExportError(f"task has no '{source}' list")
    usable = [e for e in entries if isinstance(e, dict) and not e.get("was_cancelled")]
    if not usable:
        raise ExportError(f"task has no usable {source[:-1]}")
    chosen = max(usable, key=lambda e: str(e.get("updated_at") or e.get("created_at") or ""))
    result = chosen.get("result")
    if not isinstance(result, list):
        raise ExportError(f"{source[:-1]} has no 'result' list")
    return result


def _result_to_span(item: dict, text: str) -> Span:
    layer = item.get("from_name")
    value = item.get("value")
    if layer not in LAYERS:
        raise ExportError(f"result item from unknown from_name {layer!r} (known: {', '.join(LAYERS)})")
    if not isinstance(value, dict):
        raise ExportError(f"result item {item.get('id')!r} has no 'value' object")
    try:
        start, end = value["start"], value["end"]
        (label,) = value["labels"]
    except (KeyError, TypeError, ValueError) as err:
        raise ExportError(
            f"result item {item.get('id')!r} needs integer start/end and exactly one label") from err
    start, end = _offset(item, "start", start), _offset(item, "end", end)
    span = Span(start, end, label, layer)
    try:
        check_span(span, text)
    except AnnotationError as err:
        raise ExportError(str(err)) from err
    if "text" in value and value["text"] != text[start:end]:
        raise ExportError(
            f"offsets ({start}, {end}) hold {text[start:end]!r} but value.text is {value['text']!r}")
    return span


def _offset(item: dict, key: str, value) -> int:
    """An offset as an int: ints, and floats that are whole numbers (109.0); nothing else."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise ExportError(f"result item {item.get('id')!r}: {key} {value!r} is not a whole number "
                      "(offsets count characters)")


def parse_tasks(tasks: object, source: str = "annotations") -> tuple[list[Document], list[Rejected]]:
    """Documents from a task list, plus the tasks rejected with their reasons."""
    if not isinstance(tasks, list):
        raise ExportError("a Label Studio export is a JSON list of tasks")
    docs, rejected = [], []
    for index, task in enumerate(tasks):
        task_id = task.get("id", index) if isinstance(task, dict) else index
        try:
            docs.append(task_to_document(task, source))
        except ExportError as err:
            data = task.get("data") if isinstance(task, dict) else None
            doc_id = data.get("doc_id") if isinstance(data, dict) else None
            rejected.append(Rejected(task_id, doc_id, str(err)))
    return docs, rejected


def load_tasks(path: str | Path) -> list:
    path = Path(path)
    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError as err:
        raise ExportError(f"{path}: no such file") from err
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ExportError(f"{path}: not a JSON Label Studio export ({err})") from err


_JSON_TYPES = {dict: "object", str: "string", int: "number", float: "number", bool: "boolean",
               type(None): "null"}


def read_export(path: str | Path) -> list[Document]:
    """All documents of an export; any bad task stops with an error naming it and the reason.

    An export that is not a list of tasks, or holds no task, is an error naming the file.
    """
    tasks = load_tasks(path)
    if not isinstance(tasks, list):
        raise ExportError(f"{path}: a Label Studio export is a JSON list of tasks, this file holds "
                          f"a JSON {_JSON_TYPES.get(type(tasks), type(tasks).__name__)}")
    if not tasks:
        raise ExportError(f"{path}: the export holds no tasks (an empty list)")
    docs, rejected = parse_tasks(tasks)
    if rejected:
        problems = "\n".join(f"  task {r.task_id} ({r.doc_id}): {r.reason}" for r in rejected[:20])
        raise ExportError(f"{path}: {len(rejected)} bad task(s):\n{problems}")
    return docs


def span_to_result(span: Span, text: str, item_id: str) -> dict:
    return {
        "id": item_id,
        "from_name": span.layer,
        "to_name": TO_NAME,
        "type": "labels",
        "value": {"start": span.start, "end": span.end, "text": text[span.start:span.end],
                  "labels": [span.label]},
    }


def document_results(doc: Document) -> list[dict]:
    spans = doc.layer("section") + doc.layer("quantity")
    return [span_to_result(s, doc.text, f"{s.layer[0]}{i}") for i, s in enumerate(spans)]


def document_to_task(doc: Document, as_prediction: bool = False, model_version: str = "",
                     score: float | None = None) -> dict:
    """A task with the document's spans as an annotation or as a prediction."""
    task = {"data": {"text": doc.text, "doc_id": doc.doc_id}}
    results = document_results(doc)
    if as_prediction:
        prediction = {"model_version": model_version, "result": results}
        if score is not None:
            prediction["score"] = score
        task["predictions"] = [prediction]
    else:
        task["annotations"] = [{"result": results}]
    return task


def write_tasks(docs: list[Document], path: str | Path, **task_options) -> None:
    write_json_atomic(path, [document_to_task(d, **task_options) for d in docs])
