"""Real files and form helpers for the support ticket tests."""
from __future__ import annotations

import io

from PIL import Image
from webtest import TestApp, Upload

from portal.models import Ticket

PDF = (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> "
       b"endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(out, "PNG")
    return out.getvalue()


def flashes(res) -> str:
    return " ".join(n.get_text(" ", strip=True) for n in res.html.select(".flash, .alert"))


def open_ticket(client: TestApp, subject: str = "Pallet arrived damaged", body: str = "Two boxes were crushed.",
                files: tuple[tuple[str, bytes], ...] = (), status: int | None = None, **fields):
    """Fill /tickets/new like a person and submit it (files go in its one multiple-file input)."""
    form = client.get("/tickets/new").forms["new-ticket"]
    form["subject"] = subject
    form["body"] = body
    for name, value in fields.items():
        form[name] = value
    if files:
        form["files"] = [Upload(name, data) for name, data in files]
    return form.submit(status=status or "*")


def ticket_count(db) -> int:
    db.session.expire_all()
    return db.session.query(Ticket).count()
