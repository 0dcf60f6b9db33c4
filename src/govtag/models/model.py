"""The tagger: one pretrained encoder with two token-classification heads (sections, quantities).

``GovtagConfig`` holds the encoder's config, both label maps and the windowing settings, so a
saved model directory is self-describing; ``GovtagModel`` saves and loads with
``save_pretrained``/``from_pretrained``. Training sums the cross-entropy of both heads.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn
from transformers import AutoConfig, AutoModel, PretrainedConfig, PreTrainedModel
from transformers.modeling_outputs import ModelOutput

from govtag.models.encoding import IGNORE, QUANTITY_TAGS, SECTION_TAGS, WindowSettings
from govtag.core.labels import QUANTITY, SECTION


RULE_PRIOR = 4.0  # initial logit bonus for the rule tagger's tag when rule features are on


# each ``WindowSettings`` field and the flat config.json key it is saved under
WINDOW_FIELDS = {"length": "window_length", "stride": "stride", "heading_context": "heading_context",
                 "context_tokens": "context_tokens", "rule_features": "rule_features"}


def window_fields(settings: WindowSettings) -> dict:
    """The window settings as the flat ``GovtagConfig`` fields a model directory saves."""
    return {saved: getattr(settings, name) for name, saved in WINDOW_FIELDS.items()}


def window_settings(config: "GovtagConfig") -> WindowSettings:
    """The window settings a model was trained with, from its config (older ones included)."""
    return WindowSettings(**{name: getattr(config, saved) for name, saved in WINDOW_FIELDS.items()})


class GovtagConfig(PretrainedConfig):
    """The saved model's config: the encoder's config, both label maps, the window settings (flat
    fields, see ``WINDOW_FIELDS``; missing ones take ``WindowSettings``' defaults) and the heads."""

    model_type = "govtag"

    def __init__(self, encoder: dict | None = None, section_labels: list[str] | None = None,
                 quantity_labels: list[str] | None = None, classifier_dropout: float = 0.1,
                 base_model: str = "", rule_layers: list[str] | None = None, **kwargs):
        self.encoder = encoder or {}
        self.section_labels = list(section_labels or SECTION_TAGS)
        self.quantity_labels = list(quantity_labels or QUANTITY_TAGS)
        defaults = window_fields(WindowSettings())
        for saved, default in defaults.items():
            setattr(self, saved, kwargs.pop(saved, default))
        self.rule_layers = list(rule_layers if rule_layers is not None else (SECTION, QUANTITY))
        self.classifier_dropout = classifier_dropout
        self.base_model = base_model
        super().__init__(**kwargs)


@dataclass
class TaggerOutput(ModelOutput):
    """The summed loss (when labels are given) and the logits of both heads."""

    loss: torch.Tensor | None = None
    section_logits: torch.Tensor | None = None
    quantity_logits: torch.Tensor | None = None


def encoder_config(config: GovtagConfig):
    settings = dict(config.encoder)
    return AutoConfig.for_model(settings.pop("model_type"), **settings)


class GovtagModel(PreTrainedModel):
    """The encoder and its two token heads (sections, quantities), optionally fed the rule tags."""

    config_class = GovtagConfig
    base_model_prefix = "encoder"

    def __init__(self, config: GovtagConfig):
        super().__init__(config)
        self.encoder = AutoModel.from_config(encoder_config(config), add_pooling_layer=False)
        hidden = self.encoder.config.hidden_size
        with_rules = hidden + len(config.section_labels) + len(config.quantity_labels)
        self.dropout = nn.Dropout(config.classifier_dropout)
        self.section_head = nn.Linear(with_rules if self._sees_rules(SECTION) else hidden,
                                      len(config.section_labels))
        self.quantity_head = nn.Linear(with_rules if self._sees_rules(QUANTITY) else hidden,
                                       len(config.quantity_labels))
        self.post_init()
        if config.rule_features:
            self._trust_rules_at_start(self.encoder.config.hidden_size)

    def _sees_rules(self, layer: str) -> bool:
        """Whether the head of ``layer`` gets the rule tagger's tags beside the hidden state."""
        return self.config.rule_features and layer in self.config.rule_layers

    @torch.no_grad()
    def _trust_rules_at_start(self, hidden: int) -> None:
        """Start each head by voting for the rule tagger's tag, so training learns corrections.

        Plain small initial weights on one-hot features would take thousands of steps to matter.
        """
        n_section = len(self.config.section_labels)
        n_quantity = len(self.config.quantity_labels)
        if self._sees_rules(SECTION):
            self.section_head.weight[:, hidden:hidden + n_section] = RULE_PRIOR * torch.eye(n_section)
        if self._sees_rules(QUANTITY):
            self.quantity_head.weight[:, hidden + n_section:] = RULE_PRIOR * torch.eye(n_quantity)

    def _init_weights(self, module):
        if isinstance(module, nn.Linear) and module in (self.section_head, self.quantity_head):
            module.weight.data.normal_(0.0, 0.02)
            module.bias.data.zero_()

    def forward(self, input_ids, attention_mask=None, token_type_ids=None, section_labels=None,
                quantity_labels=None, rule_section_ids=None, rule_quantity_ids=None, **_):
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids).last_hidden_state
        hidden = self.dropout(hidden)
        with_rules = hidden
        if self.config.rule_features:
            rules = self._rule_one_hot(rule_section_ids, rule_quantity_ids, hidden)
            with_rules = torch.cat([hidden, rules], -1)
        section_logits = self.section_head(with_rules if self._sees_rules(SECTION) else hidden)
        quantity_logits = self.quantity_head(with_rules if self._sees_rules(QUANTITY) else hidden)
        loss = None
        if section_labels is not None and quantity_labels is not None:
            loss_fn = nn.CrossEntropyLoss(ignore_index=IGNORE)
            loss = (loss_fn(section_logits.flatten(0, 1), section_labels.flatten())
                    + loss_fn(quantity_logits.flatten(0, 1), quantity_labels.flatten()))
        return TaggerOutput(loss=loss, section_logits=section_logits,
                            quantity_logits=quantity_logits)

    def _rule_one_hot(self, section_ids, quantity_ids, hidden) -> torch.Tensor:
        """The rule tagger's tags as one-hot features beside each token's hidden state."""
        if section_ids is None or quantity_ids is None:
            raise ValueError("this model uses rule features: pass rule_section_ids and rule_quantity_ids")
        section = nn.functional.one_hot(section_ids, len(self.config.section_labels))
        quantity = nn.functional.one_hot(quantity_ids, len(self.config.quantity_labels))
        return torch.cat([section, quantity], -1).to(hidden.dtype)


def from_base(base_dir: str, base_name: str | None = None, windows: WindowSettings | None = None,
              **settings) -> GovtagModel:
    """A new tagger whose encoder starts from the pretrained weights in ``base_dir``; the saved
    config records the base as ``base_name`` (the config's short name, never a local path), the
    ``windows`` settings, and ``settings`` (other ``GovtagConfig`` fields)."""
    local = Path(base_dir).is_dir()
    pretrained = AutoModel.from_pretrained(base_dir, local_files_only=local, add_pooling_layer=False,
                                           dtype=torch.float32)  # a float16 base is trained in float32
    name = base_name or str(base_dir)
    encoder = {**pretrained.config.to_dict(), "_name_or_path": name}
    settings = {**window_fields(windows or WindowSettings()), **settings}
    config = GovtagConfig(encoder=encoder, base_model=name, **settings)
    model = GovtagModel(config)
    missing, unexpected = model.encoder.load_state_dict(pretrained.state_dict(), strict=False)
    if missing or unexpected:
        raise ValueError(f"{base_dir}: encoder weights do not fit: {(missing + unexpected)[:5]}")
    return model
