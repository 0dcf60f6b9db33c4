"""The section reader's cues, compiled from the cue lists in ``lexicons/``, and the few patterns
of layout (list markers, paragraph gaps, signature dates) that are structure, not vocabulary.

Every cue is searched in the normalised text (Simplified, half-width).
"""

from __future__ import annotations

import re

from govtag.rules.lexicon import alternation, char_class, cues, words
from govtag.rules.numerals import LIST_NUMERALS, ZEROS
from govtag.core.text import CJK, SENTENCE_ENDS

N = LIST_NUMERALS
TITLE_MAX_CHARS = 200  # a longer first block is a page whose title runs on into the report
PAGE_LINE_CHARS = 1000  # a longer line is a whole page on one line

# ---------------------------------------------------------------- layout
LIST_MARKER = re.compile(rf"^\s*(?:[{N}]+[、.]|[(（][{N}]+[)）]|第[{N}]+部分)")
SUB_HEADING_MARKER = re.compile(r"\s*[(（]")
ENUMERATION = re.compile(rf"^\s*(?:[{N}]是|第[{N}]|\d+[.、]|[(（][{N}\d]+[)）])")
PARAGRAPH_GAP = re.compile(r"[ \t\u3000\u2002\u2003\xa0]{2,}")
# one space before a list marker or enumeration inside a line: a page scraped with single spaces
MARKER_GAP = re.compile(rf"(?<=\S)[ \u3000\xa0](?=(?:[{N}]+、|[(（][{N}\d]+[)）]|"
                        rf"[{N}]是|\d+、|\d+\.(?!\d)))")
PARAGRAPH_BREAK = re.compile(f"{PARAGRAPH_GAP.pattern}|{MARKER_GAP.pattern}")
# in a whole page on one line, a top heading may follow a sentence end with no space at all
PAGE_HEADING_START = re.compile(rf"(?<={char_class(SENTENCE_ENDS)})(?=[{N}]+、)")
ONE_SPACE = re.compile(r"[ \u3000\xa0]")
# A body line that breaks off mid-sentence: the next line goes on with it (hard-wrapped reports).
OPEN_LINE_END = re.compile(rf"(?:{CJK}|[，,、“（(])$")
HEADING_YEAR = re.compile(r"(?:19|20)\d\d")
SENTENCE_END_INSIDE = re.compile(char_class(SENTENCE_ENDS))
CLAUSE_END = re.compile(char_class(SENTENCE_ENDS + "，,"))
COMMA_OR_STOP = re.compile(r"[，,。]")
DATED = re.compile(r"年.*月")

# ---------------------------------------------------------------- lines outside the report
METADATA_LINE = re.compile(rf"^\s*{alternation(words('metadata_words'))}\s*[:：]?"
                           rf"|{alternation(words('page_controls'))}"
                           r"|\S\s*[>»＞]\s*\S")  # a breadcrumb: 首页 > 政务公开 > …
DIGIT_NO_TWO = ZEROS + LIST_NUMERALS.replace("十", "")
# the sender's name and the date under a report: O, and nothing after them is the report
SIGNATURE_LINE = re.compile(
    rf"^[^，,。；;：:、]{{0,20}}{alternation(words('signature_senders'))}$|"
    rf"^[\d_x{DIGIT_NO_TWO}]{{2,4}}年[\d_x{LIST_NUMERALS}]{{1,3}}月(?:[\d_x{LIST_NUMERALS}]{{1,3}}日)?$")
SALUTATION = rf"^{alternation(words('salutations'))}[!！:：,，]?$"
OUTSIDE_SENTENCE = re.compile(SALUTATION + "|" + cues("outside_sentences"))
THANKS_START = re.compile(rf"^\s*{cues('thanks_openers')}")
THANKS_GO_ON = "向"  # a thanks passage goes on over lines that start with 向
CLOSING_SENTENCE = re.compile(rf"(?:^|[，,！!])\s*{cues('closing_calls')}")

# ---------------------------------------------------------------- headings
OUTSIDE_HEADING = re.compile(f"{cues('heading_outside')}|{cues('heading_closing')}")
CLOSING_HEADING = re.compile(cues("heading_closing"))
PROBLEM_HEADING = re.compile(cues("heading_problem"))
STRONG_PLAN_HEADING = re.compile(cues("heading_plan_strong"))
PLAN_HEADING = re.compile(f"{cues('heading_plan_strong')}|{cues('heading_plan')}")
REVIEW_HEADING = re.compile(cues("heading_review"))
ACHIEVEMENT_HEADING = re.compile(cues("heading_achievement"))
PREAMBLE_SECTION_HEADING = re.compile(f"{cues('heading_review')}|{cues('heading_problem')}|"
                                      f"{cues('heading_plan_strong')}|{cues('heading_preamble')}")

# ---------------------------------------------------------------- sentences
STRONG_PROBLEM_SENTENCE = re.compile(cues("problem_openers_strong"))
WEAK_PROBLEM_SENTENCE = re.compile(cues("problem_openers_weak"))
PLAN_SENTENCE = re.compile(cues("plan_openers"))
RESULT_SENTENCE = re.compile(cues("result_cues"))
CONCESSION = re.compile(cues("concessions"))
REMEDY = re.compile(cues("remedies"))
PROBLEM_ANSWER = re.compile(cues("problem_answers"))
CJK_CHAR = re.compile(CJK)
SALUTATION_LINE = re.compile(SALUTATION)
