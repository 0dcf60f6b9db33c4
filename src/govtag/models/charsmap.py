"""A per-character normalisation map as SentencePiece's precompiled charsmap (for ``tokenizers``).

``tokenizers.normalizers.Precompiled`` reads the format SentencePiece compiles its normalisation
rules into: a little-endian ``uint32`` byte size, a darts-clone double-array trie over the UTF-8
bytes of each source character whose values point into a blob of NUL-terminated replacements,
then that blob. ``precompiled_charsmap(mapping)`` builds it, so a tokenizer can apply a model's
own map (with alignments, hence offsets into the original text) in one pass.
"""

from __future__ import annotations

import struct

LEAF_BIT = 1 << 31
HAS_LEAF_BIT = 1 << 8


def precompiled_charsmap(mapping: dict[str, str]) -> bytes:
    """The precompiled charsmap that replaces each key character by its value ("" deletes it)."""
    blob, values = bytearray(), {}
    for source in sorted(mapping):
        values[source.encode("utf-8")] = len(blob)
        blob += mapping[source].encode("utf-8") + b"\0"
    units = _double_array(values)
    trie = struct.pack(f"<{len(units)}I", *units)
    return struct.pack("<I", len(trie)) + trie + bytes(blob)


def _trie(keys: dict[bytes, int]) -> dict:
    """Nested dicts: byte -> child; the key ``None`` holds a value that ends there."""
    root: dict = {}
    for key, value in keys.items():
        node = root
        for byte in key:
            node = node.setdefault(byte, {})
        node[None] = value
    return root


def _double_array(keys: dict[bytes, int]) -> list[int]:
    """darts-clone units: a node at ``pos`` with offset ``o`` keeps its children at
    ``pos ^ o ^ label`` (label 0: the leaf holding the value)."""
    units: list[int] = [0]
    used_bases: set[int] = set()
    taken = {0}
    pending = [(0, _trie(keys))]
    search_from = 1
    while pending:
        position, node = pending.pop()
        labels = [0 if label is None else label for label in node]
        base = _free_base(labels, search_from, taken, used_bases)
        used_bases.add(base)
        slots = [base ^ label for label in labels]
        taken.update(slots)
        while len(units) <= base | 0xFF:  # any byte from this node stays inside the array
            units.append(0)
        units[position] = _with_offset(units[position], position ^ base)
        for label, child in node.items():
            if label is None:
                units[position] |= HAS_LEAF_BIT
                units[base] = child | LEAF_BIT
            else:
                units[base ^ label] = (units[base ^ label] & ~0xFF) | label
                pending.append((base ^ label, child))
        while search_from in taken:
            search_from += 1
    return units


def _free_base(labels: list[int], start: int, taken: set[int], used_bases: set[int]) -> int:
    """The first base, trying free slots from ``start`` for the first label, whose slots are all free."""
    slot = start
    while True:
        base = slot ^ labels[0]
        if (slot not in taken and base not in used_bases
                and not any((base ^ label) in taken for label in labels)):
            return base
        slot += 1


def _with_offset(unit: int, offset: int) -> int:
    if offset >= 1 << 21:
        raise ValueError("charsmap too large for one double array")
    return (unit & (LEAF_BIT | HAS_LEAF_BIT | 0xFF)) | (offset << 10)
