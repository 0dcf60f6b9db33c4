"""How a model runs: device, int8 weights, inference stride, worker processes and batch size.

The defaults are the fastest CPU settings measured that keep dev and dev2 F1 within 0.5 point of
the float model (README, "Speed and the default settings"): int8 dynamic quantisation of the linear
layers, 16 tokens shared by consecutive windows (never more than the model was trained with), and
for ``govtag predict`` one worker process per available core (never more than there are reports).
On a GPU (``device="cuda"``, or ``"auto"`` when CUDA is there) the weights stay float and run under
bf16 (fp16 where bf16 is not supported) autocast, in larger batches, in one process; int8 is a CPU
format and is refused there. ``resolve`` turns the options a user gave (``None``: the default) into
one ``RunSettings`` that says what is used.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass

import torch

from govtag.core.errors import UsageError

DEVICES = ("auto", "cpu", "cuda")
FAST_STRIDE = 16  # tokens shared by windows at inference (the shipped model trained with 64)
MODEL_STRIDE = "model"  # stride option meaning: the model's training value
CPU_BATCH_SIZE, GPU_BATCH_SIZE = 16, 128  # windows per forward pass (256 tokens, ALBERT-tiny)


@dataclass
class RunSettings:
    """The settings a tagger runs with, each decided (never ``None``)."""

    device: str
    quantize: bool
    stride: int
    jobs: int
    batch_size: int

    def describe(self) -> str:
        """One line, e.g. ``device cpu, int8, stride 16, 2 jobs, batch 16``."""
        weights = "int8" if self.quantize else ("float, autocast " + autocast_name()
                                                 if self.device.startswith("cuda") else "float")
        jobs = f"{self.jobs} job{'s' if self.jobs > 1 else ''}"
        return f"device {self.device}, {weights}, stride {self.stride}, {jobs}, batch {self.batch_size}"


def available_cores() -> int:
    """The CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def resolve_device(name: str | None = None) -> torch.device:
    """``auto`` (or ``None``): CUDA when available, else the CPU; ``cuda`` without CUDA is an error."""
    name = name or "auto"
    if name not in DEVICES and not name.startswith("cuda:"):
        raise UsageError(f"unknown device {name!r} (known: {', '.join(DEVICES)}, cuda:N)")
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise UsageError(f"device {name}: CUDA is not available here (torch {torch.__version__}); "
                         "use --device cpu or auto")
    return torch.device(name)


def autocast_dtype() -> torch.dtype:
    """bf16 where the GPU supports it, else fp16."""
    return torch.bfloat16 if torch.cuda.is_available() and torch.cuda.is_bf16_supported() else torch.float16


def autocast_name() -> str:
    return "bf16" if autocast_dtype() == torch.bfloat16 else "fp16"


def resolve(trained_stride: int, device: str | None = None, quantize: bool | None = None,
            stride: int | str | None = None, jobs: int | None = None,
            batch_size: int | None = None, reports: int | None = None) -> RunSettings:
    """The settings to run with: each option as given, or its default for the device.

    ``stride="model"``: the model's training stride; ``reports``: how many reports there are to
    tag (no more workers than that).
    """
    where = resolve_device(device)
    gpu = where.type == "cuda"
    if gpu and quantize:
        raise UsageError("int8 quantisation is a CPU format: drop --quantize with --device cuda")
    if quantize is None:
        quantize = not gpu
    if stride is None:
        stride = min(FAST_STRIDE, trained_stride)
    elif stride == MODEL_STRIDE:
        stride = trained_stride
    if jobs is None:
        jobs = 1 if gpu else available_cores()
    if reports is not None:
        jobs = jobs_for(jobs, reports)
    batch_size = batch_size or (GPU_BATCH_SIZE if gpu else CPU_BATCH_SIZE)
    return RunSettings(str(where), bool(quantize), int(stride), int(jobs), int(batch_size))


def jobs_for(jobs: int, reports: int) -> int:
    """``jobs`` worker processes, no more than there are ``reports`` (and at least one)."""
    return max(1, min(jobs, reports))


def quantized(model: torch.nn.Module) -> torch.nn.Module:
    """``model`` with int8 dynamic quantisation of its linear layers (CPU only)."""
    with warnings.catch_warnings():  # torch's notices about the future of torch.ao
        warnings.simplefilter("ignore")
        return torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
