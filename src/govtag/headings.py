"""Headings of a report: one definition shared by the section reader and the model's windows.

A heading is read within its first ``HEADING_MAX_CHARS`` characters: the section reader takes a
line no longer than that for a heading candidate, and ``heading_level`` looks for a numbered
heading marker (一、 第一部分 （一）) in that many characters of a longer line, unless the line ends
in a colon. ``heading_paths`` gives the heading path in force from each heading line on, which
the model's windows carry as context and the sentence classifiers read.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .report import Report

HEADING_MAX_CHARS = 40
HEADING_LEVELS = (
    re.compile(r"^(第[一二三四五六七八九十]+部分|[一二三四五六七八九十]+[、.．])"),
    re.compile(r"^[（(][一二三四五六七八九十]+[）)]"),
)


def heading_level(line: str) -> int | None:
    """0 for a top heading (一、…), 1 for a sub heading ((一)…), None for ordinary lines."""
    if len(line) > HEADING_MAX_CHARS and not line.endswith(("：", ":")):
        head = line[:HEADING_MAX_CHARS]
    else:
        head = line
    for level, pattern in enumerate(HEADING_LEVELS):
        if pattern.match(head):
            return level
    return None


def heading_paths(text: str | Report) -> list[tuple[int, str]]:
    """(offset, heading path) pairs: the path in force from each heading line on."""
    from .report import Report  # that module builds on this one

    return Report.of(text).headings


def heading_changes(view: str, lines: list[tuple[int, int]]) -> list[tuple[int, str]]:
    """``heading_paths`` from a normalised text ``view`` and its ``lines`` (``text.line_spans``:
    the same for a text and its view, as normalising keeps whitespace and nothing else white)."""
    path: list[str] = []
    changes = []
    for start, end in lines:
        level = heading_level(view[start:end])
        if level is None:
            continue
        heading = re.split(r"[。!?;:：]", view[start:end], maxsplit=1)[0][:HEADING_MAX_CHARS]
        path = path[:level] + [heading]
        changes.append((start, " ".join(path)))
    return changes
