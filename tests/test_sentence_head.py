"""Tests for the sentence view, the sentence head and the scikit-learn baseline built on it.

The made-up reports put a sentence that states a difficulty inside the plan part (spec rule 7):
the rule tagger follows the heading there (计划), the annotation says 问题, and a head trained on
such annotations must overrule the rules.
"""

import json

import numpy as np
import pytest

from govtag.training.config import ConfigError, load_config
from govtag.core.labels import QUANTITY, SECTION, Document, Span
from govtag.core.labelstudio import write_tasks
from govtag.rules.tagger import tag_document
from govtag.models.sentence_head import HeadSettings, SentenceHead, sentence_sections
from govtag.models.sentences import gold_roles, report_sentences, roles_of_spans

PLACES = ("东山", "西河", "南岭", "北坡", "中湾", "青石", "白沙", "红岩", "金川", "玉泉")
DIFFICULTIES = ("资金缺口较大", "人才短缺问题依然突出", "基础设施薄弱", "增收渠道单一的矛盾仍然存在",
                "产业结构不优", "发展不平衡不充分的问题依然突出")


def made_up_report(index: int) -> tuple[str, list[tuple[str, str]]]:
    """A township report as (text, [(sentence, role)]): a plan part with a difficulty in it."""
    place = PLACES[index % len(PLACES)]
    difficulty = DIFFICULTIES[index % len(DIFFICULTIES)]
    other = DIFFICULTIES[(index + 3) % len(DIFFICULTIES)]
    lines = [
        [("一、工作回顾", "成绩")],
        [(f"今年{place}村新修道路{index + 3}公里。", "成绩"), (f"完成投资{index + 2}亿元。", "成绩")],
        [("二、存在的问题", "问题")],
        [(f"一是{difficulty}。", "问题"), (f"二是{other}。", "问题")],
        [("三、下步工作打算", "计划")],
        [(f"继续推进{place}村道路建设。", "计划"), (f"但是{difficulty}，制约发展。", "问题"),
         (f"力争完成投资{index + 4}亿元。", "计划")],
    ]
    text, sentences = "", []
    for line in lines:
        text += "".join(s for s, _ in line) + "\n"
        sentences += line
    return text, sentences


def annotated(index: int) -> Document:
    text, sentences = made_up_report(index)
    spans, offset = [], 0
    for sentence, role in sentences:
        start = text.index(sentence, offset)
        spans.append(Span(start, start + len(sentence), role, SECTION))
        offset = start + len(sentence)
    return Document(f"made_up_{index}", text, spans + tag_document(text).layer(QUANTITY))


def difficulty_in_plan(doc: Document) -> tuple[int, int]:
    start = doc.text.index("但是")
    return start, doc.text.index("。", start) + 1


@pytest.fixture(scope="module")
def training_docs():
    return [annotated(i) for i in range(12)]


@pytest.fixture(scope="module")
def head(training_docs):
    from govtag.training.baseline import labelled_sentences

    sentences, roles = labelled_sentences(training_docs)
    return SentenceHead(HeadSettings(heading_weight=0, position_weight=0, rule_dropout=0.5)).fit(sentences, roles)


def test_sentences_carry_text_heading_rule_window_and_position():
    text = "一、工作回顾\n新建道路５公里。完成投资2亿元。\n二、下步打算\n继续推进。"
    sentences = report_sentences(text)
    assert [s.text for s in sentences] == ["一、工作回顾", "新建道路5公里。", "完成投资2亿元。",
                                           "二、下步打算", "继续推进。"]  # normalised view
    assert sentences[1].heading == "一、工作回顾" and sentences[4].heading == "二、下步打算"
    assert sentences[0].rules[:2] == ("^", "^") and sentences[-1].rules[-2:] == ("^", "^")
    assert sentences[2].rules[2] == "成绩" and sentences[4].rules[2] == "计划"
    assert [s.position for s in sentences] == sorted(s.position for s in sentences)
    assert 0 <= sentences[0].position < sentences[-1].position < 1


def test_role_of_a_sentence_is_the_role_of_most_of_its_characters():
    spans = [Span(0, 3, "成绩", SECTION), Span(3, 4, "问题", SECTION)]
    assert roles_of_spans([(0, 4), (4, 6), (2, 6)], spans, 6) == ["成绩", "O", "O"]


def test_rules_follow_the_heading_where_the_annotation_says_problem(training_docs):
    doc = training_docs[0]
    sentences = report_sentences(doc.text)
    start, _ = difficulty_in_plan(doc)
    index = next(i for i, s in enumerate(sentences) if s.start == start)
    assert sentences[index].rules[2] == "计划"
    assert gold_roles(doc, sentences)[index] == "问题"


def test_head_overrules_the_rules_on_a_new_report(head):
    doc = annotated(40)  # a combination of place and difficulty not seen in training
    spans = sentence_sections(head, doc.text)
    start, end = difficulty_in_plan(doc)
    assert Span(start, end, "问题", SECTION) in spans
    rules = {(s.start, s.label) for s in tag_document(doc.text).layer(SECTION)}
    assert (start, "问题") not in rules
    assert any(s.label == "计划" and s.start == doc.text.index("继续") for s in spans)
    assert any(s.label == "成绩" and s.start == doc.text.index("今年") for s in spans)


def test_saved_head_gives_the_same_probabilities(head, tmp_path):
    sentences = report_sentences(annotated(41).text)
    head.save(tmp_path)
    loaded = SentenceHead.load(tmp_path)
    assert loaded.classes == head.classes
    np.testing.assert_allclose(loaded.probabilities(sentences), head.probabilities(sentences), atol=1e-5)
    assert not list(tmp_path.glob("*.pkl")) and (tmp_path / "sentence_head.safetensors").is_file()


def test_unfitted_head_says_so():
    with pytest.raises(ValueError, match="not fitted"):
        SentenceHead().probabilities(report_sentences("继续推进。"))


def _baseline_config(tmp_path, training_docs, extra: str = "") -> str:
    train, dev = tmp_path / "train.json", tmp_path / "dev.json"
    write_tasks(training_docs[:10], train)
    write_tasks(training_docs[10:], dev)
    config = tmp_path / "baseline.yaml"
    config.write_text(f"kind: baseline\noutput: {json.dumps(str(tmp_path / 'run'))}\n"
                      f"data:\n  train: {json.dumps(str(train))}\n  dev: {json.dumps(str(dev))}\n"
                      f"sentence_head:\n  heading_weight: 0.0\n  rule_dropout: 0.5\n{extra}",
                      encoding="utf-8")
    return str(config)


def test_baseline_trains_from_a_config_and_tags_through_load_predictor(tmp_path, training_docs):
    from govtag.run.sentence_tagger import BaselineTagger
    from govtag.run.loading import load_predictor
    from govtag.training.train import train

    model_dir = train(load_config(_baseline_config(tmp_path, training_docs)))
    predictor = load_predictor(model_dir)
    assert isinstance(predictor, BaselineTagger)
    doc = annotated(42)
    tagged = predictor.tag(doc.text, "x")
    start, end = difficulty_in_plan(doc)
    assert Span(start, end, "问题", SECTION) in tagged.layer(SECTION)
    assert tagged.layer(QUANTITY) == tag_document(doc.text).layer(QUANTITY)
    with pytest.raises(ValueError, match="doc_id"):
        predictor.tag_many(["a", "b"], ["only one"])


def test_compare_scores_rules_and_a_model_on_the_same_documents(tmp_path, training_docs, capsys):
    from govtag.cli.main import main
    from govtag.training.train import train

    model_dir = train(load_config(_baseline_config(tmp_path, training_docs)))
    assert main(["compare", "--data", str(tmp_path / "dev.json"), str(model_dir),
                 "-o", str(tmp_path / "cmp")]) == 0
    out = capsys.readouterr().out
    assert "| rules |" in out and f"| {model_dir} |" in out
    reports = json.loads((tmp_path / "cmp" / "comparison.json").read_text(encoding="utf-8"))["reports"]
    problems = {name: r["section"]["char"]["labels"]["问题"]["f1"] for name, r in reports.items()}
    assert problems[str(model_dir)] > problems["rules"]


@pytest.mark.parametrize("extra, key", [
    ("  c: -1\n", "sentence_head.c"),
    ("  rule_dropout: 1.5\n", "sentence_head.rule_dropout"),
    ("  text_ngrams: [3, 1]\n", "sentence_head.text_ngrams"),
    ("  rule_dropuot: 0.1\n", "sentence_head.rule_dropout"),  # typo: suggestion names the key
])
def test_sentence_head_settings_are_checked(tmp_path, training_docs, extra, key):
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        load_config(_baseline_config(tmp_path, training_docs, extra))


def test_unknown_kind_is_refused(tmp_path, training_docs):
    path = _baseline_config(tmp_path, training_docs)
    with open(path, encoding="utf-8") as handle:
        text = handle.read().replace("kind: baseline", "kind: baselien")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
    with pytest.raises(ConfigError, match="'kind' must be one of tagger, baseline"):
        load_config(path)


def test_encoder_input_spells_rule_roles_and_blanks_them():
    from govtag.models.sentence_encoder import NO_RULES, second_segment

    sentences = report_sentences("一、工作回顾\n新建道路5公里。完成投资2亿元。\n二、下步打算\n继续推进。")
    assert second_segment(sentences[2]) == "成绩 成绩 【成绩】 计划 计划"
    assert second_segment(sentences[0]) == "【成绩】 成绩 成绩"
    assert second_segment(sentences[2], blank=True) == NO_RULES
    assert second_segment(sentences[2], context_chars=4) == "成绩 成绩 【成绩】 计划 计划 | 5公里。"


def test_class_weights_favour_the_rare_role():
    from govtag.models.sentence_encoder import _class_weights

    weights = _class_weights([3] * 90 + [2] * 10)  # 计划 x90, 问题 x10
    assert weights[2] > weights[3] * 8


@pytest.mark.slow
def test_ensemble_baseline_saves_and_reloads_both_sentence_classifiers(tmp_path, training_docs):
    from govtag.run.sentence_tagger import BaselineTagger
    from govtag.run.loading import load_predictor
    from govtag.models.sentence_encoder import SentenceEncoder
    from govtag.training.train import train

    extra = ("base_model: albert-tiny\nsection_head: ensemble\n"
             "sentence_encoder:\n  epochs: 1\n  batch_size: 16\n  max_tokens: 48\n")
    path = _baseline_config(tmp_path, training_docs)
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(extra)
    model_dir = train(load_config(path))
    assert (model_dir / "sentence_encoder" / "model.safetensors").is_file()
    predictor = load_predictor(model_dir)
    assert isinstance(predictor, BaselineTagger)
    (ensemble,) = predictor.heads
    assert [type(h).__name__ for h in ensemble.parts] == ["SentenceHead", "SentenceEncoder"]
    sentences = report_sentences(annotated(43).text)
    again = SentenceEncoder.load(model_dir)
    np.testing.assert_allclose(again.probabilities(sentences), ensemble.parts[1].probabilities(sentences),
                               atol=1e-5)
    assert len(predictor.tag(annotated(43).text).layer(SECTION)) > 0


def test_predict_and_view_commands_run_a_baseline_model(tmp_path, training_docs):
    from govtag.cli.main import main
    from govtag.training.train import train

    model_dir = train(load_config(_baseline_config(tmp_path, training_docs)))
    doc = annotated(45)
    report = tmp_path / "xx镇.txt"
    report.write_text(doc.text, encoding="utf-8")
    out = tmp_path / "out.json"
    assert main(["predict", "--model", str(model_dir), "-o", str(out), str(report)]) == 0
    result = json.loads(out.read_text(encoding="utf-8"))[0]
    start, end = difficulty_in_plan(doc)
    assert {"role": "问题", "start": start, "end": end} in [
        {k: s[k] for k in ("role", "start", "end")} for s in result["sections"]]
    assert main(["view", "--model", str(model_dir), "-o", str(tmp_path / "v.html"), str(report)]) == 0
    from govtag.core.errors import NotTextError
    from govtag.run.loading import load_predictor

    with load_predictor(model_dir) as predictor, pytest.raises(NotTextError):
        predictor.tag(doc.text.encode("utf-8"), "bytes")


def test_an_encoder_without_rule_roles_reads_the_words_alone(albert_tokenizer):
    from dataclasses import replace
    from types import SimpleNamespace

    from govtag.models.sentence_encoder import EncoderSettings, SentenceEncoder
    from govtag.models.sentences import report_sentences

    text = "一、存在的问题\n企业经营困难。\n二、明年工作\n新建厂房5万平方米。"
    model = SimpleNamespace(config=SimpleNamespace(num_labels=1, id2label={0: "O"}))
    with_rules = SentenceEncoder(model, albert_tokenizer, EncoderSettings())
    alone = SentenceEncoder(model, albert_tokenizer, EncoderSettings(rule_roles=False))
    sentences = report_sentences(text)
    assert with_rules._encode(sentences) != alone._encode(sentences)
    blanked = [replace(s, rules=("问题",) * len(s.rules)) for s in sentences]
    assert alone._encode(sentences) == alone._encode(blanked)
    assert all(albert_tokenizer.decode(ids).replace(" ", "").endswith("无[SEP]")
               for ids in alone._encode(sentences)["input_ids"])
