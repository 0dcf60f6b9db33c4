"""The rule tagger's word lists, read from the data files in ``govtag/lexicons/``.

Each list is a plain-text file, one entry per line; lines starting with ``#`` are comments.
Three kinds of file:

* word lists (``words``): entries matched literally, e.g. units or set phrases;
* tables (``table``): ``key value`` per line, e.g. the numeral vocabulary (a value may be
  ``word=number`` items: ``valued``);
* cue lists (``cues``): one cue phrase per line in a small notation (see ``compile_cue``),
  for the section reader's heading and sentence cues.

Patterns are built from the lists here: entries are escaped and tried longest first, so adding
an entry never needs a regular expression.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from govtag.core.errors import GovtagError
from govtag.core.text import CLAUSE_STOPS, SENTENCE_STOPS

LEXICON_DIR = Path(__file__).with_name("lexicons")
GAP = re.compile(r"(?:(\d+)-)?(\d+)(?: (clause|sentence|no (\S+)))?")
SPECIAL_TOKENS = {"digit": r"\d", "year": r"(?:20\d\d|20__)"}


class LexiconError(GovtagError, ValueError):
    """A lexicon file is missing or holds an entry that cannot be read."""


@lru_cache(maxsize=None)
def entries(name: str) -> tuple[str, ...]:
    """The non-comment, non-blank lines of ``lexicons/<name>.txt``, stripped, in file order."""
    path = LEXICON_DIR / f"{name}.txt"
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as err:
        raise LexiconError(f"lexicon {name!r}: cannot read {path} ({err.strerror})") from err
    return tuple(line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#"))


def words(name: str) -> tuple[str, ...]:
    """A word list: each entry as it is written."""
    return entries(name)


@lru_cache(maxsize=None)
def table(name: str) -> dict[str, str]:
    """A table: ``key value`` lines (the value is the rest of the line; a trailing ``:`` on the
    key is dropped)."""
    rows = {}
    for entry in entries(name):
        key, _, value = entry.partition(" ")
        if not value.strip():
            raise LexiconError(f"lexicon {name!r}: entry {entry!r} has no value")
        rows[key.rstrip(":")] = value.strip()
    return rows


def chars(name: str, key: str) -> str:
    """A table value read as a set of single characters (spaces between them are ignored)."""
    return table(name)[key].replace(" ", "")


def valued(name: str, key: str) -> dict[str, int]:
    """A table value read as ``word=number`` items separated by spaces, in file order."""
    values = {}
    for item in table(name)[key].split():
        word, _, number = item.partition("=")
        if not word or not number.isdigit():
            raise LexiconError(f"lexicon {name!r}: {key}: {item!r} is not word=number")
        values[word] = int(number)
    return values


def alternation(items) -> str:
    """A non-capturing group matching any of ``items`` literally, longest first."""
    return "(?:" + "|".join(re.escape(item) for item in sorted(items, key=len, reverse=True)) + ")"


def char_class(characters: str, negated: bool = False) -> str:
    """A character class of ``characters`` (escaped where a class needs it)."""
    body = "".join("\\" + ch if ch in "\\]^-[" else ch for ch in characters)
    return f"[{'^' if negated else ''}{body}]"


@lru_cache(maxsize=None)
def cues(name: str) -> str:
    """The cue list ``name`` as one regular expression (a group of its cues, longest first)."""
    try:
        compiled = [compile_cue(cue) for cue in sorted(entries(name), key=len, reverse=True)]
    except LexiconError as err:
        raise LexiconError(f"lexicon {name!r}: {err}") from err
    return "(?:" + "|".join(compiled) + ")"


def compile_cue(cue: str) -> str:
    """One cue in the notation of ``lexicons/README.md`` as a regular expression.

    ``{a|b|}`` one of the choices (an empty choice: may be absent); ``{@name}`` any entry of the
    word list ``name``; ``^``/``$`` first/last: at the start/end of the text read; ``<N>`` up to N
    characters of any kind, ``<M-N>`` M to N; ``<N clause>`` up to N inside one clause (no ，,。；;),
    ``<N sentence>`` inside one sentence (no 。；;), ``<N no XYZ>`` none of X, Y, Z;
    ``<digit>`` a digit; ``<year>`` 20xx or the blank 20__; ``<not …>`` not followed by ….
    Anything else is matched literally.
    """
    start = "^" if cue.startswith("^") else ""
    end = "$" if cue.endswith("$") and len(cue) > len(start) else ""
    body = cue[len(start):len(cue) - len(end)]
    pattern, position = _sequence(body, 0, stop="")
    if position != len(body):
        raise LexiconError(f"cue {cue!r}: unexpected {body[position]!r} at {position}")
    return start + pattern + end


def _sequence(text: str, position: int, stop: str) -> tuple[str, int]:
    """Read up to a character of ``stop`` (or the end); returns the pattern and the position."""
    parts = []
    while position < len(text) and text[position] not in stop:
        char = text[position]
        if char == "{":
            part, position = _choice(text, position + 1)
        elif char == "<":
            part, position = _token(text, position + 1)
        elif char in "}|>^$":
            raise LexiconError(f"unexpected {char!r} at {position} in {text!r}")
        else:
            part, position = re.escape(char), position + 1
        parts.append(part)
    return "".join(parts), position


def _choice(text: str, position: int) -> tuple[str, int]:
    if text.startswith("@", position):
        close = text.find("}", position)
        if close < 0:
            raise LexiconError(f"unclosed {{ in {text!r}")
        return alternation(words(text[position + 1:close])), close + 1
    options = []
    while True:
        option, position = _sequence(text, position, stop="|}")
        options.append(option)
        if position >= len(text):
            raise LexiconError(f"unclosed {{ in {text!r}")
        position += 1
        if text[position - 1] == "}":
            return "(?:" + "|".join(options) + ")", position


def _token(text: str, position: int) -> tuple[str, int]:
    if text.startswith("not ", position):
        inner, position = _sequence(text, position + 4, stop=">")
        if position >= len(text):
            raise LexiconError(f"unclosed <not in {text!r}")
        return f"(?!{inner})", position + 1
    close = text.find(">", position)
    if close < 0:
        raise LexiconError(f"unclosed < in {text!r}")
    return _gap_or_special(text[position:close]), close + 1


def _gap_or_special(token: str) -> str:
    if token in SPECIAL_TOKENS:
        return SPECIAL_TOKENS[token]
    gap = GAP.fullmatch(token)
    if not gap:
        raise LexiconError(f"unknown token <{token}>")
    low, high, kind, stops = gap.group(1) or "0", gap.group(2), gap.group(3), gap.group(4)
    if kind is None:
        return f".{{{low},{high}}}"
    stops = {"clause": CLAUSE_STOPS, "sentence": SENTENCE_STOPS}.get(kind, stops)
    return f"{char_class(stops, negated=True)}{{{low},{high}}}"
