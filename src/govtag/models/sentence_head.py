"""The section role of each sentence from what it says, where it stands and what the rules read.

``SentenceHead`` is a scikit-learn logistic regression over feature groups of a
``sentences.Sentence``: character 1-3-grams of the sentence (hashed, TF-IDF), character 1-2-grams
of the heading path in force, the rule tagger's role of the sentence and of its neighbours, the
relative position in the report, and (with ``vectors``) the standardised vector a frozen sentence
encoder gives the sentence (``sentence_vectors``). Class weights balance the rare 问题. With ``rule_dropout``
the rule features of a share of training sentences are blanked, so the words learn to decide
alone and can overrule the rules. The fitted head is saved as arrays in safetensors plus its
settings in JSON (no pickle): ``save(dir)`` / ``SentenceHead.load(dir)``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer
from sklearn.linear_model import LogisticRegression

from govtag.core.components import SectionModel
from govtag.models.settings import HeadSettings
from govtag.core.fitted import load_fitted, save_fitted
from govtag.core.labels import ROLE_CLASSES, merge_sentence_roles
from govtag.core.report import Report
from govtag.models.sentences import NEIGHBOURS, Sentence, report_sentences
from govtag.models.sentence_vectors import SentenceVectors

CLASSES = ROLE_CLASSES
CONTEXT_ROLES = (*CLASSES, "^")  # "^": before the first or after the last sentence
POSITION_BINS = 10
SETTINGS_FILE = "sentence_head.json"
ARRAYS_FILE = "sentence_head.safetensors"


class SentenceHead(SectionModel):
    """A fitted (or fittable) sentence classifier for section roles (``sections: {type: sentence_head}``,
    settings from the config's ``sentence_head`` block)."""
    def __init__(self, settings: HeadSettings | None = None):
        self.settings = settings or HeadSettings()
        s = self.settings
        self.text_hasher = HashingVectorizer(analyzer="char", ngram_range=tuple(s.text_ngrams),
                                             n_features=s.text_features, alternate_sign=False,
                                             norm=None, lowercase=False)
        self.heading_hasher = HashingVectorizer(analyzer="char", ngram_range=(1, 2),
                                                n_features=s.heading_features, alternate_sign=False,
                                                norm=None, lowercase=False)
        self.text_idf = TfidfTransformer(sublinear_tf=True)
        self.heading_idf = TfidfTransformer(sublinear_tf=True)
        self.classes: list[str] = list(CLASSES)
        self.coef: np.ndarray | None = None
        self.intercept: np.ndarray | None = None
        self.vector_mean: np.ndarray | None = None  # standardisation of the sentence vectors
        self.vector_scale: np.ndarray | None = None

    @classmethod
    def create(cls, config, base: str = "", options: dict | None = None) -> "SentenceHead":
        return cls(config.sentence_head)

    # ------------------------------------------------------------ features

    def features(self, sentences: list[Sentence], blank_rules: np.ndarray | None = None,
                 vectors: np.ndarray | None = None):
        """The sparse feature matrix of ``sentences`` (rows whose ``blank_rules`` is true have
        no rule features; ``vectors``: their sentence vectors when already computed)."""
        s = self.settings
        text = self.text_idf.transform(self.text_hasher.transform([x.text for x in sentences]))
        if s.heading_weight:
            heading = self.heading_idf.transform(self.heading_hasher.transform([x.heading for x in sentences]))
        else:  # an all-zero block keeps the column layout without hashing every heading
            heading = sparse.csr_matrix((len(sentences), s.heading_features))
        blocks = [text, heading * s.heading_weight, _one_hot_rules(sentences, blank_rules) * s.rule_weight,
                  _one_hot_positions(sentences) * s.position_weight]
        if s.vectors:
            blocks.append(self._vector_block(self.sentence_vectors(sentences) if vectors is None else vectors))
        return sparse.hstack(blocks, format="csr")

    def sentence_vectors(self, sentences: list[Sentence]) -> np.ndarray:
        """The frozen encoder's vectors of ``sentences`` (``settings.vectors``)."""
        return SentenceVectors(self.settings.vectors).encode([x.text for x in sentences])

    def _vector_block(self, vectors: np.ndarray) -> sparse.csr_matrix:
        scaled = (vectors - self.vector_mean) / self.vector_scale
        return sparse.csr_matrix(scaled * (self.settings.vector_weight / np.sqrt(vectors.shape[1])))

    # ------------------------------------------------------------ fitting and predicting

    def fit(self, sentences: list[Sentence], roles: list[str], silver: int = 0,
            work_dir: str | Path | None = None) -> "SentenceHead":
        """Fit on sentences and their roles; the last ``silver`` rows (silver sentences, whose
        roles are the rules' own) never show their rule features."""
        always_blank = silver
        if not sentences:
            raise ValueError("no training sentences for the sentence head")
        s = self.settings
        self.text_idf.fit(self.text_hasher.transform([x.text for x in sentences]))
        if s.heading_weight:
            self.heading_idf.fit(self.heading_hasher.transform([x.heading for x in sentences]))
        rng = np.random.default_rng(s.seed)
        blank = rng.random(len(sentences)) < s.rule_dropout
        if always_blank:
            blank[len(sentences) - always_blank:] = True
        vectors = None
        if s.vectors:  # standardised on the training sentences
            vectors = self.sentence_vectors(sentences)
            self.vector_mean, self.vector_scale = vectors.mean(0), vectors.std(0) + 1e-6
        matrix = self.features(sentences, blank, vectors)
        model = LogisticRegression(C=s.c, class_weight="balanced" if s.balanced else None,
                                   max_iter=3000, random_state=s.seed)
        model.fit(matrix, roles)
        self._keep(model)
        return self

    def _keep(self, model: LogisticRegression) -> None:
        self.classes = [str(c) for c in model.classes_]
        coef, intercept = model.coef_, model.intercept_
        if len(self.classes) == 2:  # binary: sklearn keeps one row for the second class
            coef, intercept = np.vstack([-coef / 2, coef / 2]), np.array([-intercept[0] / 2, intercept[0] / 2])
        # C order: safetensors writes the raw buffer, whatever the strides
        self.coef = np.ascontiguousarray(coef, dtype=np.float32)
        self.intercept = np.ascontiguousarray(intercept, dtype=np.float32)

    def probabilities(self, sentences: list[Sentence]) -> np.ndarray:
        """(sentences, classes) probabilities, softmax of the linear scores."""
        if self.coef is None:
            raise ValueError("the sentence head is not fitted")
        if not sentences:
            return np.zeros((0, len(self.classes)), np.float32)
        scores = self.features(sentences) @ self.coef.T + self.intercept
        scores = np.asarray(scores) - np.max(scores, axis=1, keepdims=True)
        exp = np.exp(scores)
        return exp / exp.sum(1, keepdims=True)

    def predict(self, sentences: list[Sentence]) -> list[str]:
        """The most probable role of each sentence."""
        return [self.classes[i] for i in self.probabilities(sentences).argmax(1)]

    # ------------------------------------------------------------ saving and loading

    def save(self, directory: str | Path) -> None:
        """Write the settings (JSON) and the fitted arrays (safetensors) into ``directory``."""
        named = [("coef", self.coef), ("intercept", self.intercept), ("text_idf", self.text_idf.idf_)]
        if self.settings.heading_weight:
            named.append(("heading_idf", self.heading_idf.idf_))
        if self.settings.vectors:
            named += [("vector_mean", self.vector_mean), ("vector_scale", self.vector_scale)]
        arrays = {name: np.ascontiguousarray(array, dtype=np.float32) for name, array in named}
        save_fitted(directory, (SETTINGS_FILE, ARRAYS_FILE), self.settings, self.classes, arrays)

    @classmethod
    def load(cls, directory: str | Path) -> "SentenceHead":
        """A head saved by ``save``."""
        settings, classes, arrays = load_fitted(directory, (SETTINGS_FILE, ARRAYS_FILE), HeadSettings)
        head = cls(settings)
        head.classes, head.coef, head.intercept = classes, arrays["coef"], arrays["intercept"]
        head.text_idf.idf_ = arrays["text_idf"].astype(np.float64)
        if settings.heading_weight:
            head.heading_idf.idf_ = arrays["heading_idf"].astype(np.float64)
        if settings.vectors:
            head.vector_mean, head.vector_scale = arrays["vector_mean"], arrays["vector_scale"]
        return head


def is_saved_in(directory: str | Path) -> bool:
    """Whether ``directory`` holds a saved sentence head."""
    return (Path(directory) / SETTINGS_FILE).is_file()


def _one_hot_rules(sentences: list[Sentence], blank: np.ndarray | None) -> sparse.csr_matrix:
    width = len(CONTEXT_ROLES)
    rows, cols = [], []
    for row, sentence in enumerate(sentences):
        if blank is not None and blank[row]:
            continue
        for slot, role in enumerate(sentence.rules):
            rows.append(row)
            cols.append(slot * width + CONTEXT_ROLES.index(role))
    shape = (len(sentences), (2 * NEIGHBOURS + 1) * width)
    return sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=shape)


def _one_hot_positions(sentences: list[Sentence]) -> sparse.csr_matrix:
    cols = [min(int(s.position * POSITION_BINS), POSITION_BINS - 1) for s in sentences]
    rows = list(range(len(sentences)))
    return sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(sentences), POSITION_BINS))


def sentence_sections(classifiers, text: str | Report, rule_sections=None) -> list:
    """Section spans of ``text``: each sentence takes the role with the highest mean probability
    over ``classifiers`` (a ``SentenceHead``, a ``SentenceEncoder``, or a list of them); runs of
    same-role sentences in a line are merged."""
    report = Report.of(text)
    sentences, probabilities = sentence_probabilities(classifiers, report, rule_sections)
    roles = [CLASSES[i] for i in np.asarray(probabilities).argmax(1)] if sentences else []
    return merge_sentence_roles(report.text, [(s.start, s.end, role) for s, role in zip(sentences, roles)])


def sentence_probabilities(classifiers, text: str | Report, rule_sections=None):
    """(sentences, probabilities): the sentences of ``text`` and the mean over ``classifiers`` of
    their role probabilities, columns in ``CLASSES`` order."""
    classifiers = classifiers if isinstance(classifiers, (list, tuple)) else [classifiers]
    sentences = report_sentences(Report.of(text), rule_sections)
    probabilities = sum(in_class_order(c, sentences) for c in classifiers) / len(classifiers)
    return sentences, np.asarray(probabilities)


def in_class_order(classifier, sentences: list[Sentence]) -> np.ndarray:
    """A classifier's probabilities with columns in ``CLASSES`` order (0 for a class it lacks)."""
    probabilities = classifier.probabilities(sentences)
    ordered = np.zeros((len(sentences), len(CLASSES)), np.float32)
    for column, name in enumerate(classifier.classes):
        ordered[:, CLASSES.index(name)] = probabilities[:, column]
    return ordered
