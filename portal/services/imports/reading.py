"""Reading an uploaded import file: CSV (comma, semicolon or tab; UTF-8 with or without BOM, UTF-16,
Windows-1252) or an Excel workbook (.xlsx, first sheet), told apart by content, never by name.

Every cell comes out as text: Excel numbers in their shortest exact form ("12.5", "3"), Excel dates as
YYYY-MM-DD. A cell the portal's CSV writer neutralised ("'=1+1") reads back as it was ("=1+1").
"""
from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from openpyxl import load_workbook

from portal.services.csv_files import is_formula

#: the largest file accepted (50,000 product lines are about 6 MB as CSV)
MAX_BYTES = 30 * 1024 * 1024
MAX_LINES = 200_000
XLSX = "xlsx"
CSV = "csv"


class FileError(ValueError):
    """The file cannot be read; the message says why in words."""


@dataclass
class Sheet:
    """The header cells and the data lines, each with its line number as a spreadsheet shows it."""

    format: str
    headers: list[str]
    rows: list[tuple[int, list[str]]]


def file_format(data: bytes) -> str:
    """"xlsx" or "csv" by content; FileError for anything else."""
    if data.startswith(b"PK\x03\x04"):
        return XLSX
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileError("is an Excel 97-2003 workbook (.xls): save it as .xlsx or CSV and upload that")
    if data.startswith((b"%PDF", b"\x89PNG", b"\xff\xd8")):
        raise FileError("is not a CSV or Excel (.xlsx) file")
    return CSV


def read(data: bytes) -> Sheet:
    if not data.strip():
        raise FileError("is empty")
    if len(data) > MAX_BYTES:
        raise FileError(f"is too large: at most {MAX_BYTES // (1024 * 1024)} MB")
    fmt = file_format(data)
    sheet = _read_xlsx(data) if fmt == XLSX else _read_csv(data)
    if not any(sheet.headers):
        raise FileError("has no header line (the first line must name the columns)")
    if len(sheet.rows) > MAX_LINES:
        raise FileError(f"has more than {MAX_LINES:,} lines: split it into several files")
    return sheet


# --- CSV -------------------------------------------------------------------------------------------

def decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if b"\x00" in data:
        raise FileError("is not a CSV or Excel (.xlsx) file")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise FileError("is not a text file in a known encoding: save it as CSV UTF-8") from None


def delimiter(first_line: str) -> str:
    """The separator the header line uses most: semicolon (European spreadsheets), tab or comma."""
    counts = {sep: first_line.count(sep) for sep in (";", "\t", ",")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def unneutralised(cell: str) -> str:
    """The cell as it was before the portal's CSV writer put an apostrophe before a formula lead."""
    return cell[1:] if cell.startswith("'") and is_formula(cell[1:]) else cell


def _read_csv(data: bytes) -> Sheet:
    text = decode(data)
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=delimiter(first))
    try:
        lines = [[unneutralised(c) for c in row] for row in reader]
    except csv.Error as exc:
        raise FileError(f"cannot be read as CSV ({exc})") from None
    return _sheet(CSV, lines)


def _sheet(fmt: str, lines: list[list[str]]) -> Sheet:
    if not lines:
        return Sheet(fmt, [], [])
    headers = [h.strip() for h in lines[0]]
    rows = [(number, cells) for number, cells in enumerate(lines[1:], start=2) if any(c.strip() for c in cells)]
    return Sheet(fmt, headers, rows)


# --- Excel -----------------------------------------------------------------------------------------

def excel_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        number = Decimal(repr(value))  # the shortest text that is this float: 0.1, not 0.1000000000000000055
        return f"{number.normalize():f}" if number != number.to_integral_value() else str(int(number))
    if isinstance(value, int):
        return str(value)
    return unneutralised(str(value))


def _read_xlsx(data: bytes) -> Sheet:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise FileError("is not a readable Excel (.xlsx) workbook") from exc
    try:
        worksheet = workbook.worksheets[0] if workbook.worksheets else None
        if worksheet is None:
            return Sheet(XLSX, [], [])
        lines = []
        for row in worksheet.iter_rows(values_only=True):
            lines.append([excel_text(v) for v in row])
            if len(lines) > MAX_LINES + 1:
                break
    finally:
        workbook.close()
    return _sheet(XLSX, lines)
