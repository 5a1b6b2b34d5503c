"""Errors are types, raised by the library and caught once, in `cli`.

(`ValidationFailed`, which carries a report, lives beside the report in `igokg.report`.)

Every error carries what a person needs to act on it: the file and line of bad
input, the entity, the endpoint. Only `cli` turns them into text and exit codes.
"""

from __future__ import annotations

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
    "ServeError",
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
class PublishError(IgokgError):
    """The release could not be written; the previous release is left untouched."""

    message: str

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        return self.message


@dataclass
class ServeError(IgokgError):
    """The server cannot start or go on: a bad port, a port in use, a store that will not load."""

    message: str

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        return self.message
