"""Print quantities with their sentence and every field, for a person to check the fields by hand.

    PYTHONPATH=src python scripts/audit_quantities.py REPORTS... [--sample 100 | --largest 10]
        [--gold] [--label MONEY] [--seed 0] [-o audit.csv]

REPORTS are .txt reports, folders of them, or Label Studio exports (.json). Quantities come from
the rule tagger, or with ``--gold`` from an export's own spans (to check the fields apart from
span finding and section roles). ``--sample N`` draws N quantities at random (``--seed``); ``--largest K``
lists the K largest totals (``total`` true) of each report and unit, the figures an analyst who
sums a report would add. Each row holds the report, the sentence with the quantity in 【】 and
the fields; ``-o`` writes the rows as CSV with an empty ``wrong`` column to fill in.
"""

from __future__ import annotations

import argparse
import csv
import random
from pathlib import Path

from govtag.outputs.formats import analyse
from govtag.core.labels import Document
from govtag.core.labelstudio import read_export
from govtag.rules.tagger import tag_document
from govtag.core.text import line_spans, read_report, sentence_spans

FIELDS = ("value", "unit", "qualifier", "per", "change", "status", "relation", "total", "section")


def documents(paths: list[str], gold: bool) -> list[Document]:
    """Every report of the paths, tagged by the rule tagger unless ``gold`` keeps an export's spans
    (both layers: the status of a quantity reads its sentence's role)."""
    docs = []
    for name in paths:
        path = Path(name)
        if path.suffix == ".json":
            docs += [doc if gold else tag_document(doc.text, doc.doc_id) for doc in read_export(path)]
        else:
            files = sorted(path.glob("*.txt")) if path.is_dir() else [path]
            docs += [tag_document(read_report(file), file.stem) for file in files]
    return docs


def rows_of(doc: Document) -> list[dict]:
    """One row per quantity: report, sentence with the quantity in 【】, and the fields."""
    sentences = sentence_spans(doc.text, line_spans(doc.text))
    rows = []
    for quantity in analyse(doc)["quantities"]:
        start, end = next(((s, e) for s, e in sentences if s <= quantity["start"] < e),
                          (quantity["start"], quantity["end"]))
        context = (doc.text[start:quantity["start"]] + "【" + quantity["text"] + "】"
                   + doc.text[quantity["end"]:max(end, quantity["end"])])
        rows.append({"doc_id": doc.doc_id, "label": quantity["label"], "text": quantity["text"],
                     **{key: quantity.get(key) for key in FIELDS}, "context": context.strip()})
    return rows


def largest(rows: list[dict], count: int) -> list[dict]:
    """The ``count`` largest totals of each report and unit."""
    groups: dict[tuple, list[dict]] = {}
    for row in rows:
        if row["total"]:
            groups.setdefault((row["doc_id"], row["unit"]), []).append(row)
    return [row for key in sorted(groups) for row in
            sorted(groups[key], key=lambda r: r["value"], reverse=True)[:count]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--gold", action="store_true", help="keep the quantity spans of .json exports")
    parser.add_argument("--label", help="only quantities of this label (MONEY, AREA …)")
    choice = parser.add_mutually_exclusive_group()
    choice.add_argument("--sample", type=int, help="this many quantities drawn at random")
    choice.add_argument("--largest", type=int, help="the largest totals of each report and unit")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("-o", "--output", help="write the rows as CSV here")
    args = parser.parse_args()
    rows = [row for doc in documents(args.paths, args.gold) for row in rows_of(doc)
            if not args.label or row["label"] == args.label]
    if args.largest:
        rows = largest(rows, args.largest)
    elif args.sample:
        rows = random.Random(args.seed).sample(rows, min(args.sample, len(rows)))
    columns = ["doc_id", "label", "text", *FIELDS, "context", "wrong"]
    if args.output:
        with open(args.output, "w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, columns, extrasaction="ignore")
            writer.writeheader()
            writer.writerows(rows)
    for row in rows:
        fields = " ".join(f"{key}={row[key]}" for key in FIELDS if row[key] not in (None, False, ""))
        print(f'{row["doc_id"]}\t{row["label"]} {row["text"]}\t{fields}\t{row["context"]}')


if __name__ == "__main__":
    main()
