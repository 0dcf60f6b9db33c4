"""The errors govtag raises on purpose: one base class, caught once by the command line.

Every error that means "this input, option, model or output is not usable" derives from
``GovtagError``; ``govtag`` prints its message as ``govtag CMD: error: ...`` and exits with 2.
``printable`` makes any text safe to print on one line (names escaped, secrets redacted).
Older classes keep ``ValueError`` (or ``TypeError``, ``RuntimeError``) as a second base, so code
that caught those still works. Any other exception is a bug and keeps its traceback.
"""

from __future__ import annotations

import re


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


class ConfigError(GovtagError, ValueError):
    """A training config is not usable; the message names the key or file."""


class LostReports(GovtagError):
    """Reports lost with the worker processes that tagged them: ``reasons`` (index -> why);
    ``docs`` holds the other reports' documents (``None`` for the lost ones)."""

    def __init__(self, docs: list, reasons: dict[int, str]):
        super().__init__(f"{len(reasons)} report(s) lost with their worker process")
        self.docs, self.reasons = docs, reasons


_SECRETS: set[str] = set()
_SECRET_PATTERNS = (
    re.compile(r"(?i)\b(authorization['\"]?\s*[:=]\s*['\"]?)(?:(?:token|bearer|basic)\s+)?[^\s'\",}]+"),
    re.compile(r"(?i)\b((?:token|bearer)\s+)[A-Za-z0-9._~+/=-]{8,}"),
    re.compile(r"()\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*"),  # a JWT
    re.compile(r"(?i)(\b[a-z][a-z0-9+.-]*://)[^/\s:@]+:[^/\s@]+@"),  # user:password@ in a URL
)
_BIDI_CONTROLS = set(range(0x202A, 0x202F)) | set(range(0x2066, 0x206A))


def keep_secret(secret: str | None) -> None:
    """Remember ``secret`` (an API key): ``printable`` never shows it."""
    if secret and len(secret) >= 4:
        _SECRETS.add(secret)


def redact(text: str) -> str:
    """``text`` with known secrets, authorization values, JWTs and URL passwords as ``***``."""
    for secret in sorted(_SECRETS, key=len, reverse=True):
        text = text.replace(secret, "***")
    for pattern in _SECRET_PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + "***" + ("@" if m.group(0).endswith("@") else ""),
                           text)
    return text


def printable(text: str) -> str:
    """``text`` safe to print as one line: secrets redacted; control characters (a newline, a
    terminal escape), bidirectional overrides and undecodable file-name bytes escaped."""
    return "".join(_escaped(char) for char in redact(str(text)))


def _escaped(char: str) -> str:
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a file-name byte that is not UTF-8 (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    if 0xD800 <= code <= 0xDFFF or code in _BIDI_CONTROLS:
        return f"\\u{code:04x}"
    if code < 0x20 or 0x7F <= code <= 0x9F:
        return repr(char)[1:-1] if char in "\n\r\t" else f"\\x{code:02x}"
    return char


class Terminated(BaseException):
    """The process was sent SIGTERM: raised in the main thread to stop the command as Ctrl-C does
    (not an ``Exception``, so that no ``except Exception`` swallows it)."""
