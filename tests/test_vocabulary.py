"""One vocabulary: roles, their order and colours and the IOB2 scheme from ``labels``; stops and
CJK from ``text``; a quantity label's units from the lexicon file named after it."""

import pytest

from govtag.core import labels
from govtag.core import text
from govtag.core.labels import IOB2, LAYERS, QUANTITY, ROLE_CLASSES, SECTION
from govtag.rules.lexicon import words


@pytest.mark.parametrize("previous, tag, allowed", [
    ("O", "B-MONEY", True), ("O", "I-MONEY", False), ("B-MONEY", "I-MONEY", True),
    ("I-MONEY", "I-MONEY", True), ("B-AREA", "I-MONEY", False), ("I-MONEY", "O", True),
    ("B-MONEY", "B-MONEY", True),
])
def test_iob2_inside_only_continues_its_label(previous, tag, allowed):
    assert IOB2.may_follow(previous, tag) is allowed


def test_iob2_tags_and_labels():
    assert IOB2.tags(["A", "B"]) == ["O", "B-A", "I-A", "B-B", "I-B"]
    assert [IOB2.label_of(t) for t in ("O", "B-A", "I-A")] == [None, "A", "A"]
    assert labels.bio_tags(QUANTITY) == IOB2.tags(LAYERS[QUANTITY])


def test_every_role_list_is_the_labels_one():
    from govtag.models.encoding import SECTION_TAGS
    from govtag.outputs.evaluate import ASCII_ROLE_NAMES
    from govtag.models.sentence_head import CLASSES

    assert ROLE_CLASSES == ("O", *LAYERS[SECTION])
    assert tuple(SECTION_TAGS) == CLASSES == ROLE_CLASSES
    assert set(ASCII_ROLE_NAMES) == set(ROLE_CLASSES)


def test_every_label_has_its_colours():
    every = {label for layer in LAYERS.values() for label in layer}
    assert set(labels.LABEL_COLOURS) == set(labels.VIEW_COLOURS) == every


@pytest.mark.parametrize("label", LAYERS[QUANTITY])
def test_a_labels_units_come_from_the_file_named_after_it(label):
    from govtag.rules.quantity_grammar import UNIT_LABELS

    earlier = LAYERS[QUANTITY][:LAYERS[QUANTITY].index(label)]
    claimed = {u for other in earlier for u in words(f"units_{other.lower()}")}
    for unit in words(f"units_{label.lower()}"):
        assert UNIT_LABELS[unit] == label or unit in claimed, unit


def test_stops_nest_from_sentences_to_clauses():
    assert set(text.SENTENCE_STOPS) <= set(text.SENTENCE_ENDS)
    assert set(text.SENTENCE_STOPS) <= set(text.CLAUSE_STOPS) <= set(text.CLAUSE_BREAKS) <= set(text.CONTEXT_BREAKS)
