"""From documents to model inputs: token offsets, heading context, sliding windows, token labels.

The text the model sees is the normalised view of the report (``Report.view``, same length as
the original). It is
tokenised once per document with the fast tokenizer's offset mapping; labels go to tokens through
those offsets (a digit run may be several tokens, one piece may cover several characters,
whitespace may be no token or the start of a piece, which is trimmed off). Long documents are
cut into overlapping windows over the whole token sequence, nothing dropped. With heading context,
each window carries the heading path in force at its first token (e.g. ``二、存在的问题``) as a first
segment, so a paragraph far below its heading still sees it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from govtag.core.errors import UsageError
from govtag.core.labels import QUANTITY, ROLE_CLASSES, SECTION, Document, bio_tags, char_roles, spans_to_tags
from govtag.core.report import Report

IGNORE = -100
SECTION_TAGS = list(ROLE_CLASSES)
QUANTITY_TAGS = bio_tags(QUANTITY)


@dataclass
class WindowSettings:
    """How a report is cut into model windows: one object from the ``windows`` section of a
    training config to the saved model (``model.window_fields``) and back for inference
    (``model.window_settings``). ``rule_features`` is the config's top-level key of that name."""

    length: int = field(default=256, metadata={
        "help": "tokens per window, special and heading-context tokens included (32 to 512)"})
    stride: int = field(default=64, metadata={
        "help": "report tokens shared by consecutive windows (0 to half the length)"})
    heading_context: bool = field(default=True, metadata={
        "help": "give each window the heading path in force at its first token as a first segment"})
    context_tokens: int = field(default=32, metadata={
        "help": "the most tokens of heading context per window (0 to half the length)"})
    rule_features: bool = field(default=False, metadata={
        "help": "feed the rule tagger's tags at each token to the heads (the config's top-level "
                "rule_features)", "in_section": False})


@dataclass
class TokenisedDoc:
    """A document's tokens over its normalised text, with the char range each token covers."""

    input_ids: list[int]
    offsets: list[tuple[int, int]]
    contexts: list[str]
    rule_section_ids: list[int] | None = None
    rule_quantity_ids: list[int] | None = None


@dataclass
class Window:
    """One model input: its token ids and types, and where each token sits in the document."""

    input_ids: list[int]
    token_type_ids: list[int]
    token_index: list[int]  # position of each input token in the document's tokens, -1 for context

    def rule_ids(self, doc: TokenisedDoc) -> tuple[list[int], list[int]] | None:
        """The rule tagger's section and quantity tag ids at each input token (0 outside the body)."""
        if doc.rule_section_ids is None:
            return None
        section = [doc.rule_section_ids[i] if i >= 0 else 0 for i in self.token_index]
        quantity = [doc.rule_quantity_ids[i] if i >= 0 else 0 for i in self.token_index]
        return section, quantity


def tokenise(tokenizer, text: str | Report, rule_features: bool = False,
             rule_doc: Document | None = None) -> TokenisedDoc:
    """Tokenise the normalised text once, keeping offsets and the heading path at each token;
    with ``rule_features``, the rule tagger's tags per token (from ``rule_doc`` when given)."""
    report = Report.of(text)
    encoding = tokenizer(report.view, add_special_tokens=False, return_offsets_mapping=True,
                         return_attention_mask=False, return_token_type_ids=False, verbose=False)
    offsets = trim_offsets(report.view, encoding["offset_mapping"])
    changes = report.headings
    contexts, current, next_change = [], "", 0
    for start, _ in offsets:
        while next_change < len(changes) and changes[next_change][0] <= start:
            current = changes[next_change][1]
            next_change += 1
        contexts.append(current)
    tokens = TokenisedDoc(list(encoding["input_ids"]), offsets, contexts)
    if rule_features:
        if rule_doc is None:
            from govtag.rules.tagger import tag_document  # the rule grammar compiles its lexicons: only for rule features

            rule_doc = tag_document(report)
        tokens.rule_section_ids, tokens.rule_quantity_ids = token_label_ids(rule_doc, tokens, fill=0)
    return tokens


def trim_offsets(text: str, offsets) -> list[tuple[int, int]]:
    """Offsets without the leading whitespace a SentencePiece tokenizer folds into a piece (its
    ``▁12`` covers ``\n12``), so each token starts at its first visible character and takes that
    character's label; a token of whitespace only keeps its span."""
    trimmed = []
    for start, end in offsets:
        while start < end - 1 and text[start].isspace():
            start += 1
        trimmed.append((start, end))
    return trimmed


def window_starts(n_tokens: int, body: int, stride: int) -> list[int]:
    """Starts of windows of ``body`` tokens overlapping by ``stride`` that cover every token."""
    if n_tokens <= body:
        return [0]
    step = max(1, body - stride)
    starts = list(range(0, n_tokens - body, step))
    return starts + [n_tokens - body]


def window_body(settings: WindowSettings) -> int:
    """Tokens of report text in one window: its length less the context and special tokens."""
    context_budget = settings.context_tokens if settings.heading_context else 0
    return settings.length - 3 - context_budget if context_budget else settings.length - 2


def check_stride(stride: int, settings: WindowSettings, name: str = "stride") -> None:
    """``UsageError`` naming ``name`` unless 0 <= stride < the window body of ``settings``."""
    body = window_body(settings)
    if not 0 <= stride < body:
        raise UsageError(
            f"{name} must be at least 0 and below {body} (the text tokens of a "
            f"{settings.length}-token window), got {stride}")


def make_windows(tokenizer, doc: TokenisedDoc, settings: WindowSettings) -> list[Window]:
    context_budget = settings.context_tokens if settings.heading_context else 0
    body = window_body(settings)
    windows = []
    for start in window_starts(len(doc.input_ids), body, settings.stride):
        stop = min(start + body, len(doc.input_ids))
        context_ids = []
        if context_budget and doc.contexts and doc.contexts[start]:
            context_ids = tokenizer(doc.contexts[start], add_special_tokens=False)["input_ids"]
            context_ids = context_ids[:context_budget]
        windows.append(_assemble(tokenizer, context_ids, doc.input_ids[start:stop], start))
    return windows


def _assemble(tokenizer, context_ids: list[int], body_ids: list[int], first: int) -> Window:
    cls, sep = tokenizer.cls_token_id, tokenizer.sep_token_id
    if context_ids:
        head = [cls, *context_ids, sep]
    else:
        head = [cls]
    ids = head + body_ids + [sep]
    types = [0] * len(head) + [1 if context_ids else 0] * (len(body_ids) + 1)
    index = [-1] * len(head) + list(range(first, first + len(body_ids))) + [-1]
    return Window(ids, types, index)


def token_label_ids(doc: Document, tokens: TokenisedDoc,
                    fill: int = IGNORE) -> tuple[list[int], list[int]]:
    """Per-token label ids of both layers, taken from each token's first character.

    A token that covers no character gets ``fill``.
    """
    section_chars = char_roles(doc.layer(SECTION), len(doc.text))
    quantity_chars = spans_to_tags(doc.layer(QUANTITY), len(doc.text))
    section_ids, quantity_ids = [], []
    for start, end in tokens.offsets:
        empty = end <= start
        section_ids.append(fill if empty else SECTION_TAGS.index(section_chars[start]))
        quantity_ids.append(fill if empty else QUANTITY_TAGS.index(quantity_chars[start]))
    return section_ids, quantity_ids


def window_examples(tokenizer, doc: Document, settings: WindowSettings) -> list[dict]:
    """Training examples (input ids, token types, both label sequences) for one document."""
    tokens = tokenise(tokenizer, doc.text, settings.rule_features)
    section_ids, quantity_ids = token_label_ids(doc, tokens)
    examples = []
    for window in make_windows(tokenizer, tokens, settings):
        example = {
            "input_ids": window.input_ids,
            "token_type_ids": window.token_type_ids,
            "section_labels": [section_ids[i] if i >= 0 else IGNORE for i in window.token_index],
            "quantity_labels": [quantity_ids[i] if i >= 0 else IGNORE for i in window.token_index],
        }
        rule_ids = window.rule_ids(tokens)
        if rule_ids:
            example["rule_section_ids"], example["rule_quantity_ids"] = rule_ids
        examples.append(example)
    return examples
