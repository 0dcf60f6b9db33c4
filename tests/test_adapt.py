"""Tests for govtag.training.adapt: masked-LM blocks, the masked-only loss, and an adapted base that trains."""

import torch
from transformers import AutoModelForMaskedLM

from govtag.training.adapt import MaskedTokensOnly, token_blocks
from govtag.cli.main import main
from govtag.training.config import resolve_base

from conftest import FIXTURES, pipeline_text, write_train_config


def test_blocks_cover_the_stream_in_order_with_special_tokens(albert_tokenizer):
    texts = ["xx鎮完成投資１．２億元。", "新建道路12公里，惠及群眾3000人。"]
    blocks = token_blocks(albert_tokenizer, texts, block_tokens=10)["input_ids"]
    assert all(len(b) == 10 and b[0] == albert_tokenizer.cls_token_id and b[-1] == albert_tokenizer.sep_token_id
               for b in blocks)
    stream = []
    for text in texts:
        stream += albert_tokenizer(text, add_special_tokens=False)["input_ids"] + [albert_tokenizer.sep_token_id]
    inner = [t for b in blocks for t in b[1:-1]]
    assert inner == stream[:len(inner)] and len(stream) - len(inner) < 8


def test_masked_only_loss_equals_the_full_head_loss():
    torch.manual_seed(0)
    model = AutoModelForMaskedLM.from_pretrained(resolve_base("albert-tiny")).eval()
    input_ids = torch.randint(1000, 5000, (2, 24))
    labels = torch.full_like(input_ids, -100)
    labels[0, 3], labels[1, 7], labels[1, 20] = 1234, 2345, 3456
    with torch.no_grad():
        full = model(input_ids=input_ids, labels=labels).loss
        masked = MaskedTokensOnly(model)(input_ids=input_ids, labels=labels)["loss"]
    assert torch.allclose(full, masked, atol=1e-5)


def test_adapt_cli_leaves_out_excluded_reports_and_the_result_is_a_base(tmp_path, tiny_exports, capsys):
    out = tmp_path / "adapted"
    code = main(["adapt", str(FIXTURES), "-o", str(out), "--steps", "2", "--batch-size", "2",
                 "--block-tokens", "64", "--exclude", str(tiny_exports[1])])
    assert code == 0
    err = capsys.readouterr().err
    assert "left out 1 report(s)" in err
    from transformers import AutoTokenizer

    sample = "xx鎮完成投資１．２億元"
    assert AutoTokenizer.from_pretrained(out)(sample)["input_ids"] == \
        AutoTokenizer.from_pretrained(resolve_base("albert-tiny"))(sample)["input_ids"]
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("adapted")) == ["adapted"]
    before = AutoModelForMaskedLM.from_pretrained(resolve_base("albert-tiny")).state_dict()
    after = AutoModelForMaskedLM.from_pretrained(out).state_dict()
    changed = [k for k in before if not torch.equal(before[k], after[k])]
    assert changed  # two optimiser steps moved the weights
    config = write_train_config(tmp_path, *tiny_exports, tmp_path / "run", max_steps=1)
    text = config.read_text(encoding="utf-8").replace("base_model: albert-tiny", f"base_model: {out}")
    config.write_text(text, encoding="utf-8")
    assert main(["train", str(config), "--no-eval"]) == 0


def test_adapt_on_too_little_text_says_so(tmp_path):
    report = tmp_path / "r.txt"
    report.write_text(pipeline_text("pipeline_xx_town")[:20], encoding="utf-8")
    code = main(["adapt", str(report), "-o", str(tmp_path / "out"), "--steps", "1", "--block-tokens", "256"])
    assert code == 2 and not (tmp_path / "out").exists()
