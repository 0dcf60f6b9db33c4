"""Output formats of ``govtag predict`` and ``govtag preannotate``: json, jsonl, csv, labelstudio."""

from __future__ import annotations

import csv
import io
import json

from .labels import Document
from .labelstudio import document_to_task

FORMATS = ("json", "jsonl", "csv", "labelstudio")
CSV_COLUMNS = ("doc_id", "layer", "label", "start", "end", "text", "value", "unit", "low", "high",
               "approximate", "section")


def render(results: list[dict], docs: list[Document], fmt: str, model_version: str,
           scores: list[float | None] | None = None) -> str:
    """The whole output text for the reports, in one of FORMATS."""
    if fmt == "json":
        return json.dumps(results, ensure_ascii=False, indent=1) + "\n"
    if fmt == "jsonl":
        return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in results)
    if fmt == "csv":
        return _csv(results)
    if fmt == "labelstudio":
        scores = scores or [None] * len(docs)
        tasks = [document_to_task(d, as_prediction=True, model_version=model_version, score=s)
                 for d, s in zip(docs, scores)]
        return json.dumps(tasks, ensure_ascii=False, indent=1) + "\n"
    raise ValueError(f"unknown format {fmt!r} (known: {', '.join(FORMATS)})")


def _csv(results: list[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, CSV_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for result in results:
        for section in result["sections"]:
            writer.writerow({"doc_id": result["doc_id"], "layer": "section", "label": section["role"],
                             **section})
        for quantity in result["quantities"]:
            writer.writerow({"doc_id": result["doc_id"], "layer": "quantity", **quantity})
    return buffer.getvalue()
