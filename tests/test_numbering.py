from datetime import date

from portal.models import SalesOrder, Ticket
from portal.services import clock
from portal.services.numbering import next_number


def test_numbers_count_up_per_prefix_and_year(db):
    year = clock.today().year
    assert next_number("sales_order") == f"SO-{year}-0001"
    assert next_number("sales_order") == f"SO-{year}-0002"
    assert next_number("invoice") == f"INV-{year}-0001"
    assert next_number("invoice", on=date(2031, 1, 5)) == "INV-2031-0001"


def test_new_documents_get_a_number_when_saved(db, make):
    company = make.company()
    order = SalesOrder(company_id=company.id)
    ticket = Ticket(company_id=company.id, subject="Broken pallet")
    db.session.add_all([order, ticket])
    db.session.commit()
    assert order.number.startswith("SO-") and order.number.endswith("-0001")
    assert ticket.number.startswith("TCK-")


def test_kinds_come_from_the_features_and_an_undeclared_kind_is_refused(db):
    from portal.features import registry
    from portal.services.numbering import kinds

    declared = {kind: spec.prefix for f in registry() for kind, spec in f.numbers.items()}
    assert {k: s.prefix for k, s in kinds().items()} == declared
    assert declared["sales_order"] == "SO" and registry().get("orders").numbers["sales_order"].prefix == "SO"
    import pytest

    with pytest.raises(KeyError):
        next_number("gift_card")


def test_a_kind_without_yearly_reset_counts_on_across_years(own_app):
    from flask import Blueprint

    from portal.contract import Feature, NumberKind

    feature = Feature(key="vouchers", label="Vouchers", description="", blueprint=Blueprint("vouchers", __name__),
                      url_prefix="/vouchers", numbers={"voucher": NumberKind("V", yearly=False)})
    app = own_app(extra_features=[feature])
    with app.app_context():
        assert next_number("voucher", on=date(2026, 12, 31)) == "V-0001"
        assert next_number("voucher", on=date(2027, 1, 1)) == "V-0002"
