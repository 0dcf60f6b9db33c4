"""Tests for govtag.training.train helpers that need no model: noise on the rule features, the training
arguments."""

import numpy as np
from datasets import Dataset

import pytest

from govtag.training.config import Config
from govtag.training.train import noisy_runs, training_arguments, with_rule_noise


def _runs(ids):
    runs, start = [], 0
    for i in range(1, len(ids) + 1):
        if i == len(ids) or ids[i] != ids[start]:
            runs.append((start, i, ids[start]))
            start = i
    return runs


def test_noise_replaces_whole_runs_by_another_role():
    ids = [0, 0, 1, 1, 1, 2, 3, 3, 0]
    rng = np.random.default_rng(0)
    for _ in range(50):
        noisy = noisy_runs(ids, 1.0, rng)
        for start, end, old in _runs(ids):
            part = noisy[start:end]
            assert len(set(part)) == 1 and part[0] != old and 0 <= part[0] <= 3


def test_no_noise_keeps_ids_and_some_noise_changes_some_runs():
    ids = [1] * 5 + [2] * 5 + [3] * 5 + [0] * 5
    assert noisy_runs(ids, 0.0, np.random.default_rng(0)) == ids
    rng = np.random.default_rng(1)
    changed = sum(noisy_runs(ids, 0.5, rng) != ids for _ in range(200))
    assert 150 < changed < 200  # all four runs kept with probability 1/16


def test_dataset_noise_is_fresh_at_each_access_and_leaves_other_columns():
    rows = [{"input_ids": list(range(12)), "rule_section_ids": [1] * 6 + [3] * 6,
             "section_labels": [1] * 6 + [3] * 6}]
    dataset = with_rule_noise(Dataset.from_list(rows), 0.5, seed=7)
    seen = {tuple(dataset[0]["rule_section_ids"]) for _ in range(40)}
    assert len(seen) > 2
    assert dataset[0]["section_labels"] == rows[0]["section_labels"]
    assert dataset[0]["input_ids"] == rows[0]["input_ids"]


@pytest.mark.parametrize("ratio, steps, warmup", [(0.1, 100, 10), (0.0, 100, 0), (0.25, 8, 2), (1.0, 50, 50)])
def test_warmup_ratio_reaches_the_trainer_as_a_share_of_the_steps(tmp_path, ratio, steps, warmup):
    config = Config()
    config.training.warmup_ratio = ratio
    assert training_arguments(config, tmp_path).get_warmup_steps(steps) == warmup


@pytest.mark.slow
def test_two_training_processes_with_gloo(tmp_path, tiny_exports):
    """``torchrun --nproc_per_node 2 -m govtag.cli train``: two CPU processes (gloo) train a few
    steps together; only the first saves the model."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    from conftest import write_train_config

    train, dev = tiny_exports
    config = write_train_config(tmp_path, train, dev, tmp_path / "run", max_steps=2, batch_size=2)
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(Path(__file__).parents[1] / "src")}
    done = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2",
                           "--standalone", "-m", "govtag.cli", "-v", "train", str(config), "--no-eval"],
                          capture_output=True, text=True, timeout=600, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    assert (tmp_path / "run" / "model" / "config.json").is_file()
    assert done.stdout.count("model saved to") == 1  # the first process saves
    assert "world size 2 " in done.stderr, done.stderr[-3000:]
