"""What a system changes in the rule tagger's quantities: the spans it adds and removes, checked on gold.

A span is added when the system has it and the rules do not (same start, end and label), removed
when the rules have it and the system does not. An added span is right when gold has it; a removed
span is right when gold does not. Precision is the share of right ones (``None`` when there are
none). ``govtag compare`` prints these per system, on the one data set it scores.
"""

from __future__ import annotations

from govtag.core.labels import QUANTITY, Document

CONTEXT = 6  # characters shown on each side of a listed span


def _keys(doc: Document) -> set[tuple[int, int, str]]:
    return {(s.start, s.end, s.label) for s in doc.layer(QUANTITY)}


def quantity_changes(gold: list[Document], rules: list[Document], system: list[Document]) -> dict:
    """The spans ``system`` adds to and removes from ``rules`` (documents in the same order as
    ``gold``), each with whether it is right, and the precision of each kind."""
    added, removed = [], []
    for gold_doc, rule_doc, doc in zip(gold, rules, system):
        truth, said, found = _keys(gold_doc), _keys(rule_doc), _keys(doc)
        added += [_row(gold_doc, key, key in truth) for key in sorted(found - said)]
        removed += [_row(gold_doc, key, key not in truth) for key in sorted(said - found)]
    return {"added": _summary(added), "removed": _summary(removed)}


def _row(doc: Document, key: tuple[int, int, str], right: bool) -> dict:
    start, end, label = key
    return {"doc_id": doc.doc_id, "start": start, "end": end, "label": label,
            "text": doc.text[start:end], "right": right,
            "context": _one_line(doc.text[max(0, start - CONTEXT):start]) + "[" + doc.text[start:end] + "]"
                       + _one_line(doc.text[end:end + CONTEXT])}


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _summary(rows: list[dict]) -> dict:
    right = sum(row["right"] for row in rows)
    return {"count": len(rows), "right": right, "precision": right / len(rows) if rows else None,
            "spans": rows}


def format_changes(changes: dict[str, dict]) -> str:
    """Per system: how many spans it adds and removes against the rules, how many of them are
    right (precision), then each span (✓ right, ✗ wrong)."""
    blocks = []
    for name, change in changes.items():
        lines = [f"{name} against the rules (quantities):"]
        for kind, right_means in (("added", "in gold"), ("removed", "not in gold")):
            summary = change[kind]
            precision = "-" if summary["precision"] is None else f"{summary['precision']:.3f}"
            lines.append(f"  {kind}: {summary['count']}, {right_means}: {summary['right']}, precision {precision}")
            lines += [f"    {'✓' if row['right'] else '✗'} {row['doc_id']} {row['start']}-{row['end']} "
                      f"{row['label']} {row['context']}" for row in summary["spans"]]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n" if blocks else ""
