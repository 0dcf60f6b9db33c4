"""The errors govtag raises on purpose: one base class, caught once by the command line.

Every error that means "this input, option, model or output is not usable" derives from
``GovtagError``; ``govtag`` prints its message as ``govtag CMD: error: ...`` and exits with 2.
Older classes keep ``ValueError`` (or ``TypeError``, ``RuntimeError``) as a second base, so code
that caught those still works. Any other exception is a bug and keeps its traceback.
"""

from __future__ import annotations


class GovtagError(Exception):
    """Base of all govtag errors: the message says what is wrong and where."""


class UsageError(GovtagError, ValueError):
    """An option or argument is out of range or does not fit with another one."""


class OutputError(GovtagError):
    """An output file or directory cannot be written."""


class ModelError(GovtagError):
    """A model directory is missing or incomplete."""


class NotTextError(GovtagError, TypeError):
    """A tagger was given something other than a ``str``."""


class InputError(GovtagError, ValueError):
    """Inputs that do not fit together or are not enough for the work asked for."""


class LostReports(GovtagError):
    """Reports lost with the worker processes that tagged them: ``reasons`` (index -> why);
    ``docs`` holds the other reports' documents (``None`` for the lost ones)."""

    def __init__(self, docs: list, reasons: dict[int, str]):
        super().__init__(f"{len(reasons)} report(s) lost with their worker process")
        self.docs, self.reasons = docs, reasons


class Terminated(BaseException):
    """The process was sent SIGTERM: raised in the main thread to stop the command as Ctrl-C does
    (not an ``Exception``, so that no ``except Exception`` swallows it)."""
