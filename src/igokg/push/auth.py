"""Credentials for the target store, and endpoints derived from the one the user names."""

from __future__ import annotations

import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

from igokg.errors import SourceError
from igokg.project import Settings

# --------------------------------------------------------------------------- settings


@dataclass(frozen=True)
class Auth:
    """Credentials for the server; `repr` and every rendering hide the secrets.

    `scheme` is "basic" (sent with every request), "digest" (answered when the server
    challenges, as Virtuoso's `-auth` endpoints do) or "bearer".
    """

    scheme: str = "none"
    user: str = ""
    password: str = field(default="", repr=False)
    token: str = field(default="", repr=False)

    def describe(self) -> str:
        if self.scheme == "bearer":
            return "bearer token (redacted)"
        if self.scheme in ("basic", "digest"):
            return f"{self.scheme} as {self.user!r}, password (redacted)"
        return "none"

    def secrets(self) -> list[str]:
        return [s for s in (self.password, self.token) if s]


def auth_from_settings(settings: Settings) -> Auth:
    """Credentials from `IGOKG_PUSH_TOKEN` (bearer) or `IGOKG_PUSH_USER`/`IGOKG_PUSH_PASSWORD`.

    `IGOKG_PUSH_AUTH=digest` answers digest challenges instead of sending basic auth.
    The project's `Settings` read them from the environment, once.
    """
    token, user, password, scheme = settings.push_token, settings.push_user, settings.push_password, settings.push_auth
    if token:
        return Auth("bearer", token=token)
    if user or password:
        if scheme not in ("", "basic", "digest"):
            raise SourceError("IGOKG_PUSH_AUTH", f"unknown scheme {scheme!r}", hint="use basic or digest")
        return Auth(scheme or "basic", user=user, password=password)
    return Auth()


@dataclass(frozen=True)
class Endpoints:
    query: str
    update: str
    gsp: str


def derive_endpoints(endpoint: str, update: str | None = None, gsp: str | None = None) -> Endpoints:
    """Fill in the update and Graph Store endpoints from the query endpoint's shape.

    Oxigraph `…/query` (or the bare server URL) → `/update`, `/store`; Fuseki
    `…/<ds>/query|sparql` → `/<ds>/update`, `/<ds>/data`; Virtuoso `/sparql` →
    `/sparql`, `/sparql-graph-crud` and `/sparql-auth` → `/sparql-auth`,
    `/sparql-graph-crud-auth`. Anything else needs both overrides.
    """
    parts = _http_url("--endpoint", endpoint)
    for option, url in (("--update-endpoint", update), ("--gsp-endpoint", gsp)):
        if url:
            _http_url(option, url)
    path = parts.path.rstrip("/")

    def at(p: str) -> str:
        return urllib.parse.urlunsplit((parts.scheme, parts.netloc, p, "", ""))

    derived: tuple[str, str, str] | None = None
    if path == "":  # an Oxigraph server's root
        derived = (at("/query"), at("/update"), at("/store"))
    elif path == "/query":
        derived = (endpoint, at("/update"), at("/store"))
    elif path == "/sparql":
        derived = (endpoint, endpoint, at("/sparql-graph-crud"))
    elif path == "/sparql-auth":
        derived = (endpoint, endpoint, at("/sparql-graph-crud-auth"))
    elif re.fullmatch(r"/[^/]+/(query|sparql)", path):
        base = path.rsplit("/", 1)[0]
        derived = (endpoint, at(base + "/update"), at(base + "/data"))
    if derived is None and not (update and gsp):
        raise SourceError(
            "--endpoint",
            f"cannot tell the update and Graph Store endpoints from {_redact_url(endpoint)}",
            hint="pass --update-endpoint URL and --gsp-endpoint URL",
        )
    query_url = derived[0] if derived else endpoint
    return Endpoints(
        query=query_url,
        update=update or (derived[1] if derived else ""),
        gsp=gsp or (derived[2] if derived else ""),
    )


def _http_url(option: str, url: str) -> urllib.parse.SplitResult:
    """The URL's parts, or a SourceError naming the option: urllib's ValueErrors are no message."""
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a port out of range
    except ValueError as exc:
        raise SourceError(option, f"not a valid URL ({exc}): {re.sub(r'//[^/@]*@', '//[redacted]@', url)!r}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SourceError(option, f"not an http(s) URL: {_redact_url(url)}")
    return parts


def _redact_url(url: str) -> str:
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return "[an invalid URL]"
    if parts.username or parts.password:
        host = parts.hostname or ""
        if parts.port:
            host += f":{parts.port}"
        parts = parts._replace(netloc=f"[redacted]@{host}")
    return urllib.parse.urlunsplit(parts)
