"""Throughput and peak memory of govtag's predictor against the Hugging Face pipeline.

Runs each method in its own child process (so peak RSS is its own) over the same texts and model:
  govtag-float    Tagger.tag_many, float weights, the model's stride (--no-quantize --stride model --jobs 1)
  govtag-default  the defaults of govtag predict (int8, stride 16, one worker process per core)
  govtag-default-cold  the same, timed from loading the model (start-up included)
  govtag-ray      predict_on_ray on a local Ray with 2 workers, start-up and shard writing included
  hf-pipeline     pipeline("token-classification", stride=...) over the quantity head (for a
                  model with rule features it gets all-O rule tags: same compute, speed only); for
                  a model whose sections come from a fine-tuned sentence encoder,
                  pipeline("text-classification") over the same sentence pairs it reads (the
                  sentence and its rule-role segment; splitting and rules are not timed)
and a peak-RSS run of the defaults on one ~1 MB report. Prints chars/s, peak RSS and the ratio.

  python benchmarks/predict_speed.py [--corpus DIR] [--model DIR] [--reports 20] [--methods M ...]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
METHODS = ("govtag-float", "govtag-default", "govtag-default-cold", "govtag-ray", "hf-pipeline",
           "govtag-default-1mb")


def corpus_files(corpus: Path, count: int) -> list[Path]:
    files = sorted(corpus.glob("*.txt"))
    if len(files) < count:
        sys.exit(f"{corpus}: need {count} .txt reports, found {len(files)}")
    return files[::len(files) // count][:count]


def corpus_texts(corpus: Path, count: int) -> list[str]:
    from govtag.core.text import read_report

    return [read_report(f) for f in corpus_files(corpus, count)]


def long_text(corpus: Path, chars: int = 60_000) -> str:
    from govtag.core.text import read_report

    parts, total = [], 0
    for path in sorted(corpus.glob("*.txt")):
        parts.append(read_report(path))
        total += len(parts[-1])
        if total >= chars:
            break
    return "\n".join(parts)[:chars]


def run_govtag(texts: list[str], model: str | None, float_model: bool, cold: bool = False) -> float:
    from govtag.run.loading import load_predictor
    from govtag.run.runtime import resolve

    start = time.perf_counter()
    options = {"quantize": False, "stride": "model", "device": "cpu"} if float_model else {"device": "cpu"}
    jobs = 1 if float_model else resolve(64, device="cpu", reports=len(texts)).jobs
    tagger = load_predictor(model, jobs=jobs, **options)
    if not cold:
        tagger.tag_many(texts[:jobs])  # warm-up (and worker start)
        start = time.perf_counter()
    step = 8 * jobs  # as govtag predict does
    for first in range(0, len(texts), step):
        tagger.tag_many(texts[first:first + step])
    seconds = time.perf_counter() - start
    tagger.close()
    return seconds


def run_ray(files: list[Path], model: str | None) -> float:
    import tempfile

    from govtag.run.distributed import predict_on_ray

    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as out:
        predict_on_ray([str(f) for f in files], Path(out) / "shards", model=model, workers=2)
    return time.perf_counter() - start


def run_sentence_pipeline(texts: list[str], path: Path) -> float:
    """The fine-tuned sentence encoder through pipeline("text-classification"), sentence pairs
    built as govtag builds them (not timed)."""
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer, pipeline

    from govtag.core.report import Report
    from govtag.models.sentence_encoder import FOLDER, second_segment
    from govtag.models.sentences import report_sentences
    from govtag.rules.tagger import tag_sections

    source = path / FOLDER
    network = AutoModelForSequenceClassification.from_pretrained(source, dtype=torch.float32).eval()
    tokenizer = AutoTokenizer.from_pretrained(source)
    classify = pipeline("text-classification", model=network, tokenizer=tokenizer, device=-1,
                        truncation=True, max_length=96)
    pairs = []
    for text in texts:
        report = Report(text)
        pairs += [{"text": s.text, "text_pair": second_segment(s)}
                  for s in report_sentences(report, sorted(tag_sections(report)))]
    classify(pairs[:4])
    start = time.perf_counter()
    with torch.inference_mode():
        classify(pairs)
    return time.perf_counter() - start


def run_pipeline(texts: list[str], model: str | None) -> float:
    import torch
    from transformers import AutoTokenizer, pipeline
    from transformers.modeling_outputs import TokenClassifierOutput

    from govtag.models.model import GovtagModel
    from govtag.run.predict import default_model_dir
    from govtag.core.text import normalise

    class QuantityHead(GovtagModel):
        """The quantity head alone, shaped as a standard token classifier for the pipeline."""

        def forward(self, input_ids, attention_mask=None, token_type_ids=None, **_):
            rules = {}
            if self.config.rule_features:  # the pipeline cannot feed rule tags: zeros, same compute
                rules = {"rule_section_ids": torch.zeros_like(input_ids),
                         "rule_quantity_ids": torch.zeros_like(input_ids)}
            out = super().forward(input_ids, attention_mask, token_type_ids, **rules)
            return TokenClassifierOutput(logits=out.quantity_logits)

    path = Path(model) if model else default_model_dir()
    if (path / "sentence_encoder").is_dir():
        return run_sentence_pipeline(texts, path)
    network = QuantityHead.from_pretrained(path).eval()
    network.config.id2label = dict(enumerate(network.config.quantity_labels))
    network.config.label2id = {v: k for k, v in network.config.id2label.items()}
    tokenizer = AutoTokenizer.from_pretrained(path)
    tokenizer.model_max_length = network.config.window_length
    tagger = pipeline("token-classification", model=network, tokenizer=tokenizer, device=-1,
                      stride=network.config.stride, aggregation_strategy="simple")
    tagger(normalise(texts[0][:500]))
    start = time.perf_counter()
    with torch.inference_mode():
        for text in texts:
            tagger(normalise(text))
    return time.perf_counter() - start


def child(args) -> None:
    corpus = Path(args.corpus)
    if args.method == "govtag-default-1mb":
        texts = [long_text(corpus, 1_000_000)]
    else:
        texts = corpus_texts(corpus, args.reports)
    if args.method == "hf-pipeline":
        seconds = run_pipeline(texts, args.model)
    elif args.method == "govtag-ray":
        seconds = run_ray(corpus_files(corpus, args.reports), args.model)
    else:
        seconds = run_govtag(texts, args.model, float_model=args.method == "govtag-float",
                             cold=args.method == "govtag-default-cold")
    chars = sum(len(t) for t in texts)
    # with worker processes this is the largest single process (the parent or one worker)
    peak_mb = max(resource.getrusage(who).ru_maxrss
                  for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)) / 1024
    print(json.dumps({"method": args.method, "chars": chars, "seconds": seconds,
                      "chars_per_s": chars / seconds, "peak_rss_mb": peak_mb}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpus" / "reports"))
    parser.add_argument("--model", default=None, help="model directory (default: models/default)")
    parser.add_argument("--reports", type=int, default=20)
    parser.add_argument("--methods", nargs="+", default=list(METHODS), choices=METHODS,
                        help="which methods to run (default: all)")
    parser.add_argument("--method", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.method:
        return child(args)
    results = {}
    methods = [m for m in METHODS if m in args.methods]
    for method in methods:
        command = [sys.executable, __file__, "--method", method, "--corpus", args.corpus,
                   "--reports", str(args.reports)] + (["--model", args.model] if args.model else [])
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode:
            print(f"{method}: failed\n{done.stderr[-2000:]}", file=sys.stderr)
            continue
        results[method] = json.loads(done.stdout.strip().splitlines()[-1])
        r = results[method]
        per_process = " (largest single process)" if "default" in method else ""
        print(f"{method:20s} {r['chars']:>8,d} chars  {r['chars_per_s']:>9,.0f} chars/s  "
              f"peak RSS {r['peak_rss_mb']:,.0f} MB{per_process}")
    if "hf-pipeline" in results:
        for method in [m for m in methods if m in METHODS[:4]]:
            if method in results:
                ratio = results[method]["chars_per_s"] / results["hf-pipeline"]["chars_per_s"]
                print(f"{method} / hf-pipeline speed ratio: {ratio:.2f}x")


if __name__ == "__main__":
    main()
