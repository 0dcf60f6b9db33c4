"""Fit the learned quantity layer of a config (its ``quantities`` block, on its ``data.train``
gold) and save it into an existing model directory, leaving the encoder and heads as they are;
the directory's manifest (``govtag.json``) then names it as the quantity model.

``govtag train`` does the same as part of a full run; this adds the layer to a model already
trained (the shipped ``models/default``) without training its encoder again:

    PYTHONPATH=src python scripts/fit_quantity_layer.py configs/default.yaml models/default
    (--train PATH: fit on another export than the config's data.train)
"""

from __future__ import annotations

import argparse
import time
from dataclasses import asdict

from govtag.training.config import load_config
from govtag.core.labelstudio import read_export
from govtag.models.manifest import component_entry, read_manifest
from govtag.models.quantity_layer import QuantityLayer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("config", help="training config with a quantities block (type: candidates)")
    parser.add_argument("model_dir", help="model directory to save the layer into")
    parser.add_argument("--train", help="gold export to fit on instead of the config's data.train "
                        "(also used as data.dev, which the layer does not read)")
    args = parser.parse_args()
    overrides = {"data.train": args.train, "data.dev": args.train} if args.train else None
    config = load_config(args.config, overrides)
    kind = config.quantities["type"]
    if kind != "candidates":
        raise SystemExit(f"{args.config}: quantities.type is {kind!r}, not candidates")
    started = time.time()
    options = {key: value for key, value in config.quantities.items() if key != "type"}
    layer = QuantityLayer.create(config, options).fit(read_export(config.data.train))
    manifest = read_manifest(args.model_dir)
    layer.save(args.model_dir)
    manifest.quantities = component_entry(kind, layer)
    manifest.write(args.model_dir)
    print(f"fitted on {config.data.train} in {time.time() - started:.0f} s, saved into {args.model_dir}: "
          f"{asdict(layer.settings)}")


if __name__ == "__main__":
    main()
