"""Output formats as writers registered by name, per command (``predict``, ``preannotate``, ``view``).

A writer turns what a run produced (``Output``: the results as dicts, the tagged documents, the
model's name, its confidences) into the text or bytes of one output::

    @register_writer("json")
    def write_json(output: Output) -> str: ...

``formats(command)`` lists a command's formats in registration order (its ``--format`` choices).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from govtag.core.errors import UsageError
from govtag.core.labels import Document


@dataclass
class Output:
    """What a writer writes: results (``analyse``), documents, model name and confidences."""

    results: list[dict] = field(default_factory=list)
    docs: list[Document] = field(default_factory=list)
    model_version: str = ""
    scores: list[float | None] | None = None
    title: str = "govtag view"


@dataclass(frozen=True)
class Writer:
    """One output format of one command."""

    name: str
    write: Callable[[Output], str | bytes]
    binary: bool = False


WRITERS: dict[str, dict[str, Writer]] = {}


def register_writer(name: str, command: str = "predict", binary: bool = False):
    """Register the decorated function as ``command``'s format ``name``."""
    def add(write: Callable[[Output], str | bytes]):
        WRITERS.setdefault(command, {})[name] = Writer(name, write, binary)
        return write

    return add


def formats(command: str = "predict") -> tuple[str, ...]:
    return tuple(WRITERS.get(command, {}))


def writer(name: str, command: str = "predict") -> Writer:
    """The writer of ``name``; ``UsageError`` naming the known ones otherwise."""
    known = WRITERS.get(command, {})
    if name not in known:
        raise UsageError(f"unknown format {name!r} (known: {', '.join(known)})")
    return known[name]
