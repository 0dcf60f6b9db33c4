"""The learned quantity layer: candidate spans proposed with high recall, each verified by a classifier.

``QuantityLayer`` reads every candidate of ``govtag.rules.quantity_candidates`` (numeral runs with the
characters after them, the rule spans and their boundary variants) through hashed string features
(its unit, its number's shape, the characters around it, the clause before it, the rule tagger's
decision) and a scikit-learn logistic regression that gives each one a label or none. Decoding
keeps the rule spans unless the classifier is sure enough they are none, then adds the other
candidates it is sure enough of, most probable first, none overlapping another.
Labels named in ``rule_labels`` are taken from the rule tagger instead (where the learned layer
is not better); a rule span wins over a learned one it overlaps.

``fit(documents)`` learns from gold documents; ``predict(texts or documents)`` gives each one's
quantity spans; ``spans(report)`` is the hook a tagger calls per report. Saved without pickle:
the coefficients of the hashed columns seen in fitting in safetensors and the settings in JSON
(``save(dir)`` / ``QuantityLayer.load(dir)``).
"""

from __future__ import annotations

from dataclasses import fields, replace
from pathlib import Path

import numpy as np
from sklearn.feature_extraction import FeatureHasher
from sklearn.linear_model import LogisticRegression

from govtag.core.components import QuantityModel, register_quantity_model
from govtag.core.fitted import load_fitted, save_fitted
from govtag.core.labels import LAYERS, OUTSIDE, QUANTITY, Document, Span
from govtag.rules.quantity_candidates import Candidate, RuleIndex, candidates, features
from govtag.core.report import Report
from govtag.rules.quantity_grammar import tag_quantities
from govtag.models.settings import LayerSettings

SETTINGS_FILE = "quantity_layer.json"
ARRAYS_FILE = "quantity_layer.safetensors"
CLASSES = (OUTSIDE, *LAYERS[QUANTITY])
BLANK_RULES = RuleIndex([], blank=True)  # what a training candidate sees in place of the rules


@register_quantity_model("candidates")
class QuantityLayer(QuantityModel):
    """Candidate-and-verify quantity spans (``quantities: {type: candidates}``): ``fit``,
    ``predict``, ``save``, ``load``."""

    def __init__(self, settings: LayerSettings | None = None):
        self.settings = settings or LayerSettings()
        self.hasher = FeatureHasher(n_features=self.settings.n_features, input_type="string",
                                    alternate_sign=False)
        self.classes: list[str] = list(CLASSES)
        self.coef: np.ndarray | None = None
        self.intercept: np.ndarray | None = None

    @classmethod
    def create(cls, config, options: dict | None = None) -> "QuantityLayer":
        """An unfitted layer with the settings of a config's ``quantities`` block."""
        known = {f.name for f in fields(LayerSettings)}
        return cls(LayerSettings(**{k: v for k, v in (options or {}).items() if k in known}))

    # ------------------------------------------------------------ fitting

    def fit(self, documents: list[Document]) -> "QuantityLayer":
        """Learn from gold documents: each candidate's label is the gold span's it equals, or none."""
        rows, labels = [], []
        rng = np.random.default_rng(self.settings.seed)
        for doc in documents:
            report = Report(doc.text)
            gold = {(s.start, s.end): s.label for s in doc.layer(QUANTITY)}
            found, rules = self._candidates(report)
            blank = rng.random(len(found)) < self.settings.rule_dropout
            rows += [features(report, c, BLANK_RULES if b else rules) for c, b in zip(found, blank)]
            labels += [gold.get((c.start, c.end), OUTSIDE) for c in found]
        if not rows:
            raise ValueError("no candidate quantities in the training documents")
        model = LogisticRegression(C=self.settings.c, max_iter=2000, random_state=self.settings.seed)
        model.fit(self.hasher.transform(rows), labels)
        self.classes = [str(c) for c in model.classes_]
        self.coef = np.ascontiguousarray(model.coef_, dtype=np.float32)
        self.intercept = np.ascontiguousarray(model.intercept_, dtype=np.float32)
        return self

    @staticmethod
    def _candidates(report: Report, rule_spans: list[Span] | None = None):
        rule_spans = tag_quantities(report) if rule_spans is None else rule_spans
        return candidates(report, rule_spans), RuleIndex(rule_spans)

    # ------------------------------------------------------------ predicting

    def probabilities(self, report: Report, found: list[Candidate], rules: RuleIndex) -> np.ndarray:
        """(candidates, classes) probabilities, softmax of the linear scores."""
        if self.coef is None:
            raise ValueError("the quantity layer is not fitted")
        if not found:
            return np.zeros((0, len(self.classes)), np.float32)
        scores = self.hasher.transform([features(report, c, rules) for c in found]) @ self.coef.T
        scores = np.asarray(scores) + self.intercept
        if scores.shape[1] == 1:  # two classes: sklearn keeps one row, for the second
            scores = np.hstack([np.zeros_like(scores), scores])
        exp = np.exp(scores - scores.max(1, keepdims=True))
        return exp / exp.sum(1, keepdims=True)

    def spans(self, text: str | Report, rule_spans: list[Span] | None = None) -> list[Span]:
        """The quantity spans of one report (``rule_spans``: the rule tagger's, when at hand)."""
        report = Report.of(text)
        if rule_spans is None:
            rule_spans = tag_quantities(report)
        if set(LAYERS[QUANTITY]) <= set(self.settings.rule_labels):
            return sorted(rule_spans)  # every label from the rules: nothing to verify
        found, rules = self._candidates(report, rule_spans)
        s = self.settings
        learned = decode(found, self.probabilities(report, found, rules), self.classes, rules,
                         s.add_threshold, s.remove_threshold)
        return combine(learned, rule_spans, self.settings.rule_labels)

    def predict(self, items: list) -> list[list[Span]]:
        """Quantity spans of each text, ``Report`` or ``Document`` (its text) in ``items``."""
        return [self.spans(item.text if isinstance(item, Document) else item) for item in items]

    def with_rule_labels(self, labels: list[str]) -> "QuantityLayer":
        """The same fitted layer, taking the quantities labelled ``labels`` from the rule tagger."""
        layer = QuantityLayer(replace(self.settings, rule_labels=list(labels)))
        layer.classes, layer.coef, layer.intercept = self.classes, self.coef, self.intercept
        return layer

    # ------------------------------------------------------------ saving and loading

    def save(self, directory: str | Path) -> None:
        """Write the settings (JSON) and the fitted arrays (safetensors) into ``directory``."""
        if self.coef is None:
            raise ValueError("the quantity layer is not fitted")
        columns = np.flatnonzero(np.abs(self.coef).sum(0)).astype(np.int32)  # hashed features seen in fitting
        arrays = {"columns": columns, "coef": np.ascontiguousarray(self.coef[:, columns]),
                  "intercept": self.intercept}
        save_fitted(directory, (SETTINGS_FILE, ARRAYS_FILE), self.settings, self.classes, arrays)

    @classmethod
    def load(cls, directory: str | Path) -> "QuantityLayer":
        """A layer saved by ``save``."""
        settings, classes, arrays = load_fitted(directory, (SETTINGS_FILE, ARRAYS_FILE), LayerSettings)
        layer = cls(settings)
        coef = np.zeros((len(classes), settings.n_features), np.float32)
        coef[:, arrays["columns"]] = arrays["coef"]  # only the columns seen in fitting are saved
        layer.classes, layer.coef, layer.intercept = classes, coef, arrays["intercept"]
        return layer


def is_saved_in(directory: str | Path) -> bool:
    """Whether ``directory`` holds a saved quantity layer."""
    return (Path(directory) / SETTINGS_FILE).is_file()


def decode(found: list[Candidate], probabilities: np.ndarray, classes: list[str], rules: RuleIndex,
           add_threshold: float = 0.5, remove_threshold: float = 0.5) -> list[Span]:
    """Non-overlapping spans from scored candidates. A rule span stays (with its most probable
    label) unless none has at least ``remove_threshold``; any other candidate is added when its
    best label has at least ``add_threshold``. Rule spans kept go first, then the
    others, most probable first."""
    outside = classes.index(OUTSIDE) if OUTSIDE in classes else None
    scored = []
    for candidate, row in zip(found, probabilities):
        ranked = [(p, label) for label, p in zip(classes, row) if label != OUTSIDE]
        if not ranked:
            continue
        best, label = max(ranked)
        none = row[outside] if outside is not None else 0.0
        if rules.exact.get((candidate.start, candidate.end)):
            keep, priority = none < remove_threshold, 1.0 + best
        else:
            keep, priority = best >= add_threshold, best
        if keep:
            scored.append((-priority, candidate.start, candidate.end, label))
    taken = np.zeros(max((c.end for c in found), default=0), bool)
    kept = []
    for _, start, end, label in sorted(scored):
        if not taken[start:end].any():
            taken[start:end] = True
            kept.append(Span(start, end, label, QUANTITY))
    return sorted(kept)


def combine(learned: list[Span], rule_spans: list[Span], rule_labels: list[str]) -> list[Span]:
    """The learned spans of labels not in ``rule_labels`` and the rule spans of those that are;
    a rule span wins over a learned one it overlaps."""
    from_rules = [s for s in rule_spans if s.label in rule_labels]
    taken = {i for s in from_rules for i in range(s.start, s.end)}
    kept = [s for s in learned if s.label not in rule_labels
            and not any(i in taken for i in range(s.start, s.end))]
    return sorted(from_rules + kept)
