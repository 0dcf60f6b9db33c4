"""Evaluation of predicted documents against gold: span and character metrics for both layers.

Span metrics use seqeval in strict mode with the IOB2 scheme over char-level tags; one sequence is
one whole document (not a sentence), so a section span that runs over several sentences is scored
as the one span it is. The ``section`` layer is also scored per character (each char takes the role
of the span covering it, else ``O``): P/R/F1 per role, macro F1 over the three roles, and a
confusion matrix (rows gold, columns predicted). A metric with nothing to score (no gold and no
predicted spans or chars of that kind) is ``None``, and such roles are left out of the macro F1.
"""

from __future__ import annotations

import csv
import io
import warnings
from functools import lru_cache
from pathlib import Path
from typing import Callable

from seqeval.metrics import classification_report
from matplotlib import font_manager
from matplotlib.ft2font import FT2Font
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from seqeval.scheme import IOB2
from sklearn.metrics import confusion_matrix, precision_recall_fscore_support
from tqdm import tqdm

from govtag.core.errors import InputError
from govtag.outputs.formats import spreadsheet_safe
from govtag.core.io import write_bytes_atomic, write_json_atomic, write_text_atomic
from govtag.core.labels import (LAYERS, OUTSIDE, QUANTITY, ROLE_ASCII_NAMES, SECTION, Document, char_roles, check_document,
                     spans_to_tags)

ROLES = LAYERS[SECTION]
CONFUSION_LABELS = (*ROLES, OUTSIDE)
ASCII_ROLE_NAMES = ROLE_ASCII_NAMES
SEQUENCE_UNIT = "document"
DOCUMENT_COLUMNS = ("doc_id", "chars", "quantity_f1", "section_span_f1", "section_char_macro_f1",
                    "problem_char_f1")
PROBLEM = ROLES[1]  # 问题, the rare role that reading sentences is for


# ---------------------------------------------------------------- pairing and evaluation

def pair_documents(gold: list[Document], predicted: list[Document]) -> list[tuple[Document, Document]]:
    """(gold, prediction) pairs by doc_id; InputError on duplicates, gaps or differing texts."""
    predicted_by_id = _unique_by_id(predicted, "predicted")
    _unique_by_id(gold, "gold")
    missing = [doc.doc_id for doc in gold if doc.doc_id not in predicted_by_id]
    if missing:
        raise InputError(f"no prediction for {len(missing)} gold document(s): {', '.join(missing[:10])}")
    pairs = [(doc, predicted_by_id[doc.doc_id]) for doc in gold]
    for gold_doc, predicted_doc in pairs:
        _check_same_text(gold_doc, predicted_doc)
        check_document(gold_doc)
        check_document(predicted_doc)
    return pairs


def _unique_by_id(docs: list[Document], kind: str) -> dict[str, Document]:
    by_id: dict[str, Document] = {}
    for doc in docs:
        if doc.doc_id in by_id:
            raise InputError(f"duplicate {kind} doc_id {doc.doc_id!r}")
        by_id[doc.doc_id] = doc
    return by_id


def _check_same_text(gold_doc: Document, predicted_doc: Document) -> None:
    if gold_doc.text == predicted_doc.text:
        return
    first_diff = next((i for i, (a, b) in enumerate(zip(gold_doc.text, predicted_doc.text)) if a != b),
                      min(len(gold_doc.text), len(predicted_doc.text)))
    raise InputError(
        f"document {gold_doc.doc_id!r}: predicted text differs from gold (lengths "
        f"{len(gold_doc.text)} vs {len(predicted_doc.text)}, first difference at offset {first_diff})")


def evaluate_documents(gold: list[Document], predicted: list[Document]) -> dict:
    """The full report (JSON-serialisable) for predictions paired with gold by doc_id."""
    pairs = pair_documents(gold, predicted)
    report = {
        "sequence_unit": SEQUENCE_UNIT,
        "documents": len(pairs),
        "chars": sum(len(g.text) for g, _ in pairs),
        "quantity": layer_span_scores(pairs, QUANTITY),
        "section": {"span": layer_span_scores(pairs, SECTION), "char": section_char_scores(pairs)},
        "per_document": [document_row(g, p) for g, p in pairs],
    }
    return report


def evaluate_predictor(predict: Callable[[str, str], Document], gold: list[Document],
                       progress: bool = True) -> dict:
    """Run ``predict(text, doc_id)`` on every gold document, then evaluate the predictions."""
    predicted = [predict(doc.text, doc.doc_id)
                 for doc in tqdm(gold, desc="predicting", unit="doc", disable=not progress)]
    return evaluate_documents(gold, predicted)


# ---------------------------------------------------------------- span metrics (seqeval)

def layer_span_scores(pairs: list[tuple[Document, Document]], layer: str) -> dict:
    """seqeval strict IOB2 P/R/F1/support per label and micro, one sequence per document."""
    gold_count = sum(len(g.layer(layer)) for g, _ in pairs)
    predicted_count = sum(len(p.layer(layer)) for _, p in pairs)
    seqeval_report = _seqeval_report(pairs, layer) if gold_count or predicted_count else {}
    labels = {label: _prf(seqeval_report.get(label)) for label in LAYERS[layer]}
    micro = _prf(seqeval_report.get("micro avg"))
    micro.update(support=gold_count, predicted=predicted_count)
    return {"labels": labels, "micro": micro}


def _seqeval_report(pairs: list[tuple[Document, Document]], layer: str) -> dict:
    gold_tags = [spans_to_tags(g.layer(layer), len(g.text)) for g, _ in pairs]
    predicted_tags = [spans_to_tags(p.layer(layer), len(p.text)) for _, p in pairs]
    return classification_report(gold_tags, predicted_tags, mode="strict", scheme=IOB2,
                                 output_dict=True, zero_division=0)


def _prf(row: dict | None) -> dict:
    if row is None:
        return {"precision": None, "recall": None, "f1": None, "support": 0}
    return {"precision": float(row["precision"]), "recall": float(row["recall"]),
            "f1": float(row["f1-score"]), "support": int(row["support"])}


# ---------------------------------------------------------------- char metrics (section)

def section_char_scores(pairs: list[tuple[Document, Document]]) -> dict:
    """Char-level P/R/F1 per role, macro F1 of the roles, confusion matrix over roles and O."""
    gold_roles = [role for g, _ in pairs for role in char_roles(g.layer(SECTION), len(g.text))]
    predicted_roles = [role for _, p in pairs for role in char_roles(p.layer(SECTION), len(p.text))]
    per_role = _char_prf(gold_roles, predicted_roles)
    matrix = confusion_matrix(gold_roles, predicted_roles, labels=list(CONFUSION_LABELS))
    return {
        "labels": per_role,
        "macro_f1": _macro_f1(per_role),
        "confusion": {"labels": list(CONFUSION_LABELS), "rows": "gold", "columns": "predicted",
                      "matrix": matrix.tolist()},
    }


def _char_prf(gold_roles: list[str], predicted_roles: list[str]) -> dict:
    precision, recall, f1, support = precision_recall_fscore_support(
        gold_roles, predicted_roles, labels=list(ROLES), average=None, zero_division=0)
    predicted_set = set(predicted_roles)
    per_role = {}
    for i, role in enumerate(ROLES):
        scored = support[i] > 0 or role in predicted_set
        per_role[role] = _prf({"precision": precision[i], "recall": recall[i], "f1-score": f1[i],
                               "support": support[i]} if scored else None)
    return per_role


def _macro_f1(per_role: dict) -> float | None:
    scores = [row["f1"] for row in per_role.values() if row["f1"] is not None]
    return sum(scores) / len(scores) if scores else None


def document_row(gold_doc: Document, predicted_doc: Document) -> dict:
    pair = [(gold_doc, predicted_doc)]
    char = section_char_scores(pair)
    return {
        "doc_id": gold_doc.doc_id,
        "chars": len(gold_doc.text),
        "quantity_f1": layer_span_scores(pair, QUANTITY)["micro"]["f1"],
        "section_span_f1": layer_span_scores(pair, SECTION)["micro"]["f1"],
        "section_char_macro_f1": char["macro_f1"],
        "problem_char_f1": char["labels"][PROBLEM]["f1"],
    }


# ---------------------------------------------------------------- text output

def summary_line(report: dict) -> str:
    return (f"quantity F1 {_num(report['quantity']['micro']['f1'])} | "
            f"section span F1 {_num(report['section']['span']['micro']['f1'])} | "
            f"section char macro F1 {_num(report['section']['char']['macro_f1'])}")


def format_report(report: dict) -> str:
    """Markdown tables of every metric in the report, for the terminal or a README."""
    char_scores = report["section"]["char"]
    parts = [
        f"{report['documents']} documents, {report['chars']:,} chars "
        f"(seqeval strict IOB2, one sequence per {report['sequence_unit']})",
        summary_line(report),
        "## quantity spans\n" + _prf_table(report["quantity"], "span"),
        "## section spans\n" + _prf_table(report["section"]["span"], "span"),
        "## section chars\n" + _prf_table(char_scores, "char"),
        "## section char confusion (rows gold, columns predicted)\n" + _confusion_table(char_scores),
        "## per document\n" + _table(DOCUMENT_COLUMNS, [
            [row[c] if c in ("doc_id", "chars") else _num(row[c]) for c in DOCUMENT_COLUMNS]
            for row in report["per_document"]]),
    ]
    return "\n\n".join(parts) + "\n"


def _prf_table(scores: dict, unit: str) -> str:
    rows = [[label, *_prf_cells(row)] for label, row in scores["labels"].items()]
    if "micro" in scores:
        rows.append(["micro", *_prf_cells(scores["micro"])])
    if "macro_f1" in scores:
        rows.append(["macro", "", "", _num(scores["macro_f1"]), ""])
    return _table(("label", "P", "R", "F1", f"support ({unit}s)"), rows)


def _prf_cells(row: dict) -> list[str]:
    return [_num(row["precision"]), _num(row["recall"]), _num(row["f1"]), str(row["support"])]


def _confusion_table(char_scores: dict) -> str:
    confusion = char_scores["confusion"]
    rows = [[gold, *map(str, counts)] for gold, counts in zip(confusion["labels"], confusion["matrix"])]
    return _table(("gold \\ predicted", *confusion["labels"]), rows)


def _table(header: tuple | list, rows: list[list]) -> str:
    lines = ["| " + " | ".join(map(str, header)) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(map(str, row)) + " |" for row in rows]
    return "\n".join(lines)


def _num(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


# ---------------------------------------------------------------- files

def write_report(report: dict, out_dir: str | Path) -> list[Path]:
    """metrics.json, section_confusion.png and documents.csv in ``out_dir``, each written atomically."""
    out_dir = Path(out_dir)
    metrics_path = out_dir / "metrics.json"
    png_path = out_dir / "section_confusion.png"
    csv_path = out_dir / "documents.csv"
    write_json_atomic(metrics_path, report)
    write_bytes_atomic(png_path, confusion_png(report["section"]["char"]["confusion"]))
    write_text_atomic(csv_path, documents_csv(report["per_document"]))
    return [metrics_path, png_path, csv_path]


def documents_csv(rows: list[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=DOCUMENT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(spreadsheet_safe(row) for row in rows)
    return buffer.getvalue()


@lru_cache(maxsize=1)
def cjk_font_path() -> str | None:
    """An installed font with real glyphs for the role names, or None (then ASCII names are used)."""
    sample = "".join(ROLES)
    for entry in font_manager.fontManager.ttflist:
        try:
            glyphs = [FT2Font(entry.fname).get_char_index(ord(ch)) for ch in sample]
        except (OSError, RuntimeError):
            continue
        if all(glyphs) and len(set(glyphs)) == len(glyphs):  # one shared glyph = a fallback font
            return entry.fname
    return None


def confusion_png(confusion: dict) -> bytes:
    """Heatmap of the char confusion matrix: colour = share of the gold row, counts in the cells."""
    font_path = cjk_font_path()
    names = [name if font_path else ASCII_ROLE_NAMES[name] for name in confusion["labels"]]
    with warnings.catch_warnings():  # missing-glyph warnings are not worth a line each
        warnings.simplefilter("ignore", UserWarning)
        figure = _confusion_figure(confusion["matrix"], names, font_path)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _confusion_figure(counts: list[list[int]], names: list[str], font_path: str | None):
    font = FontProperties(fname=font_path) if font_path else None
    shares = [[c / max(sum(row), 1) for c in row] for row in counts]
    figure = Figure(figsize=(6, 5), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    image = axes.imshow(shares, cmap="Blues", vmin=0, vmax=1)
    figure.colorbar(image, ax=axes, label="share of gold row")
    for i, row in enumerate(counts):
        for j, count in enumerate(row):
            axes.text(j, i, f"{count:,}", ha="center", va="center",
                      color="white" if shares[i][j] > 0.5 else "black")
    axes.set_xticks(range(len(names)), names, fontproperties=font)
    axes.set_yticks(range(len(names)), names, fontproperties=font)
    axes.set(xlabel="predicted", ylabel="gold", title="section roles per character")
    figure.tight_layout()
    return figure


# ---------------------------------------------------------------- side-by-side comparison

COMPARISON_COLUMNS = ("system", "quantity F1", *LAYERS[QUANTITY], "section span F1",
                      "section char macro F1", *(f"{role} char F1" for role in ROLES))


def comparison_row(name: str, report: dict) -> list[str]:
    """One system's headline figures: quantity F1 (micro and per label), section F1s."""
    quantity, char = report["quantity"], report["section"]["char"]
    return [name, _num(quantity["micro"]["f1"]),
            *(_num(quantity["labels"][label]["f1"]) for label in LAYERS[QUANTITY]),
            _num(report["section"]["span"]["micro"]["f1"]), _num(char["macro_f1"]),
            *(_num(char["labels"][role]["f1"]) for role in ROLES)]


def format_comparison(reports: dict[str, dict]) -> str:
    """Markdown tables of several systems scored on the same documents: the headline figures,
    then section char macro F1, 问题 char F1 and quantity F1 per document."""
    headline = _table(COMPARISON_COLUMNS, [comparison_row(name, r) for name, r in reports.items()])
    names = list(reports)
    first = next(iter(reports.values()))
    per_doc = []
    for index, row in enumerate(first["per_document"]):
        cells = [row["doc_id"]]
        for name in names:
            doc_row = reports[name]["per_document"][index]
            cells.append(" / ".join(_num(doc_row[key]) for key in
                                    ("section_char_macro_f1", "problem_char_f1", "quantity_f1")))
        per_doc.append(cells)
    documents = _table(("document", *names), per_doc)
    return (f"{first['documents']} documents, {first['chars']:,} chars\n\n{headline}\n\n"
            f"per document: section char macro F1 / {PROBLEM} char F1 / quantity F1\n\n{documents}\n")
