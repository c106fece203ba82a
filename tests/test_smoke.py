def test_customer_signs_in_and_sees_dashboard(testapp, make, login):
    company = make.company(name="ACME Tools")
    user = make.contact(company, role="Buyer")
    make.order(company, total="242.00")
    res = login(testapp, user)
    res = res.follow() if res.status_int == 302 else res
    assert "ACME Tools" in res.text
    assert "Recent orders" in res.text
