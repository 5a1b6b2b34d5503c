"""HTTP/1.1 response heads as bytes: status lines, the Date header, header blocks.

Input: a status and headers. Output: the bytes that go on the wire before a body. Shared
by the front (protocol.py), the ASGI bridge (bridge.py) and the SPARQL endpoint, which
keeps the constant part of its heads ready-made.
"""

from __future__ import annotations

import time
from email.utils import formatdate
from http import HTTPStatus

_STATUS: dict[int, bytes] = {}
_date = [0, b""]


def status_line(status: int) -> bytes:
    line = _STATUS.get(status)
    if line is None:
        try:
            phrase = HTTPStatus(status).phrase
        except ValueError:
            phrase = "Client Closed Request" if status == 499 else ""
        line = _STATUS.setdefault(status, f"HTTP/1.1 {status} {phrase}\r\n".encode())
    return line


def date_header() -> bytes:
    """`date: …` for this second (formatted once a second, not once a request)."""
    now = int(time.time())
    if now != _date[0]:
        _date[1] = b"date: " + formatdate(now, usegmt=True).encode() + b"\r\n"
        _date[0] = now
    return _date[1]


def header_lines(headers: list[tuple[bytes, bytes]]) -> bytes:
    return b"".join([k + b": " + v + b"\r\n" for k, v in headers])


def render_head(status: int, headers: list[tuple[bytes, bytes]], close: bool) -> bytes:
    return b"".join((status_line(status), date_header(), header_lines(headers),
                     b"connection: close\r\n\r\n" if close else b"\r\n"))
