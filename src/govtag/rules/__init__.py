"""The rule tagger: word lists in ``lexicons/``, the section reader and the quantity grammar, with
values, units, qualifiers and kinds of each quantity."""
