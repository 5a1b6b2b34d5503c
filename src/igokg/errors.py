"""Errors are types, raised by the library and caught once, in `cli`.

(`ValidationFailed`, which carries a report, lives beside the report in `igokg.report`.)

Every error carries what a person needs to act on it: the file and line of bad
input, the entity, the endpoint. Only `cli` turns them into text and exit codes.
"""

from __future__ import annotations

import errno
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "IgokgError",
    "SourceError",
    "ShapeError",
    "UnsupportedShape",
    "QueryError",
    "RemoteError",
    "PublishError",
    "MissingSource",
    "ServeError",
    "OutputError",
    "Terminated",
    "explain_os_error",
]


class IgokgError(Exception):
    """Base of every error the project raises on purpose.

    `exit_code` is what the CLI returns: 2 means the input could not be used at all,
    1 means it was usable but wrong (violations, mismatches).
    """

    exit_code = 2

    def __str__(self) -> str:  # subclasses with fields render themselves
        return super().__str__()


@dataclass
class SourceError(IgokgError):
    """A file that cannot be read or parsed: malformed Turtle, a missing seed."""

    path: Path | str
    message: str
    line: int | None = None
    column: int | None = None
    hint: str = ""

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        where = str(self.path)
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        text = f"{where}: {self.message}"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


@dataclass
class ShapeError(IgokgError):
    """A SHACL shape that is malformed (not merely one the data violates)."""

    shape: str
    message: str
    path: Path | str | None = None
    line: int | None = None

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}: " if self.path and self.line else (f"{self.path}: " if self.path else "")
        return f"{where}broken shape {self.shape}: {self.message}"


@dataclass
class UnsupportedShape(IgokgError):
    """A well-formed shape that the SPARQL-compiled engine does not cover.

    Not a user error: the validator falls back to pySHACL when it sees one.
    """

    shape: str
    feature: str

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"shape {self.shape} uses {self.feature}, which the fast engine does not compile"


@dataclass
class QueryError(IgokgError):
    """A SPARQL query that does not parse or cannot run."""

    message: str
    source: str = "query"
    line: int | None = None
    column: int | None = None

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.source
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.message}"


@dataclass
class RemoteError(IgokgError):
    """A remote service (SPARQL endpoint, Wikidata) failed or answered nonsense."""

    endpoint: str
    message: str
    status: int | None = None

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        status = f" (HTTP {self.status})" if self.status is not None else ""
        return f"{self.endpoint}{status}: {self.message}"


@dataclass
class _MessageError(IgokgError):
    """An error that is its message (the message names what failed and what to do)."""

    message: str

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        return self.message


class PublishError(_MessageError):
    """The release could not be written; the previous release is left untouched."""


@dataclass
class MissingSource(IgokgError):
    """A pinned third-party source (a dataset, a reference document) that cannot be had.

    Says which source, where it comes from, and the two ways to supply it (fetch, mirror),
    or how to build without it.
    """

    name: str
    message: str
    location: str = ""

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        text = f"source {self.name}: {self.message}"
        if self.location:
            text += f"\n  location: {self.location}"
        text += (
            f"\n  hint: run `igokg fetch {self.name}` (downloads into .cache/sources/), or point --mirror DIR"
            f" or IGOKG_SOURCE_MIRROR at a folder that holds the files; `--skip-source {self.name}` builds without it"
        )
        return text


class ServeError(_MessageError):
    """The server cannot start or go on: a bad port, a port in use, a store that will not load."""


@dataclass
class OutputError(IgokgError):
    """A file or folder could not be written (read-only, full, not a folder, no permission)."""

    path: Path | str
    message: str

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"

    @classmethod
    def from_os_error(cls, path: Path | str, exc: OSError, what: str = "cannot write") -> "OutputError":
        return cls(path, f"{what}: {explain_os_error(exc)}")


class Terminated(BaseException):
    """The process was asked to stop (SIGTERM, SIGHUP) while it held something to clean up.

    A `BaseException`, like `KeyboardInterrupt`: no `except Exception` may swallow it, and every
    `finally` on the way out runs, so temporary folders are removed before the process ends.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


#: What to do about the operating system's refusals, in words; the errno's own text otherwise.
_OS_ERRORS = {
    errno.EROFS: "the file system is read-only; choose a folder on a writable one",
    errno.ENOSPC: "no space left on the device; free some space or choose a folder on another disk",
    errno.EDQUOT: "the disk quota is exceeded; free some space or choose a folder on another disk",
    errno.EACCES: "permission denied; choose a folder you may write to",
    errno.EPERM: "operation not permitted; choose a folder you may write to",
    errno.ENOTDIR: "a part of the path is a file, not a folder; choose another path",
    errno.EEXIST: "a file of that name is in the way of a folder; choose another path",
    errno.EISDIR: "it is a folder, not a file; choose another path",
    errno.ENAMETOOLONG: "the name is too long for the file system; choose a shorter path",
}


def explain_os_error(exc: OSError) -> str:
    """The system's refusal in one line, naming the file it concerns and what to do."""
    advice = _OS_ERRORS.get(exc.errno or -1)
    text = advice or (exc.strerror or str(exc)).rstrip(".")
    if exc.filename is not None and advice:
        text = f"{exc.strerror or 'failed'} ({exc.filename}): {advice}"
    elif exc.filename is not None:
        text = f"{text} ({exc.filename})"
    return text
