"""Issue 7 item 7: every CSV the app writes neutralises cells a spreadsheet would run as a formula."""
from __future__ import annotations

import ast
import csv
import io
from pathlib import Path

import pytest
from webtest.forms import Text

import portal
from portal.services import csv_files

#: cells a spreadsheet runs: ASCII and full-width / small leads, after spaces, tab and CR tricks
HOSTILE = ["=HYPERLINK(\"http://evil\",\"x\")", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A2)", "\t=1+1",
           "\r=1+1", "＝HYPERLINK(\"http://evil\")", "＋1+1", "－1+1", "＠SUM(A1)", "  =1+1", "\u3000＝1",
           "\n=1", "﹦1+1", "\u00a0@A1"]
HARMLESS = ["Acme Tools", "O'Brien", "a=b", "x-1", "", "12", "-12.50", "+3", "email@example.com"]


def runs_as_formula(cell: str) -> bool:
    """The test's own reading of a cell, independent of the writer's."""
    if cell[:1] in ("\t", "\r", "\n"):
        return True
    visible = cell.lstrip(" \u3000\u00a0\t\r\n")
    return visible[:1] in ("=", "+", "-", "@", "＝", "＋", "－", "＠", "﹦", "﹢", "﹣", "﹫") and not (
        visible[1:].replace(".", "").isdigit() and visible == cell)


@pytest.mark.parametrize("value", HOSTILE)
def test_a_formula_cell_is_written_as_text(value):
    text = csv_files.render(["h"], [[value]])
    cell = next(iter(csv.reader(io.StringIO(text[text.index("\n") + 1:]))))[0]
    assert cell == "'" + value
    assert not runs_as_formula(cell)


@pytest.mark.parametrize("value", HARMLESS)
def test_ordinary_cells_are_left_alone(value):
    assert csv_files.safe_cell(value) == value


def test_values_of_any_type_become_text():
    text = csv_files.render(["a", "b", "c"], [[None, 3, -4]])
    assert text.splitlines() == ["a,b,c", ",3,-4"]


def test_the_app_writes_csv_only_through_the_one_writer():
    root = Path(portal.__file__).parent
    writers = []
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "csv" \
                    and node.attr in ("writer", "DictWriter"):
                writers.append(str(path.relative_to(root)))
    assert writers == ["services/csv_files.py"]


def test_invitation_links_csv_escapes_full_width_and_indented_formulas(db, admin, make):
    company = make.company(name="＝HYPERLINK(\"http://evil\")")
    names = ["＠SUM(A1)", "  =1+1", "－2+3", "\t=1"]
    people = [make.contact(company, name=name, password=None, email=f"p{n}@example.com")
              for n, name in enumerate(names)]
    listing = admin.get("/admin/invitations/")
    form = listing.forms["action_form"]
    form["action"] = "export_links"
    for n, user in enumerate(people):
        box = Text(form, "input", "rowid", 1000 + n, value=str(user.id))
        form.fields.setdefault("rowid", []).append(box)
        form.field_order.append(("rowid", box))
    res = form.submit()
    assert res.status_int == 200 and res.content_type == "text/csv", res.text[:500]
    rows = list(csv.reader(io.StringIO(res.text)))
    assert len(rows) == 5
    assert [cell for row in rows for cell in row if runs_as_formula(cell)] == []
    assert sorted(row[0] for row in rows[1:]) == sorted("'" + name for name in names)
    assert {row[2] for row in rows[1:]} == {"'＝HYPERLINK(\"http://evil\")"}
