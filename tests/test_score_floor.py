"""Score floor of the rule tagger on the shared dev export (``../shared/gold/dev.json``).

The figures are those of ``govtag evaluate --rules --data ../shared/gold/dev.json``, computed
through ``govtag.outputs.evaluate``; a rule or lexicon edit that lowers them fails here. Skipped when the
shared data is not next to the checkout.
"""

from pathlib import Path

import pytest

DEV = Path(__file__).resolve().parents[1].parent / "shared" / "gold" / "dev.json"
FLOORS = {  # measured on the rule tagger, rounded down at the third decimal
    "quantity strict F1": 0.992,
    "section char macro F1": 1.000,
}


@pytest.mark.skipif(not DEV.exists(), reason="../shared/gold/dev.json is not there")
def test_rule_tagger_stays_above_its_floor_on_dev():
    from govtag.outputs.evaluate import evaluate_predictor
    from govtag.core.labelstudio import read_export
    from govtag.rules.tagger import tag_document

    report = evaluate_predictor(tag_document, read_export(DEV), progress=False)
    figures = {"quantity strict F1": report["quantity"]["micro"]["f1"],
               "section char macro F1": report["section"]["char"]["macro_f1"]}
    for name, floor in FLOORS.items():
        assert figures[name] >= floor, f"{name} {figures[name]:.4f} fell below its floor {floor}"
