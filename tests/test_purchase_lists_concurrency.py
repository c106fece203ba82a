"""Colleagues putting the same product on a shared list at the same moment (live server, real parallel
requests; SQLite file or PostgreSQL as the suite runs): never an error page, never two lines for one product."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from portal.models import ListSharing
from tests.conftest import PASSWORD
from tests.purchase_list_helpers import lines_of
from tests.shop_ordering import shop_world

PEOPLE = 6


def test_parallel_adds_of_one_product_make_one_line(db, make, live_client):
    shop = shop_world(make)
    widget = shop.products[0]
    plist = make.purchase_list(shop.company, owner=None, sharing=ListSharing.edit, name="Team list")
    jobs = []
    for n in range(PEOPLE):
        person = make.contact(shop.company, role="Buyer", email=f"p{n}@acme.example")
        client = live_client()
        client.sign_in(person.email, PASSWORD)
        token = client.get("/lists/").form_fields("form#new-list")["csrf_token"]
        jobs.append((client, {"csrf_token": token, "product_id": widget.id, "quantity": "1", "list_id": plist.id}))
    start = threading.Barrier(len(jobs))

    def one(job):
        client, fields = job
        start.wait(timeout=60)
        return client.post("/lists/add", fields)

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        responses = list(pool.map(one, jobs, timeout=300))
    assert all(r.status == 200 for r in responses), [(r.status, r.url) for r in responses]
    refused = sum("changed elsewhere at the same moment" in r.text for r in responses)
    [(product_id, quantity, _note)] = lines_of(plist)
    assert product_id == widget.id and quantity == PEOPLE - refused
