"""Security headers: what every response, and every HTML page, tells the browser.

* `X-Content-Type-Options: nosniff` and `Referrer-Policy` on every response;
* on HTML, a Content-Security-Policy: this origin only, no framing by other sites
  (`frame-ancestors 'none'`), and inline scripts only by the hash of their exact text, so
  the query editor's own script runs and nothing injected does. Inline `<style>` is
  allowed (the pages use it; it cannot run code). A page that loads a pinned library from
  a CDN (the query editor's YASGUI, see assets.py) adds that one origin for scripts and
  styles; the page names each file with its sha384 (Subresource Integrity).
"""

from __future__ import annotations

import base64
import hashlib
import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

COMMON: list[tuple[bytes, bytes]] = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
]
_INLINE_SCRIPT = re.compile(rb"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>(.*?)</script>", re.S)


def content_security_policy(page: bytes = b"", origins: tuple[str, ...] = ()) -> bytes:
    """The CSP for one HTML page: its inline scripts allowed by their sha256, nothing else inline;
    `origins` (a CDN) allowed for scripts and styles besides this one."""
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(m.group(1)).digest()).decode() + "'"
        for m in _INLINE_SCRIPT.finditer(page)
    )
    extra = "".join(" " + o for o in origins)
    return (
        "default-src 'self'; script-src 'self'" + extra + (" " + hashes if hashes else "") + "; "
        "style-src 'self' 'unsafe-inline'" + extra + "; img-src 'self' data:; connect-src 'self'; "
        "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    ).encode()


def html_headers(page: bytes, origins: tuple[str, ...] = ()) -> list[tuple[bytes, bytes]]:
    return [(b"content-security-policy", content_security_policy(page, origins)), (b"x-frame-options", b"DENY")]


class SecurityHeaders:
    """ASGI middleware: the common headers on every response, the CSP on HTML ones.

    The CSP of a page with inline scripts is computed by whoever renders it (they know the
    text); here, an HTML response that has none gets the strict default.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._default = content_security_policy()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                headers += [h for h in COMMON if h[0] not in names]
                ctype = next((v for k, v in headers if k.lower() == b"content-type"), b"")
                if ctype.startswith(b"text/html") and b"content-security-policy" not in names:
                    headers += [(b"content-security-policy", self._default), (b"x-frame-options", b"DENY")]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
