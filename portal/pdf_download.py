"""The HTTP answer carrying a generated PDF: always a download, never cached (documents are private)."""
from __future__ import annotations

from flask import Response, make_response


def pdf_download(body: bytes, filename: str) -> Response:
    """`filename` is the document's own safe ASCII name (numbers, letters, dashes)."""
    response = make_response(body)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response
