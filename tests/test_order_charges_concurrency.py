"""Two decisions on one charge, and two invoices for one order, at the same moment (real parallel connections:
file-backed SQLite or PostgreSQL as the suite runs): one decision counts, the charge is billed once."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

from sqlalchemy import func, select

from portal.extensions import db as _db
from portal.models import AuditLog, ChargeStatus, Invoice, InvoiceLine, OrderCharge, SalesOrder, User
from portal.services import order_charges
from portal.services.actor import Actor


def _meet_after_reading(monkeypatch, name: str):
    """Make both threads meet just after they read the charge, unless the order's lock keeps the second
    one waiting until the first commits (then the barrier gives up after a moment and it goes on)."""
    meet = threading.Barrier(2, timeout=1)
    original = getattr(order_charges, name)

    def meet_then(*args, **kwargs):
        try:
            meet.wait()
        except threading.BrokenBarrierError:
            pass
        return original(*args, **kwargs)

    monkeypatch.setattr(order_charges, name, meet_then)


def _charge_world(make):
    company = make.company(name="ACME Tools", show_charges_on_portal=True)
    anna = make.contact(company, role="Admin")
    bert = make.contact(company, role="Buyer")
    order = make.order(company)
    charge = OrderCharge(order_id=order.id, description="Freight", amount=Decimal("25.00"),
                         total=Decimal("30.25"))
    _db.session.add(charge)
    _db.session.commit()
    return company, order, charge, (anna.id, bert.id)


def test_two_people_deciding_one_charge_at_once_make_one_decision(committed_db, app, make, monkeypatch):
    _company, order, charge, people = _charge_world(make)
    order_id, charge_id = order.id, charge.id
    _meet_after_reading(monkeypatch, "utcnow")

    def decide(person):
        user_id, approve = person
        with app.app_context():
            try:
                order = _db.session.get(SalesOrder, order_id)
                found = order_charges.find(order, charge_id)
                order_charges.decide(found, approve, "" if approve else "Not agreed",
                                     by=Actor.of(_db.session.get(User, user_id)))
                _db.session.commit()
                return "decided"
            except order_charges.ChargeError as exc:
                _db.session.rollback()
                return str(exc)
            finally:
                _db.session.remove()

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = sorted(pool.map(decide, [(people[0], True), (people[1], False)], timeout=60))
    assert outcomes[1] == "decided" and outcomes[0].startswith("This charge was already"), outcomes
    _db.session.expire_all()
    assert _db.session.execute(select(func.count()).select_from(AuditLog)
                               .where(AuditLog.action.like("charge.%"))).scalar_one() == 1


def test_two_invoices_for_one_order_at_once_bill_its_charge_once(committed_db, app, make, monkeypatch):
    company, order, charge, _people = _charge_world(make)
    charge.status = ChargeStatus.approved
    _db.session.commit()
    company_id, order_id = company.id, order.id
    _meet_after_reading(monkeypatch, "counts_as_approved")

    def invoice(n):
        with app.app_context():
            try:
                order = _db.session.get(SalesOrder, order_id)
                # numbered here, not from the shared sequence (whose lock would make the two take turns anyway)
                made = Invoice(number=f"INV-PARALLEL-{n}", company_id=company_id, order=order, currency="EUR")
                _db.session.add(made)
                billed, _waiting = order_charges.bill(made)
                _db.session.commit()
                return len(billed)
            finally:
                _db.session.remove()

    with ThreadPoolExecutor(max_workers=2) as pool:
        billed = sorted(pool.map(invoice, range(2), timeout=60))
    assert billed == [0, 1]
    _db.session.expire_all()
    assert _db.session.execute(select(func.count()).select_from(InvoiceLine)).scalar_one() == 1
