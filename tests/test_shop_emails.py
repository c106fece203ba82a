"""Ordering emails read from a real SMTP server: the buyer's confirmation, approval decisions, and the
staff events "order_placed" and "quote_requested" sent to the recipients and template staff chose."""
from __future__ import annotations

from webtest import TestApp

from portal.models import EmailTemplate, OrderStatus
from portal.services.outbox import deliver_due
from tests.fixtures_mail import link_in, text_of
from tests.shop_ordering import add_to_cart, orders_of, place, shop_world


def _route(admin, kind: str, user=None, team: str = "", template=None) -> None:
    form = admin.get("/admin/settings/").forms["settings"]
    if user is not None:
        form[f"notify.{kind}.user"] = str(user.id)
    form[f"notify.{kind}.team"] = team
    if template is not None:
        form[f"notify.{kind}.template"] = str(template.id)
    assert "Settings saved." in form.submit().follow().text


def test_an_order_confirms_to_the_buyer_and_notifies_the_chosen_staff_with_their_template(
        admin, staff, make, login, db, mail_app, smtp_server):
    template = EmailTemplate(key="web_order", name="Web order", subject="New web order from {{ company_name }}",
                             body_text="{{ summary }}\nOpen: {{ link }}")
    db.session.add(template)
    db.session.commit()
    _route(admin, "order_placed", user=staff, team="orders@northwind.example", template=template)
    _route(admin, "quote_requested", team="quotes@northwind.example")
    shop = shop_world(make)
    customer = TestApp(admin.app)
    login(customer, shop.buyer)
    add_to_cart(customer, shop.products[0], "3")
    _page, _done = place(customer, customer_reference="PO-77")
    order = orders_of(shop.company)[0]
    deliver_due(mail_app)

    [confirmation] = smtp_server.to(shop.buyer.email)
    assert confirmation["Subject"] == f"Order confirmation {order.number}"
    body = text_of(confirmation)
    assert "3 x Widget 1" in body and "Total: €36.30" in body and "Your reference: PO-77" in body
    assert customer.get(link_in(confirmation, "/orders/")).maybe_follow().status_int == 200
    for address in (staff.email, "orders@northwind.example"):
        [notice] = smtp_server.to(address)
        assert notice["Subject"] == "New web order from ACME Tools"
        assert f"Bea Buyer placed order {order.number} of €36.30." in text_of(notice)
        assert f"/admin/sales-order/edit/?id={order.id}" in text_of(notice)

    smtp_server.clear()
    add_to_cart(customer, shop.products[1], "2")
    form = customer.get("/shop/cart").forms["request-quote"]
    form["note"] = "Can you do better?"
    form.submit()
    deliver_due(mail_app)
    [notice] = smtp_server.to("quotes@northwind.example")
    assert notice["Subject"] == "A customer requested a quote from the cart: ACME Tools"
    assert "Bea Buyer requested a quote for 1 product(s). Message: Can you do better?" in text_of(notice)
    assert smtp_server.to(shop.buyer.email) == []


def test_the_buyer_is_emailed_when_the_approver_decides(testapp, make, login, db, mail_app, smtp_server):
    shop = shop_world(make, approval_for_buyers=True)
    admin = make.contact(shop.company, role="Admin", name="Ada Admin", email="ada@acme.example")
    make.contact(shop.company, role="Viewer", email="vic@acme.example")
    login(testapp, shop.buyer)
    add_to_cart(testapp, shop.products[0], "1")
    place(testapp)
    order = orders_of(shop.company)[0]
    assert order.status == OrderStatus.pending_approval
    deliver_due(mail_app)
    [waiting] = smtp_server.to(shop.buyer.email)
    assert waiting["Subject"] == f"Order {order.number} placed, waiting for approval"
    [asked] = smtp_server.to(admin.email)
    assert asked["Subject"] == f"Order {order.number} waits for your approval"
    assert "Bea Buyer placed order" in text_of(asked) and link_in(asked, "/shop/approvals") == f"/shop/approvals?company={shop.company.id}"
    assert smtp_server.to("vic@acme.example") == []

    testapp.reset()
    login(testapp, admin)
    form = testapp.get("/shop/approvals").forms[f"decide-{order.id}"]
    form["comment"] = "Go ahead."
    form.submit("decision", value="approve")
    deliver_due(mail_app)
    decided = smtp_server.to(shop.buyer.email)[-1]
    assert decided["Subject"] == f"Order {order.number} approved"
    assert "Ada Admin approved your order" in text_of(decided) and "Comment: Go ahead." in text_of(decided)
