"""On-close work (mail after a request) runs once the body is sent, even when the server never calls close()."""
import io

from flask import Flask, send_file
from werkzeug.test import EnvironBuilder
from werkzeug.wsgi import FileWrapper

from portal.close_after_send import CloseAfterSend


def _app(events: list[str]) -> Flask:
    app = Flask(__name__)

    @app.get("/redirect")
    def redirect_with_work():
        response = app.redirect("/elsewhere")
        response.call_on_close(lambda: events.append("on close"))
        return response

    @app.get("/file")
    def a_file():
        return send_file(io.BytesIO(b"%PDF-1.7 test"), mimetype="application/pdf")

    app.wsgi_app = CloseAfterSend(app.wsgi_app)
    return app


def _serve(app: Flask, path: str, *, close: bool, environ_extra=None):
    """What a WSGI server does with one request; `close=False` is werkzeug's server after a dropped client."""
    environ = EnvironBuilder(path=path).get_environ()
    environ.update(environ_extra or {})
    body = app(environ, lambda status, headers, exc_info=None: None)
    chunks = list(body)
    if close:
        body.close()
    return body, b"".join(chunks)


def test_on_close_work_runs_when_the_server_never_calls_close():
    events = []
    _, sent = _serve(_app(events), "/redirect", close=False)
    assert b"/elsewhere" in sent
    assert events == ["on close"]


def test_on_close_work_runs_once_when_the_server_also_closes():
    events = []
    _serve(_app(events), "/redirect", close=True)
    assert events == ["on close"]


def test_on_close_work_waits_until_the_whole_body_was_handed_over():
    events = []
    body = _app(events)(EnvironBuilder(path="/redirect").get_environ(), lambda *args: None)
    chunks = iter(body)
    next(chunks)
    assert events == []
    assert list(chunks) == []
    assert events == ["on close"]


def test_file_bodies_are_left_to_the_server():
    body, _ = _serve(_app([]), "/file", close=True, environ_extra={"wsgi.file_wrapper": FileWrapper})
    assert isinstance(body, FileWrapper)


def test_the_portal_app_is_wrapped(app):
    assert isinstance(app.wsgi_app, CloseAfterSend)
