"""Numbered headings of a report and the heading path in force at each line.

``heading_level`` reads a numbered heading marker (一、 第一部分 （一）) within the first
``HEADING_MAX_CHARS`` characters of a line, unless the line ends in a colon; ``heading_changes``
turns those lines into the heading path in force from each heading line on (``Report.headings``,
``report.heading_paths``),
which the model's windows carry as context (``windows.heading_context``) and the sentence head
reads when ``sentence_head.heading_weight`` is above 0. The section reader's own heading test
(``sections.is_heading``: a short line, numbered or without commas and full stops) shares only the
length limit ``HEADING_MAX_CHARS`` with it.
"""

from __future__ import annotations

import re
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


def heading_changes(view: str, lines: list[tuple[int, int]]) -> list[tuple[int, str]]:
    """The heading paths in force from each heading line on, from a normalised text ``view`` and its ``lines`` (``text.line_spans``:
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
