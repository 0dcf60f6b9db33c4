"""End-to-end: train tiny models from a Label Studio export, load them, tag original texts.

The models are trained once per session (see conftest.py): a few optimiser steps of ALBERT-tiny
on two made-up township reports with silver labels from the rule tagger.
"""

import json

import numpy as np
import pytest
from transformers import AutoTokenizer, Trainer

from conftest import PIPELINE_DEV, PIPELINE_TRAIN, pipeline_text, write_silver_export, write_train_config
from govtag.training.config import ConfigError, load_config
from govtag.models.encoding import QUANTITY_TAGS, SECTION_TAGS, make_windows, tokenise
from govtag.core.labels import LAYERS, QUANTITY, SECTION
from govtag.run.predict import Tagger, analyse
from govtag.rules.quantity_context import CHANGES, QUALIFIERS
from govtag.rules.quantity_kind import RELATIONS, STATUSES
from govtag.rules.tagger import tag_document
from govtag.core.text import sentence_spans
from govtag.training.train import train

pytestmark = pytest.mark.slow

# Traditional characters, full-width digits and punctuation, placeholders and a web header.
MIXED_TEXT = (
    "首頁 > 政務公開 > 規劃計劃\n"
    "發布時間：20__年__月__日　來源：xx鄉人民政府\n"
    "  xx鄉人民政府２０__年工作總結  \n"
    "一、主要工作成效\n"
    "全鄉完成固定資產投資１２．６億元，同比增長６．５％；新建高標準農田１．８５萬畝。\n"
    "發放補貼資金１４３１萬元，惠及群眾６萬餘人次！培訓農民１２００人。\n"
    "二、存在問題\n"
    "部分村組道路年久失修，群眾增收渠道單一。\n"
    "三、２０__年工作打算\n"
    "我們將爭取專項資金５０００萬元，力爭新建產業路２０公里。"
)


@pytest.fixture(params=["tiny", "rules"])
def any_tagger(request):
    return request.getfixturevalue(f"{request.param}_tagger")


def check_offsets(doc, text):
    """Every span indexes the original text; sections are whole sentences inside one line."""
    assert doc.text == text
    starts = {s for s, _ in sentence_spans(text)}
    ends = {e for _, e in sentence_spans(text)}
    for span in doc.spans:
        assert span.layer in LAYERS and span.label in LAYERS[span.layer]
        assert 0 <= span.start < span.end <= len(text), span
        if span.layer == SECTION:
            assert "\n" not in text[span.start:span.end], span
            assert span.start in starts and span.end in ends, (span, text[span.start:span.end])
    for layer in (SECTION, QUANTITY):
        spans = doc.layer(layer)
        assert all(a.end <= b.start for a, b in zip(spans, spans[1:])), f"overlapping {layer} spans"


# ------------------------------------------------------------------ training output

def test_model_directory_is_complete(tiny_model):
    assert tiny_model.name == "model" and tiny_model.is_dir()
    config = json.loads((tiny_model / "config.json").read_text(encoding="utf-8"))
    assert config["section_labels"] == SECTION_TAGS
    assert config["quantity_labels"] == QUANTITY_TAGS
    assert config["window_length"] == 64 and config["stride"] == 16
    assert config["heading_context"] is True and config["rule_features"] is False
    assert (tiny_model / "model.safetensors").stat().st_size > 1_000_000
    tokenizer = AutoTokenizer.from_pretrained(tiny_model)
    assert tokenizer("xx镇", add_special_tokens=False)["input_ids"]
    summary = json.loads((tiny_model / "training.json").read_text(encoding="utf-8"))
    assert summary["train_documents"] == len(PIPELINE_TRAIN)
    assert summary["log_history"][-1]["step"] == 3
    assert (tiny_model / "README.md").read_text(encoding="utf-8").startswith("# govtag tagger")
    assert not list(tiny_model.parent.glob("*.partial")), "staging directory left behind"
    assert not (tiny_model / "training_args.bin").exists()


def test_training_refuses_dev_document_seen_in_training(tmp_path, tiny_exports):
    train_path, _ = tiny_exports
    dev = write_silver_export(tmp_path / "dev.json", (PIPELINE_TRAIN[1],))
    config = load_config(write_train_config(tmp_path, train_path, dev, tmp_path / "run"))
    with pytest.raises(ConfigError, match=PIPELINE_TRAIN[1]):
        train(config)
    assert not (tmp_path / "run" / "model").exists()


# ------------------------------------------------------------------ tagging

def test_tag_mixed_script_text_offsets_index_the_original(any_tagger):
    doc = any_tagger.tag(MIXED_TEXT, doc_id="xx鄉")
    assert doc.doc_id == "xx鄉"
    check_offsets(doc, MIXED_TEXT)


def test_rule_feature_model_tags_full_width_quantities_at_original_offsets(rules_tagger):
    doc = rules_tagger.tag(MIXED_TEXT)
    quantities = {MIXED_TEXT[s.start:s.end]: s.label for s in doc.layer(QUANTITY)}
    # the rule tagger's prior carries these through two training steps
    for part, label in (("１２．６億元", "MONEY"), ("６．５％", "PERCENT"), ("１．８５萬畝", "AREA"),
                        ("５０００萬元", "MONEY"), ("２０公里", "MEASURE")):
        assert quantities.get(part) == label, (part, quantities)
    sections = doc.layer(SECTION)
    assert {s.label for s in sections} >= {"成绩", "计划"}
    problem = MIXED_TEXT.index("部分村組")
    assert any(s.label == "问题" and s.start == problem for s in sections)


def test_rule_feature_model_agrees_with_the_rules_it_was_given(rules_model, rules_tagger):
    config = json.loads((rules_model / "config.json").read_text(encoding="utf-8"))
    assert config["rule_features"] is True
    text = pipeline_text(PIPELINE_DEV[0])
    expected = set(tag_document(text).layer(QUANTITY))
    got = set(rules_tagger.tag(text).layer(QUANTITY))
    assert len(expected & got) >= 0.8 * len(expected)


def test_long_text_every_token_counted(tiny_tagger):
    text = "\n".join(pipeline_text(name) for name in PIPELINE_TRAIN + PIPELINE_DEV) * 4
    tokens = tokenise(tiny_tagger.tokenizer, text)
    windows = make_windows(tiny_tagger.tokenizer, tokens, tiny_tagger.settings)
    assert len(windows) > 100
    (probs,) = tiny_tagger.token_probs([text])
    assert len(probs.offsets) == len(tokens.input_ids)
    assert probs.section.shape == (len(tokens.input_ids), len(SECTION_TAGS))
    assert probs.quantity.shape == (len(tokens.input_ids), len(QUANTITY_TAGS))
    # averaged over the windows that hold each token: a token in no window would sum to 0
    np.testing.assert_allclose(probs.section.sum(-1), 1.0, atol=1e-4)
    np.testing.assert_allclose(probs.quantity.sum(-1), 1.0, atol=1e-4)
    doc = tiny_tagger.tag(text)
    check_offsets(doc, text)


def test_batching_documents_together_changes_nothing(tiny_tagger):
    texts = [MIXED_TEXT, pipeline_text(PIPELINE_TRAIN[0]) * 3, "xx镇20__年工作总结", "二、存在的问题\n资金不足。"]
    together = tiny_tagger.token_probs(texts)
    for text, batched in zip(texts, together):
        (alone,) = tiny_tagger.token_probs([text])
        assert batched.offsets == alone.offsets
        np.testing.assert_allclose(batched.section, alone.section, atol=1e-4)
        np.testing.assert_allclose(batched.quantity, alone.quantity, atol=1e-4)
    assert [d.text for d in tiny_tagger.tag_many(texts, ["a", "b", "c", "d"])] == texts


def test_empty_and_blank_texts(tiny_tagger):
    assert tiny_tagger.tag("").spans == []
    assert tiny_tagger.tag(" \n　\n").spans == []
    assert tiny_tagger.confidence("") == 1.0


def test_analyse_has_documented_keys(rules_tagger):
    result = analyse(rules_tagger.tag(MIXED_TEXT, doc_id="xx鄉"))
    assert set(result) == {"doc_id", "sections", "quantities"}
    assert result["doc_id"] == "xx鄉"
    assert result["sections"] and result["quantities"]
    for section in result["sections"]:
        assert set(section) == {"role", "start", "end", "text"}
        assert section["text"] == MIXED_TEXT[section["start"]:section["end"]]
    for quantity in result["quantities"]:
        assert set(quantity) == {"label", "start", "end", "text", "value", "unit", "low", "high",
                                 "approximate", "placeholder", "qualifier", "per", "change", "section",
                                 "status", "relation", "total"}
        assert quantity["qualifier"] in QUALIFIERS and quantity["change"] in CHANGES
        assert quantity["status"] in STATUSES and quantity["relation"] in RELATIONS
        assert isinstance(quantity["total"], bool)
        assert quantity["text"] == MIXED_TEXT[quantity["start"]:quantity["end"]]
        assert quantity["section"] in (None, *LAYERS[SECTION])
    money = next(q for q in result["quantities"] if q["text"] == "１２．６億元")
    assert money["value"] == pytest.approx(1_260_000_000) and money["unit"] == "元"
    assert money["section"] == "成绩"
    area = next(q for q in result["quantities"] if q["text"] == "１．８５萬畝")
    assert area["value"] == pytest.approx(18500) and area["unit"] == "亩"
    json.dumps(result, ensure_ascii=False)  # serialisable as is


def test_confidence_is_a_probability(any_tagger):
    for text in (MIXED_TEXT, pipeline_text(PIPELINE_DEV[0])):
        score = any_tagger.confidence(text)
        assert 0.0 <= score <= 1.0


# ------------------------------------------------------------------ resume

def test_resume_continues_from_the_last_checkpoint(tmp_path, tiny_exports, monkeypatch):
    train_path, dev_path = tiny_exports
    output = tmp_path / "run"

    def config_for(epochs):
        return load_config(write_train_config(tmp_path, train_path, dev_path, output, max_steps=-1,
                                              epochs=epochs, batch_size=16))

    steps_done = []
    original_step = Trainer.training_step

    def counting_step(self, *args, **kwargs):
        steps_done.append(self.state.global_step)
        return original_step(self, *args, **kwargs)

    monkeypatch.setattr(Trainer, "training_step", counting_step)
    train(config_for(1))
    first_run = list(steps_done)
    per_epoch = len(first_run)
    assert per_epoch >= 1
    checkpoints = sorted(p.name for p in (output / "checkpoints").glob("checkpoint-*"))
    assert checkpoints == [f"checkpoint-{per_epoch}"]

    steps_done.clear()
    model_dir = train(config_for(2), resume=True)
    assert len(steps_done) == per_epoch, "a resumed run must not repeat the first epoch"
    assert steps_done[0] == per_epoch, "global step must continue from the checkpoint"
    state = json.loads((output / "checkpoints" / f"checkpoint-{2 * per_epoch}" / "trainer_state.json")
                       .read_text(encoding="utf-8"))
    assert state["global_step"] == 2 * per_epoch
    history = json.loads((model_dir / "training.json").read_text(encoding="utf-8"))["log_history"]
    eval_epochs = [row["epoch"] for row in history if "eval_loss" in row]
    assert eval_epochs == [1.0, 2.0]  # the first epoch's evaluation came from the checkpoint
    assert history[-1]["step"] == 2 * per_epoch


def test_rule_layers_choose_which_head_sees_the_rule_tags():
    import torch

    from govtag.training.config import resolve_base
    from govtag.models.model import RULE_PRIOR, from_base

    model = from_base(resolve_base("albert-tiny"), rule_features=True, rule_layers=["quantity"])
    hidden = model.encoder.config.hidden_size
    n_section, n_quantity = len(model.config.section_labels), len(model.config.quantity_labels)
    assert model.section_head.in_features == hidden
    assert model.quantity_head.in_features == hidden + n_section + n_quantity
    prior = model.quantity_head.weight[:, hidden + n_section:]
    assert torch.equal(prior, RULE_PRIOR * torch.eye(n_quantity))
    ids = torch.tensor([[101, 1920, 1921, 102]])
    rules = torch.tensor([[0, 1, 2, 0]])
    out = model(input_ids=ids, attention_mask=torch.ones_like(ids),
                rule_section_ids=rules, rule_quantity_ids=rules)
    assert out.section_logits.shape == (1, 4, n_section)
    assert out.quantity_logits.shape == (1, 4, n_quantity)


def test_share_out_balances_lengths_and_keeps_every_index():
    from govtag.run.parallel import share_out

    lengths = [60_000, 5_000, 20_000, 20_000, 15_000, 1_000]
    shares = share_out(lengths, 2)
    assert sorted(i for share in shares for i in share) == list(range(len(lengths)))
    loads = [sum(lengths[i] for i in share) for share in shares]
    assert max(loads) - min(loads) <= 5_000
    assert share_out([3, 2], 4)[2:] == [[], []]


def test_decode_iob2_repairs_an_inside_tag_after_outside():
    from govtag.run.predict import decode_iob2

    labels = ["O", "B-COUNT", "I-COUNT", "B-MONEY", "I-MONEY"]
    probs = np.array([
        [0.999, 0.0, 0.001, 0.0, 0.0],    # 等: sure O
        [0.70, 0.24, 0.02, 0.02, 0.02],   # 三: argmax O
        [0.17, 0.01, 0.80, 0.01, 0.01],   # 处: argmax I-COUNT, invalid after O
        [0.999, 0.0, 0.001, 0.0, 0.0],
        [0.10, 0.05, 0.05, 0.70, 0.10],   # 5
        [0.10, 0.05, 0.60, 0.05, 0.20],   # 元: argmax I-COUNT after B-MONEY, invalid
    ])
    tags = [labels[i] for i in decode_iob2(probs, labels)]
    assert tags == ["O", "B-COUNT", "I-COUNT", "O", "B-MONEY", "I-MONEY"]
    assert (probs.argmax(-1) != decode_iob2(probs, labels)).any()  # argmax alone differs


def test_decode_iob2_keeps_a_confident_sequence():
    from govtag.run.predict import decode_iob2

    labels = ["O", "B-AREA", "I-AREA"]
    probs = np.array([[0.995, 0.0, 0.005], [0.05, 0.9, 0.05], [0.05, 0.05, 0.9], [0.9, 0.05, 0.05]])
    assert list(decode_iob2(probs, labels)) == [0, 1, 2, 0]
