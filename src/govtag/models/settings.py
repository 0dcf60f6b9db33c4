"""The settings of the sentence classifiers and the learned quantity layer, as a training config's
``sentence_head``, ``sentence_encoder`` and ``quantities`` blocks give them (plain dataclasses:
reading a config imports no model code)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class HeadSettings:
    """How the sentence head reads a sentence and how it is fitted."""

    text_features: int = 2**18  # hash buckets for the sentence's character n-grams
    text_ngrams: tuple[int, int] = (1, 3)
    heading_features: int = 2**16  # hash buckets for the heading path's character n-grams
    heading_weight: float = 0.0  # scale of the heading block against the sentence text (0: off)
    rule_weight: float = 0.7  # scale of the rule-role block (0: text and heading only)
    position_weight: float = 0.0  # scale of the position block (10 bins of the relative position)
    c: float = 2.0  # inverse regularisation strength of the logistic regression
    balanced: bool = True  # class weights inverse to class frequency (the rare 问题 counts more)
    rule_dropout: float = 0.15  # share of training sentences whose rule features are blanked
    vectors: str = ""  # frozen sentence encoder whose vectors are a feature block ("": off)
    vector_weight: float = 1.0  # scale of the standardised sentence-vector block
    seed: int = 42


@dataclass
class EncoderSettings:
    """How the sentence encoder is fine-tuned."""

    max_tokens: int = 96  # tokens per input (sentence and rule segment); longer sentences are cut at the end
    epochs: float = 3.0
    batch_size: int = 32
    learning_rate: float = 1e-4
    rule_dropout: float = 0.3  # share of training sentences whose rule segment says 无
    rule_roles: bool = True  # read the rule roles around the sentence (false: 无 always, the words alone)
    context_chars: int = 0  # last characters of the sentence before, added to the second segment
    balanced: bool = True  # class weights inverse to frequency
    half: bool = True  # save the fine-tuned weights as float16 (half the size)
    seed: int = 42


@dataclass
class EnsembleSettings:
    """How the ensemble averages its section models (the other keys of ``sections: {type: ensemble}``)."""

    # the encoder reads only the sentences whose head gives its top role a probability below this;
    # the others keep the head's probabilities (1.0: the encoder reads every sentence)
    confident: float = 1.0


@dataclass
class LayerSettings:
    """How the learned quantity layer is fitted and which labels it leaves to the rules."""

    n_features: int = 2**20  # hash buckets for the candidates' string features
    c: float = 4.0  # inverse regularisation strength of the logistic regression
    rule_labels: list[str] = field(default_factory=list)  # labels taken from the rule tagger
    rule_dropout: float = 0.0  # share of training candidates that do not see the rule decision
    add_threshold: float = 0.7  # least probability of a label for a span the rules do not have
    remove_threshold: float = 0.9  # least probability of none for dropping a rule span
    seed: int = 42
