"""Shared shape of priced documents (quotes, orders, invoices, credit notes, purchase orders)."""
# ruff: noqa: RUF012  (Flask-Admin views are configured with class-level dicts and lists)
from __future__ import annotations

from markupsafe import Markup, escape

from portal.admin_views.base import StaffModelView
from portal.admin_views.formatting import currency_of
from portal.web import money, quantity

TOTALS = ("subtotal", "tax_total", "total")


def lines_table(view, context, model, name):
    """The document's lines as a table on its details page."""
    currency = currency_of(model)
    rows = "".join(
        "<tr>"
        f"<td>{line.position or ''}</td><td>{escape(line.description)}</td>"
        f'<td class="text-right">{quantity(line.quantity)}</td>'
        f'<td class="text-right">{money(line.unit_price, currency)}</td>'
        f'<td class="text-right">{quantity(line.discount_percent)}%</td>'
        f'<td class="text-right">{quantity(line.tax_rate)}%</td>'
        f'<td class="text-right">{money(line.line_total, currency)}</td>'
        "</tr>"
        for line in getattr(model, name)
    )
    head = "".join(f'<th scope="col">{h}</th>' for h in
                   ("#", "Description", "Quantity", "Unit price", "Discount", "Tax", "Line total"))
    return Markup(f'<table class="table table-sm mb-0"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>')


class DocumentAdmin(StaffModelView):
    """A numbered document with lines: number and totals are read-only, totals follow the lines."""

    readonly_columns = ("number", "currency", *TOTALS)
    document_lines = "lines"
    currency_from_company = True
    column_labels = {"tax_total": "Tax", "company": "Company"}
    column_sortable_list = ("number", ("company", "company.name"), "status", "total")
    column_formatters = {"lines": lines_table}

    def get_details_columns(self):
        return [*super().get_details_columns(), ("lines", "Lines")]
