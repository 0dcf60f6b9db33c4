"""The numeral vocabulary shared by the quantity tagger and the value parser.

Read from ``lexicons/numerals.txt``; this module only names its parts and builds the number
patterns of the tagger, so the tagger and ``govtag.rules.quantities`` read the same characters.
"""

from __future__ import annotations

import re

from govtag.rules.lexicon import char_class, chars, valued

ZEROS = chars("numerals", "zeros")
NONZERO_DIGITS = chars("numerals", "nonzero_digits")
CN_DIGITS = ZEROS + NONZERO_DIGITS
MAGNITUDE_VALUES = valued("numerals", "magnitudes")  # 十 -> 10 … 亿 -> 10**8, smallest first
MAGNITUDES = "".join(MAGNITUDE_VALUES)
LIST_NUMERALS = chars("numerals", "list_numerals")
APPROXIMATORS = chars("numerals", "approximators")
VAGUE = chars("numerals", "vague")
MAGNITUDE_LEAD = chars("numerals", "magnitude_lead")
NOT_A_LEAD_AFTER = chars("numerals", "not_a_lead_after")
FORMAL_DIGITS = chars("numerals", "formal_digits")
FORMAL_MAGNITUDES = chars("numerals", "formal_magnitudes")
HALF = chars("numerals", "half")
DECIMAL_POINT = chars("numerals", "decimal_point")
ARABIC_DECIMAL_POINTS = chars("numerals", "arabic_decimal_points")
RANGE_SYMBOLS = chars("numerals", "range_symbols")
RANGE_WORDS = tuple(chars("numerals", "range_words"))
TIMES_SIGNS = chars("numerals", "times_signs")
DIGIT_RANGE_MARKS = chars("numerals", "digit_range_marks")
RANGE_CONNECTORS = RANGE_SYMBOLS + "".join(RANGE_WORDS)

# A range connector in the tagger: a symbol, possibly doubled (3——5), or a word (5万至10万).
RANGE_SEPARATOR = rf"(?:{char_class(RANGE_SYMBOLS)}{{1,2}}|{'|'.join(map(re.escape, RANGE_WORDS))})"
# a space may stand between digits and a magnitude word (39.8 万亿元)
ARABIC_NUMBER = (rf"(?<![A-Za-z0-9.第每])\d+(?:,\d{{3}})*(?:[.{ARABIC_DECIMAL_POINTS}]\d+)?"
                 rf"(?: (?=[{MAGNITUDES}]))?(?:[{APPROXIMATORS}几]?[{MAGNITUDES}])*[{APPROXIMATORS}]?")
CHINESE_NUMBER = (
    rf"(?<![第每{CN_DIGITS}{MAGNITUDES}{VAGUE}])"
    rf"(?:[{VAGUE}](?=[{MAGNITUDES}])|(?<![{NOT_A_LEAD_AFTER}])[{MAGNITUDE_LEAD}](?=[{MAGNITUDES}])"
    rf"|[{CN_DIGITS}{MAGNITUDES}])[{CN_DIGITS}{MAGNITUDES}几]*"
    rf"(?:{DECIMAL_POINT}[{CN_DIGITS}]+)?(?:[{APPROXIMATORS}][{MAGNITUDES}]+)?[{APPROXIMATORS}]?")
NUMBER = rf"(?:{ARABIC_NUMBER}|{CHINESE_NUMBER})"
