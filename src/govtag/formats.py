"""A report's result (``analyse``) and the output formats of ``govtag predict`` and ``govtag
preannotate``: json, jsonl, csv, labelstudio, parquet; rule spans as JSON lines or silver tasks.

Offsets in json, jsonl, csv and parquet results index the text (``offsets: "text"``: BOM
removed, line ends made ``\\n``) or the file as it is on disk (``offsets: "file"``); each result
says which. Every quantity carries the fields of ``analyse`` (value, unit, low, high,
approximate, placeholder, qualifier, per, change, section, status, relation, total); in
labelstudio tasks they are the region's ``meta``. Parquet (``render_bytes``) holds one row per
quantity with its report's doc_id, for pandas and Spark. CSV text cells a spreadsheet would take
for a formula start with ``'``.
"""

from __future__ import annotations

import csv
import io
import json

from .errors import UsageError
from .labels import QUANTITY, SECTION, Document, Span
from .labelstudio import document_to_task
from .text import file_offsets

FORMATS = ("json", "jsonl", "csv", "labelstudio", "parquet")
BINARY_FORMATS = ("parquet",)
OFFSETS = ("text", "file")
CSV_COLUMNS = ("doc_id", "layer", "label", "start", "end", "text", "value", "unit", "low", "high",
               "approximate", "placeholder", "qualifier", "per", "change", "section", "status", "relation",
               "total", "offsets")
QUANTITY_FIELDS = ("label", "start", "end", "text", "value", "unit", "low", "high", "approximate",
                   "placeholder", "qualifier", "per", "change", "section", "status", "relation", "total")
META_FIELDS = QUANTITY_FIELDS[4:]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def analyse(doc: Document) -> dict:
    """A report's result: sections, and quantities with normalised values, what the words around
    them say (qualifier, per, change, placeholder; see ``govtag.quantity_context``), their section,
    and what they are (status, relation, total; see ``govtag.quantity_kind``)."""
    from .quantity_context import describe_quantities
    from .quantity_kind import classify
    from .report import Report

    report, sections = Report(doc.text), doc.layer(SECTION)
    quantities = classify(report, [{**quantity, "section": section_at(sections, quantity["start"])}
                                   for quantity in describe_quantities(report, doc.layer(QUANTITY))])
    return {
        "doc_id": doc.doc_id,
        "sections": [{"role": s.label, "start": s.start, "end": s.end, "text": doc.text[s.start:s.end]}
                     for s in sections],
        "quantities": quantities,
    }


def section_at(sections: list[Span], offset: int) -> str | None:
    """The role of the section span covering ``offset``, else None."""
    for span in sections:
        if span.start <= offset < span.end:
            return span.label
    return None


def with_offsets(result: dict, offsets: str, raw: str | None = None) -> dict:
    """``result`` (from ``analyse``) marked with what its offsets index.

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
        return json_text(results)
    if fmt == "jsonl":
        return json_lines(results)
    if fmt == "csv":
        return _csv(results)
    if fmt == "labelstudio":
        scores = scores or [None] * len(docs)
        tasks = [_with_meta(document_to_task(d, as_prediction=True, model_version=model_version, score=s), r)
                 for d, s, r in zip(docs, scores, results or [None] * len(docs))]
        return json_text(tasks)
    if fmt in BINARY_FORMATS:
        raise UsageError(f"--format {fmt} is binary: give an output file with -o")
    raise UsageError(f"unknown format {fmt!r} (known: {', '.join(FORMATS)})")


def json_text(value) -> str:
    """``value`` as indented JSON (Chinese kept as is) and a final newline."""
    return json.dumps(value, ensure_ascii=False, indent=1) + "\n"


def json_lines(rows: list[dict]) -> str:
    """One JSON object a line."""
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)


def span_lines(docs: list[Document]) -> str:
    """``preannotate --format jsonl``: per report its doc_id, text and spans of both layers."""
    return json_lines([{"doc_id": d.doc_id, "text": d.text,
                        "spans": [{"layer": s.layer, "label": s.label, "start": s.start, "end": s.end,
                                   "text": d.text[s.start:s.end]}
                                  for s in d.layer(SECTION) + d.layer(QUANTITY)]} for d in docs])


def silver_tasks(docs: list[Document]) -> str:
    """``preannotate --format silver``: tasks whose annotations are the documents' spans."""
    return json_text([document_to_task(d) for d in docs])


def _csv(results: list[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, CSV_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for result in results:
        for section in result["sections"]:
            writer.writerow(spreadsheet_safe({"doc_id": result["doc_id"], "layer": "section",
                                              "label": section["role"],
                                              "offsets": result.get("offsets", "text"), **section}))
        for quantity in result["quantities"]:
            writer.writerow(spreadsheet_safe({"doc_id": result["doc_id"], "layer": "quantity",
                                              "offsets": result.get("offsets", "text"), **quantity}))
    return buffer.getvalue()


def spreadsheet_safe(row: dict) -> dict:
    """``row`` with every text cell that a spreadsheet would run as a formula (starting with
    ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) given a leading ``'``; numbers stay."""
    return {key: "'" + value if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value
            for key, value in row.items()}


def _with_meta(task: dict, result: dict | None) -> dict:
    """The task with each quantity region's fields (value, unit, qualifier …) as its ``meta``:
    ``meta.text`` is the line Label Studio shows, the other keys the fields themselves."""
    if not result:
        return task
    by_offsets = {(q["start"], q["end"]): q for q in result["quantities"]}
    for prediction in task.get("predictions", []):
        for item in prediction["result"]:
            quantity = by_offsets.get((item["value"]["start"], item["value"]["end"]))
            if item["from_name"] == "quantity" and quantity:
                fields = {key: quantity.get(key) for key in META_FIELDS}
                item["meta"] = {"text": [_meta_line(fields)], **fields}
    return task


def _meta_line(fields: dict) -> str:
    return " ".join(f"{key}={value}" for key, value in fields.items()
                    if value not in (None, False, "") and key != "approximate")


def render_bytes(results: list[dict], fmt: str) -> bytes:
    """The whole output of a binary format (parquet) for the reports."""
    if fmt == "parquet":
        return _parquet(results)
    raise UsageError(f"{fmt!r} is not a binary format (binary: {', '.join(BINARY_FORMATS)})")


def quantity_rows(results: list[dict]) -> list[dict]:
    """One flat row per quantity: its report's doc_id and offsets kind, then every field."""
    return [{"doc_id": result["doc_id"], "offsets": result.get("offsets", "text"),
             **{key: quantity.get(key) for key in QUANTITY_FIELDS}}
            for result in results for quantity in result["quantities"]]


def _parquet(results: list[dict]) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    number = pa.float64()
    schema = pa.schema([("doc_id", pa.string()), ("offsets", pa.string()), ("label", pa.string()),
                        ("start", pa.int64()), ("end", pa.int64()), ("text", pa.string()),
                        ("value", number), ("unit", pa.string()), ("low", number), ("high", number),
                        ("approximate", pa.bool_()), ("placeholder", pa.bool_()),
                        ("qualifier", pa.string()), ("per", pa.string()), ("change", pa.string()),
                        ("section", pa.string()), ("status", pa.string()), ("relation", pa.string()),
                        ("total", pa.bool_())])
    table = pa.Table.from_pylist(quantity_rows(results), schema=schema)
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()
