"""uvicorn's httptools protocol with a deadline for request headers.

uvicorn closes idle keep-alive connections (`timeout_keep_alive`) but gives a client
that sends its headers a byte at a time all the time it wants: fifty such clients hold
fifty connections for ever (slowloris). Here every request's headers must be complete
within `header_timeout` seconds of the connection opening (first request) or of the
request's first byte (later requests on a kept-alive connection); else the connection
is closed.
"""

from __future__ import annotations

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


def protocol_with_header_timeout(header_timeout: float) -> type:
    class HeaderDeadlineProtocol(HttpToolsProtocol):
        _header_timer = None

        def connection_made(self, transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._arm()

        def on_message_begin(self) -> None:
            super().on_message_begin()
            if self._header_timer is None:
                self._arm()

        def on_headers_complete(self) -> None:
            self._disarm()
            super().on_headers_complete()

        def connection_lost(self, exc) -> None:
            self._disarm()
            super().connection_lost(exc)

        def _arm(self) -> None:
            self._header_timer = self.loop.call_later(header_timeout, self._too_slow)

        def _disarm(self) -> None:
            if self._header_timer is not None:
                self._header_timer.cancel()
                self._header_timer = None

        def _too_slow(self) -> None:
            self._header_timer = None
            if not self.transport.is_closing():
                self.transport.close()

    return HeaderDeadlineProtocol
