"""Run a response's on-close work once its body is sent, whatever the WSGI server does.

Mail queued by a request goes out from `response.call_on_close`. Werkzeug's threaded server (the
demo, the browser tests) skips `close()` when the client drops the connection right after the
response, as browsers do after a redirect; the work then never ran. This middleware calls `close()`
itself as soon as the last chunk has been handed to the server (and at most once), so the client
already has the whole response when the work starts.
"""
from __future__ import annotations

from werkzeug.wsgi import ClosingIterator


class _ClosedWhenSent:
    def __init__(self, iterable: ClosingIterator):
        self._iterable = iterable
        self._closed = False

    def __iter__(self):
        try:
            yield from self._iterable
        finally:
            self.close()

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._iterable.close()


class CloseAfterSend:
    """WSGI middleware; file bodies (direct passthrough) are left to the server untouched."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        body = self.wsgi_app(environ, start_response)
        return _ClosedWhenSent(body) if isinstance(body, ClosingIterator) else body
