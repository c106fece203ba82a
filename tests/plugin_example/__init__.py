"""Source of an example third-party Portal feature that owns data: notes a company keeps.

Not imported by the tests directly: tests/test_plugins.py copies this folder into a site folder as
the package ``portal_example_plugin`` with a dist-info and a ``portal.features`` entry point, exactly
as ``pip install`` would leave it, so the app finds it like any installed plugin.

It declares every part of the feature contract: a table with its own migration, pages with a
nav entry and permissions, default grants, a back-office screen, a dashboard block, a customer
email with a notification preference, a staff event, a document number kind and an isolation factory.
"""
from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import ForeignKey, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from portal.admin_views.base import StaffModelView
from portal.contract import Block, EmailKind, Feature, NavEntry, NumberKind
from portal.extensions import db
from portal.models import Membership, User
from portal.models.base import Model, created_column
from portal.permissions import acting, current_actor, get_scoped_or_404, require_permission, scoped
from portal.services import audit, mailer, staff_notices


class HelloNote(Model):
    """A note a customer company keeps in the portal."""

    __tablename__ = "hello_note"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(Text)
    created_dt: Mapped[datetime] = created_column()


bp = Blueprint("hello_plugin", __name__, template_folder="templates")


@bp.route("/")
@require_permission("hello.view")
def index():
    notes = db.session.execute(scoped(select(HelloNote), HelloNote).order_by(HelloNote.id)).scalars().all()
    return render_template("hello/index.html", notes=notes)


@bp.route("/notes/<int:note_id>")
@require_permission("hello.view")
def note(note_id: int):
    return render_template("hello/note.html", note=get_scoped_or_404(HelloNote, note_id))


@bp.route("/notes", methods=["POST"])
@require_permission("hello.write")
def add_note():
    body = (request.form.get("body") or "").strip()
    if not body:
        abort(400)
    company = acting().company
    note = HelloNote(company_id=company.id, body=body[:2000])
    db.session.add(note)
    db.session.flush()
    audit.record("hello.note_added", note, actor=current_actor())
    colleagues = db.session.execute(
        select(User).join(Membership).where(Membership.company_id == company.id, User.id != current_user.id)
    ).scalars()
    for colleague in colleagues:
        mailer.send("hello_note_added", colleague, note_number=note.number, body=note.body)
    staff_notices.notify("hello_note_added", f"{company.name} added note {note.number}.", company=company)
    db.session.commit()
    flash(f"Note {note.number} added.", "success")
    return redirect(url_for("hello_plugin.index"))


def latest_note(company) -> HelloNote | None:
    return db.session.execute(select(HelloNote).where(HelloNote.company_id == company.id)
                              .order_by(HelloNote.id.desc()).limit(1)).scalar_one_or_none()


def make_note(company) -> int:
    note = HelloNote(company_id=company.id, body=f"A note of {company.name}")
    db.session.add(note)
    db.session.flush()
    return note.id


feature = Feature(
    key="hello", label="Notes", description="Customers keep notes in the portal (an example plugin)",
    blueprint=bp, url_prefix="/hello-plugin",
    nav=(NavEntry("hello_plugin.index", "Notes", permission="hello.view"),),
    permissions={"hello.view": "See the company's notes", "hello.write": "Add notes"},
    grants={"Admin": {"hello.view", "hello.write"}, "Buyer": {"hello.view", "hello.write"},
            "Viewer": {"hello.view"}},
    admin_views=lambda: [StaffModelView(HelloNote, "Hello notes", "Hello")],
    dashboard=(Block("hello/_latest.html", latest_note, permission="hello.view"),),
    emails={"hello_note_added": EmailKind("A colleague added a note", "hello/email/note_added",
                                          pref="hello_notes", pref_label="Notes added by colleagues",
                                          placeholders=("recipient_name", "note_number", "body"))},
    events={"hello_note_added": "A customer added a note"},
    numbers={"hello_note": NumberKind("HN")},
    isolation={"note_id": make_note},
    migrations="portal_example_plugin:migrations",
)
