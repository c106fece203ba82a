"""Accepting quotes under real concurrency: parallel HTTP requests against the live server.

Runs on the suite's engine: a file-backed SQLite by default, PostgreSQL when DATABASE_URL points there
(CI runs both). Each client has its own cookies and CSRF token and has loaded the page before all press
"Accept" at the same moment.
"""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

from sqlalchemy import func, select

from portal.extensions import db as _db
from portal.models import OutboxEmail, PortalEvent, Product, QuoteSignature, QuoteStatus, SalesOrder, Shipment
from portal.services import quote_evidence, quote_shares
from portal.services.actor import Actor
from tests.conftest import PASSWORD
from tests.test_quote_acceptance import make_priced_quote

CLIENTS = 8


def _press_together(jobs) -> list:
    start = threading.Barrier(len(jobs))

    def one(job):
        client, path, fields = job
        start.wait(timeout=60)
        return client.post(path, fields)

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        return list(pool.map(one, jobs, timeout=300))


def _accept_fields(client, page: str, name: str, email: str) -> dict:
    fields = client.get(page).form_fields("form#accept")
    return {**fields, "name": name, "email": email, "consent": "y"}


def _count(model) -> int:
    return _db.session.execute(select(func.count()).select_from(model)).scalar_one()


def test_accept_pressed_at_once_by_link_recipients_and_buyers_makes_one_signature(db, make, live_client):
    staff = make.staff(email="stella@northwind.example")
    quote = make_priced_quote(make, db)
    jobs = []
    for n in range(CLIENTS // 2):  # several share links, and the company's buyers signed in
        raw, _link = quote_shares.share(quote, name=f"Recipient {n}", email=f"r{n}@acme.example", by=Actor.of(staff))
        db.session.commit()
        client = live_client()
        jobs.append((client, f"/quotes/link/{raw}/accept",
                     _accept_fields(client, f"/quotes/link/{raw}", f"Recipient {n}", f"r{n}@acme.example")))
    for n in range(CLIENTS // 2):
        buyer = make.contact(quote.company, role="Buyer", email=f"b{n}@acme.example")
        client = live_client()
        client.sign_in(buyer.email, PASSWORD)
        jobs.append((client, f"/quotes/{quote.id}/accept",
                     _accept_fields(client, f"/quotes/{quote.id}", f"Buyer {n}", buyer.email)))

    responses = _press_together(jobs)

    assert all(r.status == 200 for r in responses), [(r.status, r.text[:300]) for r in responses]
    accepted = [r for r in responses if "Thank you: you accepted the quote." in r.text]
    told = [r for r in responses if "This quote was accepted already, by" in r.text]
    assert (len(accepted), len(told)) == (1, CLIENTS - 1), [r.text[:200] for r in responses]
    _db.session.expire_all()
    assert _count(QuoteSignature) == _count(SalesOrder) == _count(Shipment) == 1
    assert _db.session.execute(select(func.count(PortalEvent.id)).filter_by(kind="quote_accepted")).scalar_one() == 1
    assert _db.session.execute(select(func.count(OutboxEmail.id)).filter_by(kind="quote_accepted")).scalar_one() == 1
    reserved = sorted(p.stock.reserved for p in _db.session.execute(select(Product)).scalars())
    assert reserved == [Decimal(0), Decimal(2)]  # the racks once; the optional kit was not ticked
    signature = _db.session.execute(select(QuoteSignature)).scalar_one()
    assert signature.signer_name in accepted[0].text
    assert _db.session.get(type(quote), quote.id).status == QuoteStatus.accepted


def test_quotes_accepted_at_the_same_moment_are_chained_one_after_the_other(db, make, live_client):
    staff = make.staff(email="stella@northwind.example")
    jobs = []
    for n in range(CLIENTS // 2):
        quote = make_priced_quote(make, db, make.company(name=f"Client {n}"), tag=f"-{n}")
        raw, _link = quote_shares.share(quote, name=f"Signer {n}", email=f"s{n}@example.com", by=Actor.of(staff))
        db.session.commit()
        client = live_client()
        jobs.append((client, f"/quotes/link/{raw}/accept",
                     _accept_fields(client, f"/quotes/link/{raw}", f"Signer {n}", f"s{n}@example.com")))

    responses = _press_together(jobs)

    assert all("Thank you: you accepted the quote." in r.text for r in responses), [r.status for r in responses]
    _db.session.expire_all()
    signatures = list(_db.session.execute(select(QuoteSignature).order_by(QuoteSignature.id)).scalars())
    assert len(signatures) == CLIENTS // 2
    assert len({s.prev_hash for s in signatures}) == len(signatures)  # no two appended after the same record
    report = quote_evidence.verify()
    assert report.ok, [str(p) for p in report.problems]
