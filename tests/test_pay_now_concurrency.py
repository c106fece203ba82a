"""Staff confirming the same bank transfer at the same moment: parallel HTTP requests against the live server.

Runs on the suite's engine: a file-backed SQLite by default, PostgreSQL when DATABASE_URL points there.
"""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

from sqlalchemy import func, select

from portal.extensions import db as _db
from portal.models import Invoice, InvoiceStatus, Payment, PaymentRequest, PaymentRequestStatus
from portal.services import payment_requests
from portal.services.actor import Actor
from tests.conftest import PASSWORD

STAFF = 6


def test_staff_confirming_one_transfer_at_once_record_it_once(db, make, live_client):
    company = make.company(name="Alpha Trading")
    one, two = make.invoice(company, total="121.00"), make.invoice(company, total="200.00")
    request = payment_requests.create(company, [payment_requests.Share(one, Decimal("21.00")),
                                                payment_requests.Share(two, Decimal("80.00"))],
                                      "bank_transfer", by=Actor())
    _db.session.commit()
    url = f"/admin/payment-request/confirm/?id={request.id}"
    jobs = []
    for n in range(STAFF):
        staff = make.staff(name=f"Staff {n}", email=f"staff{n}@northwind.example")
        client = live_client()
        client.sign_in(staff.email, PASSWORD)
        jobs.append((client, client.get(url).form_fields("form.admin-form")))
    start = threading.Barrier(len(jobs))

    def one_click(job):
        client, fields = job
        start.wait(timeout=60)
        return client.post(url, fields)

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        responses = list(pool.map(one_click, jobs, timeout=300))

    assert all(r.status == 200 for r in responses), [r.status for r in responses]
    confirmed = [r for r in responses if "confirmed: 2 payment(s) recorded" in r.text]
    assert len(confirmed) == 1, [r.text[:200] for r in responses]
    _db.session.expire_all()
    assert _db.session.execute(select(func.count(Payment.id))).scalar_one() == 2
    assert _db.session.get(PaymentRequest, request.id).status == PaymentRequestStatus.paid
    # part payments: a second recording would still fit in the balances, so only the status claim stops it
    assert (_db.session.get(Invoice, one.id).balance_due, _db.session.get(Invoice, two.id).balance_due) == (
        Decimal("100.00"), Decimal("120.00"))
    assert _db.session.get(Invoice, one.id).status == InvoiceStatus.partially_paid
