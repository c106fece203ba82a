"""Photos on return requests with real files: size limits, types by content, names, storage, downloads."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from portal.models import ReturnAttachment
from portal.services import returns
from portal.services.actor import Actor
from tests.return_helpers import delivered_order, request_form, return_count
from tests.ticket_helpers import HTML, PDF, flashes, png_bytes


@pytest.fixture
def acme(make):
    return make.company(name="ACME Tools")


@pytest.fixture
def client(testapp, login, make, acme):
    login(testapp, make.contact(acme, role="Buyer", email="bea@acme.example"))
    return testapp


@pytest.fixture
def order(make, acme):
    return delivered_order(make, acme)


def send(client, order, files, status="*"):
    return request_form(client, order, {order.lines[0]: ("1", "damaged")}, files=files, status=status)


def stored(db) -> list[ReturnAttachment]:
    db.session.expire_all()
    return list(db.session.execute(select(ReturnAttachment).order_by(ReturnAttachment.id)).scalars())


def test_photos_are_kept_outside_the_web_root_and_downloaded_never_inline(db, app, client, order):
    res = send(client, order, (("crushed box.png", png_bytes()), ("../../etc/pass wd.pdf", PDF)))
    assert res.status_int == 302, flashes(res)
    page = res.follow()
    files = stored(db)
    assert [f.filename for f in files] == ["crushed-box.png", "pass-wd.pdf"]
    folder, static = Path(app.config["UPLOAD_DIR"]).resolve(), Path(app.static_folder).resolve()
    for f in files:
        path = (folder / f.stored_name).resolve()
        assert f.stored_name != f.filename and len(f.stored_name.split(".")[0]) == 32
        assert path.is_file() and static not in path.parents
    assert not (folder.parent / "etc").exists()
    links = page.html.select(".attachments a")
    assert [a.get_text() for a in links] == ["crushed-box.png", "pass-wd.pdf"]
    photo = client.get(links[0]["href"])
    assert photo.body == png_bytes()
    assert photo.headers["Content-Disposition"] == "attachment; filename=crushed-box.png"
    assert photo.headers["X-Content-Type-Options"] == "nosniff" and "sandbox" in photo.headers["Content-Security-Policy"]
    assert "private" in photo.headers["Cache-Control"]


def test_html_disguised_as_a_png_is_refused_and_nothing_is_saved(db, client, order):
    res = send(client, order, (("photo.png", HTML),), status=400)
    assert "The file photo must be a PDF, PNG, JPEG, plain text or CSV file (this file also contains web page code)." \
        in flashes(res)
    assert "Nothing was sent." in flashes(res)
    assert return_count(db) == 0 and stored(db) == []


def test_a_file_over_the_limit_is_a_form_message_and_a_request_over_it_a_413(db, app, client, order):
    res = send(client, order, (("big.txt", b"a" * (5 * 1024 * 1024 + 1)),), status=400)
    assert "is too large: at most 5 MB" in flashes(res)
    res = send(client, order, (("huge.png", b"a" * (app.config["MAX_CONTENT_LENGTH"] + 1)),), status=413)
    assert "What you sent is too large" in res.text and "Nothing was saved" in res.text
    assert return_count(db) == 0


def test_only_the_returns_company_gets_its_files(db, testapp, login, make, order):
    other = make.company(name="Other Co")
    foreign = delivered_order(make, other)
    made = returns.request_return(foreign, [returns.LineChoice(foreign.lines[0].id, "1", "damaged")],
                                  by=Actor.of(make.contact(other)),
                                  files=[returns.CheckedFile(PDF, "pdf", "scan.pdf")])
    db.session.commit()
    [secret] = made.attachments
    res = testapp.get(f"/returns/files/{secret.id}", status=302)  # a guest signs in first
    assert "/login" in res.location and res.body != PDF
    login(testapp, make.contact(order.company, role="Admin"))
    res = testapp.get(f"/returns/files/{secret.id}", status=404)
    assert PDF not in res.body
    testapp.reset()
    login(testapp, make.contact(other, role="Viewer"))  # the return's own company does get it
    assert testapp.get(f"/returns/files/{secret.id}").body == PDF
