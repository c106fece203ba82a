"""The statement of account: a page, its PDF and its CSV for a date range (?from=&to=, YYYY-MM-DD).

Who may see it: roles with ``invoices.statement`` — by default Admin and Finance, the people who
reconcile the company's account; the same permission shows the ageing block on the dashboard. Buyer
and Viewer see their invoices, credit notes and receipts but not the ledger and its ageing; a
customer's admin (or staff) can give the permission to another role.
The rules are portal.services.statement's; page, PDF and CSV all render one Statement.
"""
from flask import render_template, request

from portal.blueprints.invoices import bp
from portal.extensions import db
from portal.pdf_download import pdf_download
from portal.permissions import acting, current_actor, require_permission
from portal.services import clock, csv_files, downloads, statement


def _asked() -> tuple[str, str]:
    return request.args.get("from", "")[:40], request.args.get("to", "")[:40]


def _statement_or_problem():
    """(Statement, None) for the range asked, or (None, the page with the message) for a bad range."""
    start_text, end_text = _asked()
    today = clock.today()
    try:
        start, end = statement.parse_range(start_text, end_text, today)
    except statement.StatementRangeError as error:
        page = render_template("invoices/statement.html", statement=None, error=error,
                               start=start_text, end=end_text, max_years=statement.MAX_YEARS)
        return None, (page, 400)
    return statement.statement_for(acting().company, start, end, today), None


@bp.route("/statement")
@require_permission("invoices.statement")
def statement_page():
    found, problem = _statement_or_problem()
    if problem:
        return problem
    return render_template("invoices/statement.html", statement=found, error=None, start=found.start.isoformat(),
                           end=found.end.isoformat(), max_years=statement.MAX_YEARS)


@bp.route("/statement/pdf")
@require_permission("invoices.statement")
def statement_pdf():
    found, problem = _statement_or_problem()
    if problem:
        return problem
    body = statement.statement_pdf(found)
    downloads.record_pdf("statement", found.company.id, None, current_actor(),
                         start=found.start.isoformat(), end=found.end.isoformat())
    db.session.commit()
    return pdf_download(body, statement.filename(found, "pdf"))


@bp.route("/statement/csv")
@require_permission("invoices.statement")
def statement_csv():
    found, problem = _statement_or_problem()
    if problem:
        return problem
    return csv_files.download(csv_files.render(statement.CSV_HEADER, statement.csv_rows(found)),
                              statement.filename(found, "csv"))
