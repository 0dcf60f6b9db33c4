"""A section model is one class and one registry line: a trivial one registered here is trained,
saved, loaded and used through the command line like the built-in ones. Also: the manifest of a
model directory, unknown component types, and the ``Tagger`` protocol of every loaded model."""

import json
from collections import Counter

import numpy as np
import pytest

from govtag.cli.main import main
from govtag.core.components import SectionModel, Tagger, register_section_model
from govtag.training.config import ConfigError, load_config
from govtag.core.errors import ModelError
from govtag.core.labels import SECTION
from govtag.core.labelstudio import write_tasks
from govtag.run.loading import load
from govtag.models.manifest import MANIFEST, read_manifest
from govtag.models.sentence_head import CLASSES
from test_sentence_head import annotated


@register_section_model("majority")
class Majority(SectionModel):
    """Every sentence takes the role most training sentences have."""

    def __init__(self, role: str = "O"):
        self.role, self.classes = role, list(CLASSES)

    def fit(self, sentences, roles, silver=0, work_dir=None):
        self.role = Counter(roles[:len(roles) - silver]).most_common(1)[0][0]
        return self

    def probabilities(self, sentences):
        ones = np.zeros((len(sentences), len(CLASSES)), np.float32)
        ones[:, CLASSES.index(self.role)] = 1
        return ones

    def save(self, directory):
        (directory / "majority.json").write_text(json.dumps({"role": self.role}), encoding="utf-8")

    @classmethod
    def load(cls, directory):
        return cls(json.loads((directory / "majority.json").read_text(encoding="utf-8"))["role"])


def write_config(tmp_path, sections: str = "{type: majority}", quantities: str = "{type: rules}"):
    docs = [annotated(i) for i in range(6)]
    write_tasks(docs[:4], tmp_path / "train.json")
    write_tasks(docs[4:], tmp_path / "dev.json")
    config = tmp_path / "majority.yaml"
    config.write_text(f"sections: {sections}\nquantities: {quantities}\n"
                      f"output: {json.dumps(str(tmp_path / 'run'))}\n"
                      f"data:\n  train: {json.dumps(str(tmp_path / 'train.json'))}\n"
                      f"  dev: {json.dumps(str(tmp_path / 'dev.json'))}\n", encoding="utf-8")
    return config


def test_a_registered_section_model_trains_saves_loads_and_predicts_through_the_cli(tmp_path, capsys):
    config = write_config(tmp_path)
    assert main(["train", str(config)]) == 0
    model_dir = tmp_path / "run" / "model"
    manifest = json.loads((model_dir / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["sections"]["type"] == "majority" and manifest["quantities"]["type"] == "rules"
    assert manifest["encoder"] is False and (model_dir / "majority.json").is_file()
    report = tmp_path / "r.txt"
    report.write_text(annotated(7).text, encoding="utf-8")
    out = tmp_path / "out.json"
    assert main(["predict", "--model", str(model_dir), "-o", str(out), str(report)]) == 0
    (result,) = json.loads(out.read_text(encoding="utf-8"))
    majority = Counter(r for d in (annotated(i) for i in range(4))
                       for r in [s.label for s in d.layer(SECTION)]).most_common(1)[0][0]
    assert {s["role"] for s in result["sections"]} == {majority}
    assert result["quantities"]
    assert main(["evaluate", "--model", str(model_dir), "--data", str(tmp_path / "dev.json")]) == 0
    assert main(["view", "--model", str(model_dir), "-o", str(tmp_path / "v.html"), str(report)]) == 0


def test_an_unknown_type_in_a_config_names_the_known_ones(tmp_path):
    with pytest.raises(ConfigError, match=r"'sections\.type'.*'nope'.*known: .*majority.*sentence_head"):
        load_config(write_config(tmp_path, sections="{type: nope}"))
    with pytest.raises(ConfigError, match=r"'quantities' must be a mapping with a 'type'"):
        load_config(write_config(tmp_path, quantities="rules"))


def test_older_configs_name_their_components_by_kind_and_section_head(tmp_path, stand_in_bases):
    config = write_config(tmp_path)
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("sections: {type: majority}\nquantities: {type: rules}\n",
                                   "kind: baseline\nsection_head: ensemble\n"), encoding="utf-8")
    loaded = load_config(config)
    assert loaded.sections == {"type": "ensemble", "confident": 1.0} and loaded.quantities == {"type": "rules"}
    config.write_text(text.replace("quantities: {type: rules}\n", "kind: baseline\n"), encoding="utf-8")
    with pytest.raises(ConfigError, match="either 'sections' and 'quantities' or the older"):
        load_config(config)


def test_a_model_naming_an_unregistered_type_is_a_clear_error(tmp_path):
    (tmp_path / MANIFEST).write_text(json.dumps({"govtag_model": 1, "encoder": False,
                                                 "sections": {"type": "gone"},
                                                 "quantities": {"type": "rules"}}), encoding="utf-8")
    with pytest.raises(ModelError, match="unknown section model type 'gone'"):
        load(tmp_path)


def test_a_directory_saved_before_manifests_is_read_from_its_files(tmp_path):
    import shutil
    from pathlib import Path

    shipped = Path(__file__).resolve().parents[1] / "models" / "default"
    older = Path(shutil.copytree(shipped, tmp_path / "older", ignore=shutil.ignore_patterns(MANIFEST)))
    written, inferred = read_manifest(shipped), read_manifest(older)
    assert not (older / MANIFEST).exists()
    assert (inferred.encoder, inferred.section_type, inferred.quantity_type) == (
        written.encoder, written.section_type, written.quantity_type)


def test_every_loaded_model_is_a_tagger(tmp_path, capsys):
    assert main(["train", str(write_config(tmp_path))]) == 0
    for tagger in (load(rules=True), load(tmp_path / "run" / "model")):
        with tagger:
            assert isinstance(tagger, Tagger) and tagger.describe()
            assert len(tagger.tag_many(["新修道路5公里。"], ["a"])) == 1


def test_the_learned_quantity_layer_is_the_registered_candidates_type():
    from govtag.core.components import QUANTITY_MODELS, QuantityModel
    from govtag.models.quantity_layer import QuantityLayer

    assert QUANTITY_MODELS.get("candidates") is QuantityLayer and issubclass(QuantityLayer, QuantityModel)


@pytest.mark.parametrize("quantities, message", [
    ("{type: rules, c: 2.0}", r"'quantities\.c': quantities of type 'rules' take no options"),
    ("{type: candidates, cc: 2.0}", r"unknown config key 'quantities\.cc'"),
    ("{type: candidates, add_threshold: 2}", r"'quantities\.add_threshold' must be at least 0\.0 and at most 1\.0"),
])
def test_quantity_options_are_those_of_the_type(tmp_path, quantities, message):
    with pytest.raises(ConfigError, match=message):
        load_config(write_config(tmp_path, quantities=quantities))


def test_the_shipped_model_takes_its_quantities_from_the_rules_through_load():
    from govtag.rules.tagger import RuleQuantities, tag_quantities
    from govtag.run.model_run import default_model_dir

    tagger = load()
    text = "今年新修道路5公里，投入资金3亿元，增长12%。"
    assert read_manifest(default_model_dir()).quantity_type == "rules"
    assert type(tagger.quantities) is RuleQuantities
    assert tagger.tag(text).layer("quantity") == tag_quantities(text)
