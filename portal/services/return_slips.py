"""The return slip: a printable page the customer puts in the parcel (number, order, what comes back, the
instructions staff gave). Staff print it from the back office too."""
from __future__ import annotations

from portal.models import ReturnRequest
from portal.services import pdf


def slip_pdf(request: ReturnRequest) -> bytes:
    return pdf.render("return_slip", ret=request)


def pdf_filename(request: ReturnRequest) -> str:
    number = "".join(c for c in (request.number or f"return-{request.id}") if c.isalnum() or c in "-_")
    return f"return-slip-{number}.pdf"
