"""A real SMTP server (aiosmtpd) on 127.0.0.1 for mail tests.

    def test_x(mail_app, smtp_server):      # the app now delivers to smtp_server
        ...; deliver_due(app)
        message = smtp_server.messages[-1]  # an email.message.Message
        link = link_in(message, "/invite/")

`smtp_server.stop()` / `.start()` simulate an outage (same port). `mail_app` also turns on
OUTBOX_DELIVER_AFTER_REQUEST, so mail queued by a WebTest request is delivered right after it.

Faults: `smtp_server.on_rcpt` / `.on_data` (async callables) run inside the server before it answers
RCPT / DATA and may return another answer ("451 ..."); `hung_smtp_server` accepts connections and
never says a word.
"""
from __future__ import annotations

import email
import re
import socket
import threading
from email import policy
from email.message import EmailMessage as Message

import pytest
from aiosmtpd.controller import Controller


class _KeepMessages:
    def __init__(self):
        self.messages: list[Message] = []
        self.envelopes: list = []
        #: async (envelope, address) -> answer or None; None lets the server accept the recipient
        self.on_rcpt = None
        #: async (envelope, keep) -> answer or None; `keep()` stores the message; None stores and accepts
        self.on_data = None

    def keep(self, envelope) -> None:
        self.envelopes.append(envelope)
        # policy.default decodes headers (=?utf-8?q?...?=) to plain str
        self.messages.append(email.message_from_bytes(envelope.original_content or envelope.content,
                                                      policy=policy.default))

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.on_rcpt is not None:
            answer = await self.on_rcpt(envelope, address)
            if answer is not None:
                return answer
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.on_data is not None:
            answer = await self.on_data(envelope, lambda: self.keep(envelope))
            if answer is not None:
                return answer
        self.keep(envelope)
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SMTPServer:
    """aiosmtpd on 127.0.0.1 at a fixed ephemeral port; keeps every message it receives."""

    host = "127.0.0.1"

    def __init__(self):
        self.port = _free_port()
        self._handler = _KeepMessages()
        self._controller: Controller | None = None

    @property
    def messages(self) -> list[Message]:
        return self._handler.messages

    @property
    def handler(self) -> _KeepMessages:
        return self._handler

    @property
    def running(self) -> bool:
        return self._controller is not None

    def start(self) -> None:
        if self._controller is None:
            # A stopped Controller closed its event loop: a new one serves the same port and handler.
            self._controller = Controller(self._handler, hostname=self.host, port=self.port)
            self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def clear(self) -> None:
        self._handler.messages.clear()
        self._handler.envelopes.clear()

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages if address.lower() in m["To"].lower()]


class HungSMTPServer:
    """Accepts TCP connections on 127.0.0.1 and never answers (no greeting, no reply): a hung mail server."""

    host = "127.0.0.1"

    def __init__(self):
        self._listener = socket.create_server((self.host, 0))
        self._listener.settimeout(0.1)  # so close() is noticed
        self.port = self._listener.getsockname()[1]
        self._held: list[socket.socket] = []
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self._held.append(conn)

    @property
    def connections(self) -> int:
        return len(self._held)

    def close(self) -> None:
        self._closed.set()
        self._listener.close()
        for conn in self._held:
            conn.close()
        self._thread.join(timeout=5)


@pytest.fixture
def hung_smtp_server():
    server = HungSMTPServer()
    yield server
    server.close()


@pytest.fixture
def smtp_server():
    server = SMTPServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mail_app(app, smtp_server):
    """The (session-wide) app pointed at smtp_server for this test; restored afterwards (OUTBOX_* settings too)."""
    from portal.extensions import mail

    keys = ("MAIL_SERVER", "MAIL_PORT", "MAIL_USE_TLS", "MAIL_USE_SSL", "MAIL_SUPPRESS_SEND",
            *(key for key in app.config if key.startswith("OUTBOX_")))
    missing = object()
    saved_config = {key: app.config.get(key, missing) for key in keys}
    saved_state = app.extensions["mail"]
    app.config.update(MAIL_SERVER=smtp_server.host, MAIL_PORT=smtp_server.port, MAIL_USE_TLS=False,
                      MAIL_USE_SSL=False, MAIL_SUPPRESS_SEND=False, OUTBOX_DELIVER_AFTER_REQUEST=True)
    # Flask-Mail copies the config into a state object at init_app: build a fresh one.
    app.extensions["mail"] = mail.init_mail(app.config, app.debug, testing=False)
    yield app
    app.extensions["mail"] = saved_state
    for key, value in saved_config.items():
        if value is missing:
            app.config.pop(key, None)
        else:
            app.config[key] = value


def text_of(message: Message) -> str:
    """The plain-text part of a received message, decoded."""
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            return part.get_content()
    raise AssertionError("message has no text/plain part")


def html_of(message: Message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/html":
            return part.get_content()
    raise AssertionError("message has no text/html part")


def link_in(message: Message, path_part: str, *, relative: bool = True) -> str:
    """The link in the text body whose path contains path_part; scheme and host stripped for WebTest."""
    for url in re.findall(r"https?://\S+", text_of(message)):
        if path_part in url:
            return re.sub(r"^https?://[^/]+", "", url) if relative else url
    raise AssertionError(f"no link containing {path_part!r} in:\n{text_of(message)}")
