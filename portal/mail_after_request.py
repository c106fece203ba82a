"""After each request: a few of the emails it queued go out once the response is sent, the rest is the
delivery worker's; in the back office, the next page reports what became of them."""
from __future__ import annotations

from flask import Flask

from portal.admin_views import mail_notices
from portal.services import outbox


def _after_request(response):
    ids = outbox.take_queued_in_request()
    if ids:
        if mail_notices.in_back_office():
            mail_notices.remember(ids)
        outbox.deliver_after_request(response, ids)
    return response


def init_app(app: Flask) -> None:
    app.after_request(_after_request)
