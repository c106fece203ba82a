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
