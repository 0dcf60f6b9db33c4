"""Tests for the learned quantity layer (candidates, verifier, saving) and what compare reports of it.

The made-up reports write money without 元 after verbs the rules' money words do not list
(拨付300万, 筹集50万; spec: 2千万 when money), which the rule tagger leaves out and the annotation
keeps: a layer fitted on them must add such spans where the rules never propose one.
"""

import json

import pytest

from govtag.core.labels import QUANTITY, Document, Span
from govtag.rules.quantity_candidates import candidates, shape
from govtag.outputs.quantity_changes import format_changes, quantity_changes
from govtag.models.quantity_layer import ARRAYS_FILE, SETTINGS_FILE, LayerSettings, QuantityLayer, is_saved_in
from govtag.core.report import Report
from govtag.rules.tagger import tag_quantities

PLACES = ("东山", "西河", "南岭", "北坡", "中湾", "青石", "白沙", "红岩", "金川", "玉泉", "石门", "清水")


def made_up_report(index: int) -> tuple[str, list[str]]:
    """A township paragraph and the bare money amounts in it (拨付N万)."""
    place = PLACES[index % len(PLACES)]
    first, second = f"{index * 7 + 30}万", f"{index * 3 + 12}万"
    text = (f"{place}镇今年拨付{first}，新建道路{index + 3}公里，筹集{second}，"
            f"带动就业{index * 5 + 40}人。全镇户籍人口{index + 2}万，常住{index + 1}万。\n")
    return text, [first, second]


def annotated(index: int) -> Document:
    """The made-up report with the rule spans and the bare money amounts as gold."""
    text, amounts = made_up_report(index)
    spans = tag_quantities(text)
    for amount in amounts:
        start = text.index(amount)
        spans.append(Span(start, start + len(amount), "MONEY", QUANTITY))
    return Document(f"made_up_{index}", text, sorted(spans))


@pytest.fixture(scope="module")
def layer() -> QuantityLayer:
    return QuantityLayer(LayerSettings(n_features=2**16, c=4.0)).fit([annotated(i) for i in range(12)])


def money(text: str, amount: str) -> Span:
    start = text.index(amount)
    return Span(start, start + len(amount), "MONEY", QUANTITY)


# (text, a stretch that must be a candidate)
CANDIDATE_TABLE = [
    ("投入资金300万，", "300万"),
    ("粮食产量33，212万吨，比上年", "33，212万吨"),
    ("粮食产量33，212万吨，比上年", "33"),  # a clause comma between digits stays possible
    ("整治河道一处，", "一处"),
    ("多耗电二、三百亿度，", "二、三百亿度"),
    ("出境旅游近亿人次。", "亿人次"),
    ("上千万群众", "上千万"),
]


@pytest.mark.parametrize("text,stretch", CANDIDATE_TABLE)
def test_candidates_cover_numerals_with_the_characters_after_them(text, stretch):
    report = Report(text)
    start = text.index(stretch)
    found = {(c.start, c.end) for c in candidates(report, tag_quantities(report))}
    assert (start, start + len(stretch)) in found


def test_candidates_include_the_rule_spans_and_their_boundary_variants():
    text = "新建道路12.5公里以上。"
    report = Report(text)
    rules = tag_quantities(report)
    found = {(c.start, c.end) for c in candidates(report, rules)}
    for span in rules:
        assert {(span.start, span.end), (span.start, span.end - 1), (span.start, span.end + 1)} <= found


@pytest.mark.parametrize("number,expected", [("33,212万", "9,9万"), ("二、三百", "一、一百"), ("12.5", "9.9")])
def test_shape(number, expected):
    assert shape(number) == expected


def test_the_layer_adds_money_the_rules_miss(layer):
    text, amounts = made_up_report(40)  # numbers and place unseen in training
    rules = tag_quantities(text)
    spans = layer.spans(text)
    for amount in amounts:
        assert money(text, amount) not in rules
        assert money(text, amount) in spans
    assert not any(s.text_in(text).endswith("万") and s.label == "MONEY" and "人口" in text[s.start - 4:s.start]
                   for s in spans)


def test_the_layer_keeps_what_the_rules_get_right(layer):
    text, _ = made_up_report(41)
    spans = set(layer.spans(text))
    assert set(tag_quantities(text)) <= spans


def test_rule_labels_come_from_the_rules(layer):
    text, _ = made_up_report(42)
    rules_only = layer.with_rule_labels(["MONEY", "PERCENT", "AREA", "COUNT", "MEASURE"])
    assert rules_only.spans(text) == sorted(tag_quantities(text))
    no_money = layer.with_rule_labels(["MONEY"])
    assert [s for s in no_money.spans(text) if s.label == "MONEY"] == [
        s for s in tag_quantities(text) if s.label == "MONEY"]


def test_save_and_load_give_the_same_spans_without_pickle(layer, tmp_path):
    layer.save(tmp_path)
    assert is_saved_in(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([ARRAYS_FILE, SETTINGS_FILE])
    json.loads((tmp_path / SETTINGS_FILE).read_text(encoding="utf-8"))
    loaded = QuantityLayer.load(tmp_path)
    texts = [made_up_report(i)[0] for i in (50, 51)]
    assert loaded.predict(texts) == layer.predict(texts)
    assert loaded.predict([Document("a", texts[0])]) == layer.predict(texts[:1])


def test_an_unfitted_layer_is_refused(tmp_path):
    with pytest.raises(ValueError, match="not fitted"):
        QuantityLayer().spans("投入资金300万")
    with pytest.raises(ValueError, match="not fitted"):
        QuantityLayer().save(tmp_path)


def test_quantity_changes_count_added_and_removed_spans_with_their_precision():
    text = "投入资金300万，新建道路3公里，民营经济33条。"
    gold = Document("d", text, [money(text, "300万"), Span(text.index("3公里"), text.index("3公里") + 3,
                                                         "MEASURE", QUANTITY)])
    rule_spans = [gold.spans[1], Span(text.index("33条"), text.index("33条") + 3, "COUNT", QUANTITY)]
    system_spans = [gold.spans[0], gold.spans[1], Span(text.index("新建"), text.index("新建") + 2, "COUNT", QUANTITY)]
    changes = quantity_changes([gold], [Document("d", text, rule_spans)], [Document("d", text, system_spans)])
    assert (changes["added"]["count"], changes["added"]["right"], changes["added"]["precision"]) == (2, 1, 0.5)
    assert (changes["removed"]["count"], changes["removed"]["right"], changes["removed"]["precision"]) == (1, 1, 1.0)
    printed = format_changes({"m": changes})
    assert "added: 2, in gold: 1, precision 0.500" in printed and "✓ d" in printed and "[300万]" in printed


def test_a_tagger_trained_with_the_layer_takes_its_quantities_from_it(tmp_path_factory, tiny_exports, capsys):
    from conftest import write_train_config

    from govtag.cli.main import main
    from govtag.training.config import load_config
    from govtag.core.labelstudio import write_tasks
    from govtag.run.predict import Tagger
    from govtag.training.train import train

    directory = tmp_path_factory.mktemp("layer_model")
    train_path, dev_path = tiny_exports
    config = write_train_config(directory, train_path, dev_path, directory / "run", rule_features=True,
                                max_steps=1, extra="quantities:\n  type: candidates\n  rule_labels: [AREA]\n")
    model_dir = train(load_config(config))
    assert is_saved_in(model_dir) and "learned quantity layer" in (model_dir / "README.md").read_text(encoding="utf-8")
    tagger = Tagger.load(model_dir, quantize=False)
    text = made_up_report(70)[0]
    assert tagger.tag(text).layer(QUANTITY) == tagger.quantity_layer.spans(text)
    assert tagger.quantity_layer.settings.rule_labels == ["AREA"]
    write_tasks([annotated(60), annotated(61)], directory / "dev.json")
    assert main(["compare", "--data", str(directory / "dev.json"), str(model_dir), "-o", str(directory / "cmp")]) == 0
    out = capsys.readouterr().out
    assert f"{model_dir} against the rules (quantities):" in out and "  added: " in out and "  removed: " in out
    saved = json.loads((directory / "cmp" / "comparison.json").read_text(encoding="utf-8"))
    assert set(saved["quantity_changes"]) == {str(model_dir)}


@pytest.mark.parametrize("block, key", [
    ("quantities:\n  type: crf\n", "quantities.type"),
    ("quantities:\n  rule_labels: [MONY]\n", "quantities.rule_labels"),
    ("quantities:\n  c: 0\n", "quantities.c"),
])
def test_quantity_settings_are_checked(tmp_path, tiny_exports, block, key):
    from conftest import write_train_config

    from govtag.training.config import ConfigError, load_config

    train_path, dev_path = tiny_exports
    config = write_train_config(tmp_path, train_path, dev_path, tmp_path / "run", extra=block)
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        load_config(config)
