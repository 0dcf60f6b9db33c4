"""Output formats of ``govtag predict`` and ``govtag preannotate``: json, jsonl, csv, labelstudio.

Offsets in json, jsonl and csv results index the text (``offsets: "text"``: BOM removed, line
ends made ``\\n``) or the file as it is on disk (``offsets: "file"``); each result says which.
"""

from __future__ import annotations

import csv
import io
import json

from .errors import UsageError
from .labels import Document
from .text import file_offsets
from .labelstudio import document_to_task

FORMATS = ("json", "jsonl", "csv", "labelstudio")
OFFSETS = ("text", "file")
CSV_COLUMNS = ("doc_id", "layer", "label", "start", "end", "text", "value", "unit", "low", "high",
               "approximate", "section", "offsets")


def with_offsets(result: dict, offsets: str, raw: str | None = None) -> dict:
    """``result`` (from ``predict.analyse``) marked with what its offsets index.

    ``offsets="file"`` moves every start/end to code points of ``raw``, the report as decoded
    from the file (BOM and ``\\r\\n`` counted); the span texts stay the same.
    """
    if offsets not in OFFSETS:
        raise UsageError(f"unknown offsets {offsets!r} (known: {', '.join(OFFSETS)})")
    positions = file_offsets(raw) if offsets == "file" and raw is not None else None
    moved = {key: value for key, value in result.items() if key not in ("sections", "quantities")}
    moved["offsets"] = offsets
    for key in ("sections", "quantities"):
        moved[key] = [_moved(part, positions) for part in result[key]]
    return moved


def _moved(part: dict, positions: list[int] | None) -> dict:
    if positions is None:
        return part
    return {**part, "start": positions[part["start"]], "end": positions[part["end"]]}


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
    raise UsageError(f"unknown format {fmt!r} (known: {', '.join(FORMATS)})")


def _csv(results: list[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, CSV_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for result in results:
        for section in result["sections"]:
            writer.writerow({"doc_id": result["doc_id"], "layer": "section", "label": section["role"],
                             "offsets": result.get("offsets", "text"), **section})
        for quantity in result["quantities"]:
            writer.writerow({"doc_id": result["doc_id"], "layer": "quantity",
                             "offsets": result.get("offsets", "text"), **quantity})
    return buffer.getvalue()
