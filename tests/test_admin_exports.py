"""Every CSV export the back office offers downloads completely and parses (issue 7 item 20) and holds
no formula a spreadsheet would run (item 7)."""
from __future__ import annotations

import csv
import io
from concurrent.futures import ThreadPoolExecutor

import pytest
from flask_admin.model import BaseModelView
from sqlalchemy import JSON, Enum, String, Text, select
from sqlalchemy import inspect as sa_inspect

from portal.demo import seed_demo
from portal.models import Company, EmailTemplate, PortalEvent
from portal.services import audit, outbox
from portal.services.actor import SYSTEM
from tests.test_csv_files import HOSTILE, runs_as_formula


@pytest.fixture
def demo_admin(db, admin):
    """The back office signed in, over the demo business (rows in every table)."""
    assert seed_demo() is True
    company = db.session.execute(select(Company)).scalars().first()
    outbox.queue("welcome", "someone@example.com", "Welcome", "Hello")
    audit.record("demo.checked", company, actor=SYSTEM, note="export test")
    db.session.add(PortalEvent(kind="page_view", company_id=company.id, data={"path": "/"}))
    db.session.add(EmailTemplate(key="welcome", name="Welcome", subject="Welcome", body_text="Hello"))
    db.session.commit()
    return admin


def exporting_views(app) -> list[BaseModelView]:
    views = [v for v in app.extensions["portal_admin"]._views if isinstance(v, BaseModelView) and v.can_export]
    assert len(views) > 20
    return views


def export_url(view) -> str:
    return f"{view.url}/export/csv/"


def as_in_production(call):
    """Run a request the way a server does: in a thread without the test's app context, so the
    request's own context (and database session) ends when the view returns, before the body is sent."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(call).result()


def download(client, url: str):
    """(response, None), or (None, the error raised while the body was being sent)."""
    try:
        return as_in_production(lambda: client.get(url, expect_errors=True)), None
    except Exception as exc:  # noqa: BLE001 (a body that fails mid-stream raises in the client)
        return None, f"{type(exc).__name__}: {exc}"


def test_every_admin_export_downloads_and_parses(app, demo_admin):
    failures = []
    for view in exporting_views(app):
        res, error = download(demo_admin, export_url(view))
        if error:
            failures.append(f"{view.endpoint}: {error}")
            continue
        if res.status_int != 200:
            failures.append(f"{view.endpoint}: {res.status_int}")
            continue
        rows = list(csv.reader(io.StringIO(res.text)))
        if len(rows) < 2:
            failures.append(f"{view.endpoint}: {len(rows)} rows (the demo has data for every screen)")
        elif any(len(row) != len(rows[0]) for row in rows):
            failures.append(f"{view.endpoint}: ragged rows")
    assert not failures, "\n".join(failures)


# --- issue 7 item 7: no export hands a spreadsheet a formula ------------------------------------------------

def _text_columns(model):
    return [c for c in sa_inspect(model).columns
            if isinstance(c.type, String | Text) and not isinstance(c.type, Enum | JSON)
            and not c.primary_key and not c.foreign_keys]


def fill_with_formulas(db, models) -> int:
    """Every text column of every row of these models set to a formula (distinct, within its length)."""
    filled = 0
    for model in models:
        columns = _text_columns(model)
        for n, row in enumerate(db.session.execute(select(model)).scalars()):
            for k, column in enumerate(columns):
                payload = HOSTILE[(n + k) % len(HOSTILE)] + f"{n}-{k}"
                setattr(row, column.key, payload[: column.type.length or None])
                filled += 1
    db.session.commit()
    return filled


def test_no_admin_export_hands_a_spreadsheet_a_formula(app, db, demo_admin):
    views = exporting_views(app)
    assert fill_with_formulas(db, {v.model for v in views}) > 100
    failures = []
    for view in views:
        res, error = download(demo_admin, export_url(view))
        if error or res.status_int != 200:
            failures.append(f"{view.endpoint}: {error or res.status_int}")
            continue
        bad = [cell for row in csv.reader(io.StringIO(res.text)) for cell in row if runs_as_formula(cell)]
        if bad:
            failures.append(f"{view.endpoint}: {bad[:3]}")
    assert not failures, "\n".join(failures)
