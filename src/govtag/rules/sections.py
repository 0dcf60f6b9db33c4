"""The rule tagger's section reader (spec layer 1: 成绩/问题/计划).

Every sentence gets a role from its own cue words, else from the role of the heading it sits
under; spans are maximal runs of same-role sentences inside one line. The text is cut into
paragraph blocks (``paragraph_blocks``); ``classify_line`` says what kind of line each block is,
from the block alone; ``SectionReader.step`` then reads it against the state (the current
heading's role, open problems passages, a closed report). Cues live in ``govtag.rules.section_cues``.
Offsets always index the original text.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from govtag.core.headings import HEADING_MAX_CHARS
from govtag.core.labels import ROLES, Span
from govtag.core.report import Report
from govtag.rules.section_cues import (
    ACHIEVEMENT_HEADING, CJK_CHAR, CLAUSE_END, CLOSING_HEADING, CLOSING_SENTENCE, COMMA_OR_STOP, CONCESSION,
    DATED, ENUMERATION, HEADING_YEAR, LIST_MARKER, METADATA_LINE, ONE_SPACE,
    OPEN_LINE_END, OUTSIDE_HEADING, OUTSIDE_SENTENCE, PAGE_HEADING_START, PAGE_LINE_CHARS,
    PARAGRAPH_BREAK, PLAN_HEADING, PLAN_SENTENCE, PREAMBLE_SECTION_HEADING, PROBLEM_ANSWER,
    PROBLEM_HEADING, REMEDY, RESULT_SENTENCE, REVIEW_HEADING, SALUTATION_LINE, SENTENCE_END_INSIDE,
    SIGNATURE_LINE, STRONG_PLAN_HEADING, STRONG_PROBLEM_SENTENCE, SUB_HEADING_MARKER, THANKS_GO_ON,
    THANKS_START, TITLE_MAX_CHARS, WEAK_PROBLEM_SENTENCE,
)
from govtag.core.labels import merge_sentence_roles

ACHIEVEMENT, PROBLEM, PLAN = ROLES


def tag_sections(text: str | Report) -> list[Span]:
    """Section spans (成绩/问题/计划): one role per sentence, runs merged inside a line."""
    report = Report.of(text)
    roles = SectionReader().roles(report.view, paragraphs_of(report), report.sentences)
    return merge_sentence_roles(report.text, [(*s, role) for s, role in zip(report.sentences, roles)],
                                bridge_outside=True)


# ---------------------------------------------------------------- paragraph blocks

def paragraphs_of(report: Report) -> list[tuple[int, int]]:
    """The paragraph blocks of a report, computed once per report."""
    return report.derived("paragraphs", lambda r: paragraph_blocks(r.view, r.lines))


def paragraph_blocks(view: str, lines: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Lines cut at runs of spaces and at a space before a list marker: pages scraped without
    line breaks keep their paragraphs (and headings) apart that way. Only the reading of the
    structure uses them; spans still break at line breaks only."""
    blocks = []
    for start, end in lines:
        position = start
        gaps = list(PARAGRAPH_BREAK.finditer(view, start, end))
        if end - start > PAGE_LINE_CHARS:
            gaps = sorted(gaps + list(PAGE_HEADING_START.finditer(view, start, end)), key=lambda g: g.start())
        for gap in gaps:
            if gap.start() > position:
                blocks.append((position, gap.start()))
            position = gap.end()
        if position < end:
            blocks.append((position, end))
    return [part for block in blocks for part in _heading_apart(view, block)]


def _heading_apart(view: str, block: tuple[int, int]) -> list[tuple[int, int]]:
    """A numbered heading and its paragraph scraped into one block (一、工作回顾 2023年是…)
    are two blocks, cut at the first space after the heading."""
    start, end = block
    if not LIST_MARKER.match(view[start:end]):
        return [block]
    gap = ONE_SPACE.search(view, start, min(end, start + HEADING_MAX_CHARS))
    if not gap or CLAUSE_END.search(view[start:gap.start()]):
        return [block]
    return [(start, gap.start()), (gap.end(), end)] if gap.end() < end else [block]


# ---------------------------------------------------------------- line classifier

class Kind(Enum):
    """What a paragraph block is, read from the block alone."""

    EMPTY = "empty"
    OUTSIDE = "outside"  # the title, page metadata, a line with no Chinese
    SIGNATURE = "signature"  # the sender's name or the date under the report
    SALUTATION = "salutation"
    THANKS = "thanks"  # the opening of the thanks passage
    HEADING = "heading"
    BODY = "body"


@dataclass(frozen=True)
class Line:
    """A classified paragraph block and the facts about it that the state step reads."""

    text: str
    kind: Kind
    numbered: bool  # opens with a list marker (一、 （二） 第三部分)


def classify_line(text: str, first: bool) -> Line:
    """The kind of a (stripped) paragraph block; ``first``: the first block of the text."""
    numbered = LIST_MARKER.match(text) is not None
    return Line(text, _kind(text, first, numbered), numbered)


def _kind(text: str, first: bool, numbered: bool) -> Kind:
    if not text:
        return Kind.EMPTY
    title = first and not numbered and len(text) <= TITLE_MAX_CHARS
    if title or METADATA_LINE.match(text) or not CJK_CHAR.search(text):
        return Kind.OUTSIDE
    if SIGNATURE_LINE.match(text) and not ENUMERATION.match(text) and not numbered:
        return Kind.SIGNATURE
    if SALUTATION_LINE.match(text):
        return Kind.SALUTATION
    if THANKS_START.match(text):
        return Kind.THANKS
    return Kind.HEADING if is_heading(text) else Kind.BODY


def is_heading(line: str) -> bool:
    """A short line with no sentence end inside: numbered, or without commas and full stops."""
    short = len(line) <= HEADING_MAX_CHARS and not SENTENCE_END_INSIDE.search(line[:-1])
    return short and (LIST_MARKER.match(line) is not None or not COMMA_OR_STOP.search(line))


# ---------------------------------------------------------------- the state step

@dataclass
class ReaderState:
    """What the reader knows from the lines above the current one."""

    context: str | None = None  # the role of the current heading or passage
    review_year: str | None = None  # the year of the review part (2023年工作回顾)
    closed: bool = False  # the report has ended (a signature date, 附件, 结束语)
    problems_seen: bool = False
    resume: str | None = None  # the context a problems passage interrupted
    problem_cued: bool = False  # a problems passage opened this paragraph
    problem_line_alone: bool = False  # the opener was a line of its own: the passage follows
    thanking: bool = False  # inside the thanks passage
    in_problems: bool = False  # inside a problems passage that the last body line left open
    open_line: bool = False  # the last body line broke off mid-sentence (a hard-wrapped report)
    body_started: bool = False  # a body line or a numbered heading has been read


class SectionReader:
    """Walks the paragraph blocks top-down: each block is classified, then ``step`` reads it
    against the state, giving one role (or None) per sentence in it."""

    def __init__(self) -> None:
        self.state = ReaderState()

    def roles(self, view: str, blocks, sentences) -> list[str | None]:
        """One role (or None) per sentence, in order; ``blocks`` are the paragraph blocks."""
        roles: list[str | None] = []
        for index, (start, end) in enumerate(blocks):
            inside = [view[s:e] for s, e in sentences if start <= s < end]
            roles += self.step(classify_line(view[start:end].strip(), first=index == 0), inside)
        return roles

    def step(self, line: Line, sentences: list[str]) -> list[str | None]:
        """Read one classified line: update the state, return the roles of its sentences."""
        state, outside = self.state, [None] * len(sentences)
        if line.kind is Kind.EMPTY:
            return outside
        continues, state.open_line = state.open_line, False
        if line.kind is Kind.OUTSIDE or state.closed:
            return outside
        if line.kind is Kind.SIGNATURE:
            state.closed = state.body_started and DATED.search(line.text) is not None
            return outside
        if line.kind is Kind.SALUTATION:
            return outside
        if line.kind is Kind.THANKS or state.thanking and line.text.startswith(THANKS_GO_ON):
            state.thanking = not OUTSIDE_SENTENCE.search(line.text)
            return outside
        state.thanking = False
        if line.kind is Kind.HEADING and (line.numbered or not continues):
            return [self._heading_role(line)] * len(sentences)
        return self._body_line(line.text, sentences, continues)

    def _body_line(self, text: str, sentences: list[str], continues: bool) -> list[str | None]:
        state = self.state
        state.body_started = True
        state.open_line = OPEN_LINE_END.search(text) is not None
        closing = self._closing_start(sentences, whole_line=len(text) <= PAGE_LINE_CHARS)
        if closing == 0:
            return [None] * len(sentences)
        if not continues:
            self._start_paragraph(text)
        body = self._body_roles(sentences[:closing], continues)
        return body + [None] * (len(sentences) - closing)

    def _closing_start(self, sentences: list[str], whole_line: bool) -> int:
        """Where the closing call (让我们…) of a plan part starts: O from there, or from the line
        start when the line is a paragraph (a block of a scraped page keeps what comes before)."""
        if self.state.context != PLAN:
            return len(sentences)
        closing = next((i for i, s in enumerate(sentences) if CLOSING_SENTENCE.search(s)), len(sentences))
        return 0 if whole_line and closing < len(sentences) else closing

    def _heading_role(self, line: Line) -> str | None:
        state = self.state
        if not state.body_started and not line.numbered and _is_preamble_line(line.text):
            return None
        state.body_started = state.body_started or line.numbered
        state.problem_cued = state.problem_line_alone = state.in_problems = False
        return self._enter_heading(line.text)

    def _start_paragraph(self, line: str) -> None:
        # a paragraph that answers the problems just stated (对此，我们将…) stays with them
        state = self.state
        state.in_problems = state.in_problems and PROBLEM_ANSWER.match(line) is not None
        if state.problem_cued and not (ENUMERATION.match(line) or state.problem_line_alone):
            state.context, state.problem_cued = state.resume, False

    def _body_roles(self, sentences: list[str], continues: bool) -> list[str | None]:
        state, roles = self.state, []
        for i, sentence in enumerate(sentences):
            if PLAN_SENTENCE.search(sentence):
                state.in_problems, state.context, state.problem_cued = False, PLAN, False
                state.problem_line_alone = False
            opens = self._enter_problems(sentence, first_in_line=i == 0 and not continues,
                                         alone=len(sentences) == 1)
            state.in_problems = state.in_problems or opens
            role = PROBLEM if state.in_problems else self._sentence_role(sentence)
            roles.append(None if OUTSIDE_SENTENCE.search(sentence) else role)
        return roles

    def _enter_problems(self, sentence: str, first_in_line: bool, alone: bool = False) -> bool:
        """Whether a problems passage starts here; opening a paragraph, it lasts over its
        enumeration; as a paragraph of its own, over the paragraphs that follow, up to a
        heading or a plan (the state records which)."""
        state = self.state
        strong = STRONG_PROBLEM_SENTENCE.search(sentence)
        weak = (state.context != PLAN and WEAK_PROBLEM_SENTENCE.search(sentence)
                and not CONCESSION.search(sentence) and not REMEDY.search(sentence))
        if not (strong or weak):
            return False
        if first_in_line and state.context not in (PROBLEM, PLAN):
            state.resume, state.context, state.problem_cued = state.context, PROBLEM, True
            state.problems_seen, state.problem_line_alone = True, alone and strong is not None
        return True

    def _enter_heading(self, line: str) -> str | None:
        """Set the context from a heading; sub-headings (（一）) only open 问题 or 计划 parts."""
        state, body = self.state, LIST_MARKER.sub("", line)
        if OUTSIDE_HEADING.search(body):
            state.closed = CLOSING_HEADING.search(body) is not None
            state.context = None
        elif PROBLEM_HEADING.search(body) and not REMEDY.search(body):
            state.context = PROBLEM
        elif STRONG_PLAN_HEADING.search(body) or self._is_later_year(body):
            state.context = PLAN
        elif LIST_MARKER.match(line) and not SUB_HEADING_MARKER.match(line):
            state.context = self._top_heading_role(body) or self._unnamed_part_role()
        elif not SUB_HEADING_MARKER.match(line):
            state.context = self._top_heading_role(body) or state.context
        state.problems_seen = state.problems_seen or state.context == PROBLEM
        return state.context

    def _unnamed_part_role(self) -> str | None:
        """A top heading without cue words: review first, tasks once problems were stated."""
        if self.state.context is None:
            return ACHIEVEMENT
        return PLAN if self.state.problems_seen else self.state.context

    def _is_later_year(self, body: str) -> bool:
        year = HEADING_YEAR.search(body)
        return bool(year and self.state.review_year and year.group() > self.state.review_year)

    def _top_heading_role(self, body: str) -> str | None:
        """The role a top heading names; a review heading also records the review year."""
        year = HEADING_YEAR.search(body)
        if PLAN_HEADING.search(body) and not REVIEW_HEADING.search(body):
            return PLAN
        if ACHIEVEMENT_HEADING.search(body) or year and "工作" in body:
            self.state.review_year = self.state.review_year or (year.group() if year else None)
            return ACHIEVEMENT
        return None

    def _sentence_role(self, sentence: str) -> str | None:
        """The sentence's role; a result cue before any heading opens the results part."""
        if self.state.context is None and RESULT_SENTENCE.search(sentence):
            self.state.context = ACHIEVEMENT
        return self.state.context


def _is_preamble_line(line: str) -> bool:
    """Above the report's first line, a short line is a page header, title or byline unless it
    names a part of the report (2023年工作回顾, 存在的问题, 下步工作打算)."""
    return _is_combined_title(line) or not PREAMBLE_SECTION_HEADING.search(line)


def _is_combined_title(line: str) -> bool:
    """A title over both parts of a report (工作总结和…工作计划) names no single section."""
    return (ACHIEVEMENT_HEADING.search(line) is not None and PLAN_HEADING.search(line) is not None
            and not REVIEW_HEADING.search(line))
