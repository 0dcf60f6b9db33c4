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

from govtag.core.errors import UsageError
from govtag.core.labels import QUANTITY, SECTION, Document
from govtag.core.labelstudio import document_to_task
from govtag.outputs.results import META_FIELDS, QUANTITY_FIELDS, ReportResult, arrow_type, section_at
from govtag.core.text import file_offsets
from govtag.outputs.writers import Output, formats, register_writer, writer

__all__ = ["analyse", "section_at", "with_offsets", "render", "render_bytes", "FORMATS",
           "BINARY_FORMATS", "OFFSETS", "CSV_COLUMNS", "QUANTITY_FIELDS", "META_FIELDS"]
OFFSETS = ("text", "file")
CSV_COLUMNS = ("doc_id", "layer", *QUANTITY_FIELDS, "offsets")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def analyse(doc: Document) -> dict:
    """A report's result: sections, and quantities with normalised values, what the words around
    them say (qualifier, per, change, placeholder; see ``govtag.rules.quantity_context``), their
    section, and what they are (status, relation, total; see ``govtag.rules.quantity_kind``), as a dict
    (``results.ReportResult.of(doc)`` is the typed one)."""
    return ReportResult.of(doc).as_dict()


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
    chosen = writer(fmt)
    if chosen.binary:
        raise UsageError(f"--format {fmt} is binary: give an output file with -o")
    return chosen.write(Output(results, docs, model_version, scores))


@register_writer("json")
def _json(output: Output) -> str:
    return json_text(output.results)


@register_writer("jsonl")
def _jsonl(output: Output) -> str:
    return json_lines(output.results)


@register_writer("csv")
def _csv_writer(output: Output) -> str:
    return _csv(output.results)


@register_writer("labelstudio")
@register_writer("labelstudio", command="preannotate")
def _labelstudio(output: Output) -> str:
    docs = output.docs
    scores = output.scores or [None] * len(docs)
    tasks = [_with_meta(document_to_task(d, as_prediction=True, model_version=output.model_version, score=s), r)
             for d, s, r in zip(docs, scores, output.results or [None] * len(docs))]
    return json_text(tasks)


def json_text(value) -> str:
    """``value`` as indented JSON (Chinese kept as is) and a final newline."""
    return json.dumps(value, ensure_ascii=False, indent=1) + "\n"


def json_lines(rows: list[dict]) -> str:
    """One JSON object a line."""
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)


@register_writer("jsonl", command="preannotate")
def _span_lines(output: Output) -> str:
    return span_lines(output.docs)


@register_writer("silver", command="preannotate")
def _silver(output: Output) -> str:
    return silver_tasks(output.docs)


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
    chosen = writer(fmt)
    if not chosen.binary:
        raise UsageError(f"{fmt!r} is not a binary format (binary: {', '.join(BINARY_FORMATS)})")
    return chosen.write(Output(results))


def quantity_rows(results: list[dict]) -> list[dict]:
    """One flat row per quantity: its report's doc_id and offsets kind, then every field."""
    return [{"doc_id": result["doc_id"], "offsets": result.get("offsets", "text"),
             **{key: quantity.get(key) for key in QUANTITY_FIELDS}}
            for result in results for quantity in result["quantities"]]


@register_writer("parquet", binary=True)
def _parquet(output: Output) -> bytes:
    import pyarrow as pa  # a large import, only for this format
    import pyarrow.parquet as pq

    columns = [("doc_id", pa.string()), ("offsets", pa.string())]
    columns += [(name, getattr(pa, arrow_type(name))()) for name in QUANTITY_FIELDS]
    table = pa.Table.from_pylist(quantity_rows(output.results), schema=pa.schema(columns))
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()


FORMATS = formats("predict")
BINARY_FORMATS = tuple(name for name in FORMATS if writer(name).binary)
