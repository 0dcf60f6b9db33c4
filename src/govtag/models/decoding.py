"""From a model's token probabilities to spans: constrained IOB2 decoding, section votes, confidence.

``TokenProbs`` holds one document's averaged per-token probabilities of both heads (see
``predict.Tagger.token_probs``). Quantity tags are decoded with a Viterbi pass that allows
``I-X`` only after ``B-X`` or ``I-X`` (as flair keeps its Viterbi decoder apart from its model);
each sentence takes the section role its tokens vote for, and runs of same-role sentences become
spans (``labels.merge_sentence_roles``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from govtag.core.labels import IOB2, OUTSIDE, QUANTITY, Span, merge_sentence_roles, tags_to_spans
from govtag.core.report import Report


@dataclass
class TokenProbs:
    """Per-token averaged probabilities of both heads for one document."""

    offsets: list[tuple[int, int]]
    section: np.ndarray
    quantity: np.ndarray


def voted_sections(text: str | Report, probs: TokenProbs, labels: list[str]) -> list[Span]:
    """Section spans: each sentence takes the role its tokens' summed probabilities favour."""
    report = Report.of(text)
    roles = []
    for (start, end), votes in zip(report.sentences, _sentence_votes(report, probs)):
        role = labels[int(votes.argmax())] if votes is not None else OUTSIDE
        roles.append((start, end, role))
    return merge_sentence_roles(report.text, roles)


def _sentence_votes(report: Report, probs: TokenProbs) -> list[np.ndarray | None]:
    """Each sentence's summed section probabilities of its tokens (None: no token starts in it)."""
    starts = np.asarray([s for s, _ in probs.offsets] or [0])
    votes = []
    for start, end in report.sentences:
        first, last = np.searchsorted(starts, start), np.searchsorted(starts, end)
        votes.append(probs.section[first:last].sum(0) if last > first else None)
    return votes


def sentence_role_probabilities(text: str | Report, probs: TokenProbs) -> np.ndarray:
    """(sentences with tokens, roles): the mean section probabilities of each sentence's tokens."""
    votes = [v / v.sum() for v in _sentence_votes(Report.of(text), probs) if v is not None]
    return np.vstack(votes) if votes else np.zeros((0, probs.section.shape[-1]), np.float32)


def section_confidence(probabilities: np.ndarray) -> float:
    """Mean over sentences of the most probable role's probability (1.0 = fully sure; none: 1.0)."""
    return float(probabilities.max(1).mean()) if len(probabilities) else 1.0


def decoded_quantities(text: str, probs: TokenProbs, labels: list[str]) -> list[Span]:
    """Quantity spans from the constrained best tag path over the tokens that cover characters."""
    tags = [OUTSIDE] * len(text)
    with_chars = [i for i, (start, end) in enumerate(probs.offsets) if end > start]
    best = np.zeros(len(probs.offsets), int)
    best[with_chars] = decode_iob2(probs.quantity[with_chars], labels)
    for (start, end), row in zip(probs.offsets, best):
        tag = labels[int(row)]
        if end <= start or tag == OUTSIDE:
            continue
        tags[start] = tag
        for i in range(start + 1, end):
            tags[i] = IOB2.inside(IOB2.label_of(tag))
    return tags_to_spans(tags, QUANTITY)


def decode_iob2(probs: np.ndarray, labels: list[str], sure: float = 0.99) -> np.ndarray:
    """The most probable tag sequence in which I-X only follows B-X or I-X (Viterbi).

    Independent argmax can give ``O I-COUNT`` for ``三处``; the constrained path gives
    ``B-COUNT I-COUNT``. Tokens that are ``O`` with probability >= ``sure`` split the sequence
    into short uncertain stretches, each decoded on its own.
    """
    outside = labels.index(OUTSIDE)
    tags = np.full(len(probs), outside)
    uncertain = np.flatnonzero(probs[:, outside] < sure)
    if not len(uncertain):
        return tags
    allowed = np.array([[IOB2.may_follow(prev, cur) for cur in labels] for prev in labels])
    penalty = np.where(allowed, 0.0, -np.inf)
    breaks = np.flatnonzero(np.diff(uncertain) > 1)
    for run in np.split(uncertain, breaks + 1):
        first, last = run[0], run[-1] + 1
        tags[first:last] = _viterbi(np.log(probs[first:last] + 1e-9), penalty, outside)
    return tags


def _viterbi(scores: np.ndarray, penalty: np.ndarray, outside: int) -> np.ndarray:
    score = scores[0] + penalty[outside]  # the token before the stretch is O
    back = np.zeros(scores.shape, int)
    for t in range(1, len(scores)):
        total = score[:, None] + penalty
        back[t] = total.argmax(0)
        score = total.max(0) + scores[t]
    path = [int(score.argmax())]
    for t in range(len(scores) - 1, 0, -1):
        path.append(int(back[t][path[-1]]))
    return np.array(path[::-1])


def confidence_of(probs: TokenProbs) -> float:
    """Mean over tokens of the top probability of both heads (1.0 = fully sure; no tokens: 1.0)."""
    if not len(probs.offsets):
        return 1.0
    return float((probs.section.max(-1).mean() + probs.quantity.max(-1).mean()) / 2)
