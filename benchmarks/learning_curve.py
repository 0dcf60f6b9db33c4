"""Held-out F1 of both layers against the number of gold training reports.

For each size (a seeded sample of the training export's reports, each sample containing the
smaller ones) every config is trained on that sample with the same seed and steps budget and
scored on ``--data``; the rule tagger, which learns nothing, is scored once as a flat line.
Prints a table and saves a PNG of section char macro F1, 问题 char F1 and quantity F1.

  python benchmarks/learning_curve.py --data ../shared/gold/dev2.json \
      --configs configs/baseline.yaml configs/default.yaml --sizes 6 12 24 37 -o runs/learning_curve
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

METRICS = (("section char macro F1", ("section", "char", "macro_f1")),
           ("问题 char F1", ("section", "char", "labels", "问题", "f1")),
           ("quantity F1", ("quantity", "micro", "f1")))


def pick(report: dict, path: tuple[str, ...]) -> float | None:
    for key in path:
        report = report[key]
    return report


def samples(train_export: str, sizes: list[int], seed: int, directory: Path) -> dict[int, Path]:
    """Nested samples of the training reports: the first n of one seeded shuffle, as exports."""
    from govtag.core.labelstudio import load_tasks
    from govtag.core.io import write_json_atomic

    tasks = load_tasks(train_export)
    order = list(range(len(tasks)))
    random.Random(seed).shuffle(order)
    paths = {}
    for size in sizes:
        if size > len(tasks):
            sys.exit(f"--sizes: {size} is more than the {len(tasks)} reports of {train_export}")
        paths[size] = directory / f"train_{size}.json"
        write_json_atomic(paths[size], [tasks[i] for i in order[:size]])
    return paths


def score(model_dir, gold) -> dict:
    from govtag.outputs.evaluate import evaluate_predictor
    from govtag.run.loading import load_predictor

    return evaluate_predictor(load_predictor(model_dir, rules=model_dir is None).tag, gold, progress=False)


def curve(config_path: str, exports: dict[int, Path], gold, directory: Path) -> dict[int, dict]:
    """Train ``config_path`` on each sample; the held-out report of each."""
    from govtag.training.config import load_config
    from govtag.training.train import train

    points = {}
    for size, export in exports.items():
        output = directory / f"{Path(config_path).stem}_{size}"
        config = load_config(config_path, {"data.train": str(export), "output": str(output)})
        started = time.time()
        model_dir = train(config, overwrite=True)
        points[size] = {"report": score(model_dir, gold), "train_seconds": round(time.time() - started)}
        print(f"{Path(config_path).stem} {size} reports: trained in {points[size]['train_seconds']} s",
              file=sys.stderr, flush=True)
    return points


def table(curves: dict[str, dict[int, dict]], rules: dict, sizes: list[int]) -> str:
    header = ["system", "reports", *(name for name, _ in METRICS)]
    rows = [["rules", "-", *(f"{pick(rules, path):.3f}" for _, path in METRICS)]]
    for name, points in curves.items():
        for size in sizes:
            rows.append([name, str(size), *(f"{pick(points[size]['report'], path):.3f}" for _, path in METRICS)])
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])


def plot(curves: dict[str, dict[int, dict]], rules: dict, sizes: list[int], path: Path) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties

    from govtag.outputs.evaluate import cjk_font_path

    font = cjk_font_path()
    figure = Figure(figsize=(12, 4), dpi=100)
    FigureCanvasAgg(figure)
    for index, (name, metric_path) in enumerate(METRICS):
        axes = figure.add_subplot(1, len(METRICS), index + 1)
        for system, points in curves.items():
            axes.plot(sizes, [pick(points[s]["report"], metric_path) for s in sizes], marker="o", label=system)
        axes.axhline(pick(rules, metric_path), color="grey", linestyle="--", label="rules")
        title = name if font or "问题" not in name else name.replace("问题", "problems")
        axes.set_title(title, fontproperties=FontProperties(fname=font) if font else None)
        axes.set_xlabel("gold training reports")
        axes.grid(alpha=0.3)
    axes.legend(loc="lower right", fontsize=8)
    figure.tight_layout()
    figure.savefig(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", required=True, help="held-out Label Studio export (e.g. dev2.json)")
    parser.add_argument("--train", default="../shared/gold/train.json", help="training export to sample from")
    parser.add_argument("--configs", nargs="+", required=True, help="training configs to compare")
    parser.add_argument("--sizes", nargs="+", type=int, default=[6, 12, 24, 37])
    parser.add_argument("--seed", type=int, default=42, help="seed of the report sample")
    parser.add_argument("-o", "--output", default="runs/learning_curve", help="run directory")
    args = parser.parse_args()
    from govtag.core.labelstudio import read_export

    directory = Path(args.output)
    directory.mkdir(parents=True, exist_ok=True)
    gold = read_export(args.data)
    exports = samples(args.train, sorted(args.sizes), args.seed, directory)
    rules = score(None, gold)
    curves = {Path(c).stem: curve(c, exports, gold, directory) for c in args.configs}
    text = table(curves, rules, sorted(args.sizes))
    print(f"held-out data: {args.data} ({len(gold)} reports)\n\n{text}")
    (directory / "learning_curve.md").write_text(text + "\n", encoding="utf-8")
    (directory / "learning_curve.json").write_text(json.dumps(
        {"data": args.data, "rules": rules, "curves": curves}, ensure_ascii=False), encoding="utf-8")
    plot(curves, rules, sorted(args.sizes), directory / "learning_curve.png")
    print(f"wrote {directory / 'learning_curve.png'}")


if __name__ == "__main__":
    main()
