"""The one CSV writer: every CSV the app hands out (back-office exports, invitation links) goes through it.

Spreadsheets run a cell as a formula when it starts with = + - or @ (Excel and LibreOffice also take
the full-width and small forms, ＝ ＋ － ＠, and skip leading spaces), and a leading tab or carriage return
can smuggle one in too. Such a cell is written as text: prefixed with an apostrophe.
"""
from __future__ import annotations

import csv
import io
import itertools
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence

from flask import Response, stream_with_context
from werkzeug.utils import secure_filename

#: what a cell's first visible character is, once folded (NFKC: ＝ and ﹦ become =)
FORMULA_LEADS = frozenset("=+-@")
#: a leading control character some spreadsheets strip before reading the rest as a formula
CONTROL_LEADS = frozenset("\t\r\n")
#: how much CSV text a streamed download gathers before handing it on
STREAM_CHUNK = 64 * 1024
#: a plain signed number ("-12.50") is data, not a formula
PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?")


def is_formula(text: str) -> bool:
    """Would a spreadsheet read this cell as a formula?"""
    if not text:
        return False
    if text[0] in CONTROL_LEADS:
        return True
    visible = text.lstrip()
    if not visible:
        return False
    first = unicodedata.normalize("NFKC", visible[0])[:1]
    return first in FORMULA_LEADS and not PLAIN_NUMBER.fullmatch(text)


def safe_cell(value) -> str:
    """A cell as text that no spreadsheet runs."""
    text = "" if value is None else str(value)
    return "'" + text if is_formula(text) else text


def render(header: Sequence, rows: Iterable[Sequence]) -> str:
    """The CSV text of a header and rows, every cell neutralised."""
    return "".join(_chunks(header, rows))


def _headers(filename: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{secure_filename(filename) or "export.csv"}"',
            "Cache-Control": "no-store"}


def download(body: str, filename: str) -> Response:
    """A CSV as a file download (never cached: exports hold customer data)."""
    return Response(body, mimetype="text/csv", headers=_headers(filename))


def _chunks(header: Sequence, rows: Iterable[Sequence]) -> Iterator[str]:
    """The CSV text of a header and rows, every cell neutralised, in pieces of about STREAM_CHUNK."""
    out = io.StringIO()
    writer = csv.writer(out)
    for row in itertools.chain([header], rows):
        writer.writerow([safe_cell(c) for c in row])
        if out.tell() >= STREAM_CHUNK:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


def stream(header: Sequence, rows: Iterable[Sequence], filename: str) -> Response:
    """A CSV download written while `rows` is read (call it in a request: the rows may read the database),
    so a long export holds a chunk in memory, never the whole file."""
    return Response(stream_with_context(_chunks(header, rows)), mimetype="text/csv", headers=_headers(filename))
