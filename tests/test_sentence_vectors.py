"""Tests for frozen sentence vectors and the sentence head that reads them.

The encoder here is ALBERT-tiny (installed with the project); the accurate config names
m3e-small, which goes through the same code.
"""

import json

import numpy as np
import pytest

from govtag.training.config import ConfigError, load_config
from govtag.core.labels import SECTION, Span
from govtag.models.sentence_head import HeadSettings, SentenceHead, sentence_sections
from govtag.models.sentence_vectors import WINDOW_TOKENS, SentenceVectors
from govtag.models.sentences import report_sentences
from test_sentence_head import _baseline_config, annotated, difficulty_in_plan


@pytest.fixture(scope="module")
def training_docs():
    return [annotated(i) for i in range(12)]


@pytest.fixture(scope="module")
def vectors():
    return SentenceVectors("albert-tiny")


def test_a_vector_does_not_depend_on_the_other_sentences_of_the_batch(vectors):
    alone = vectors.encode(["资金缺口较大。"])
    together = vectors.encode(["继续推进道路建设，力争完成投资3亿元。", "资金缺口较大。", "好。"])
    assert alone.shape == (1, vectors.dim) and together.shape == (3, vectors.dim)
    np.testing.assert_allclose(together[1], alone[0], atol=1e-4)
    assert not np.allclose(together[0], together[1], atol=1e-3)


def test_a_long_sentence_is_read_to_its_end(vectors):
    head = "全面推进乡村振兴，" * 30  # several windows of WINDOW_TOKENS tokens
    assert len(vectors.tokenizer(head)["input_ids"]) > 2 * WINDOW_TOKENS
    plain, ended = vectors.encode([head + "新修道路五公里。", head + "人才短缺问题依然突出。"])
    assert not np.allclose(plain, ended, atol=1e-5)  # the last window counts


def test_head_with_vectors_standardises_them_and_saves_them(training_docs, tmp_path):
    from govtag.training.baseline import labelled_sentences

    sentences, roles = labelled_sentences(training_docs)
    settings = HeadSettings(vectors="albert-tiny", vector_weight=1.0, rule_dropout=0.5)
    head = SentenceHead(settings).fit(sentences, roles)
    plain = SentenceHead(HeadSettings(rule_dropout=0.5)).fit(sentences, roles)
    extra = head.features(sentences).shape[1] - plain.features(sentences).shape[1]
    assert extra == SentenceVectors("albert-tiny").dim
    block = head.features(sentences)[:, -extra:].toarray() * np.sqrt(extra)
    np.testing.assert_allclose(block.mean(0), 0, atol=1e-3)  # standardised on the training sentences
    doc = annotated(43)
    start, end = difficulty_in_plan(doc)
    assert Span(start, end, "问题", SECTION) in sentence_sections(head, doc.text)
    head.save(tmp_path)
    loaded = SentenceHead.load(tmp_path)
    assert loaded.settings.vectors == "albert-tiny"
    new = report_sentences(doc.text)
    np.testing.assert_allclose(loaded.probabilities(new), head.probabilities(new), atol=1e-5)


def test_baseline_with_vectors_trains_from_a_config(tmp_path, training_docs):
    from govtag.run.loading import load_predictor
    from govtag.training.train import train

    extra = "  vectors: albert-tiny\n  vector_weight: 0.5\n"
    model_dir = train(load_config(_baseline_config(tmp_path, training_docs, extra)))
    saved = json.loads((model_dir / "sentence_head.json").read_text(encoding="utf-8"))
    assert saved["settings"]["vectors"] == "albert-tiny"
    doc = annotated(44)
    start, end = difficulty_in_plan(doc)
    assert Span(start, end, "问题", SECTION) in load_predictor(model_dir).tag(doc.text, "x").layer(SECTION)


@pytest.mark.parametrize("extra, message", [
    ("  vectors: no-such-encoder\n", "sentence_head.vectors"),
    ("  vectors: albert-tiny\n  vector_weight: -1\n", "sentence_head.vector_weight"),
])
def test_vector_settings_are_checked(tmp_path, training_docs, extra, message):
    with pytest.raises(ConfigError, match=message.replace(".", r"\.")):
        load_config(_baseline_config(tmp_path, training_docs, extra))
