"""Staff edit email templates in the back office; a broken template is a form error, never a blank email."""
from __future__ import annotations

from sqlalchemy import func, select

from portal.models import EmailTemplate
from portal.services import mailer
from tests.fixtures_admin import errors_of, model_form


def _new(admin, key, subject, body):
    form = model_form(admin.get("/admin/email-template/new/"))
    form["key"] = key
    form["name"] = "Our welcome"
    form["subject"] = subject
    form["body_text"] = body
    return form.submit()


def _count(db) -> int:
    db.session.expire_all()
    return db.session.execute(select(func.count()).select_from(EmailTemplate)).scalar_one()


def test_the_form_names_the_keys_of_the_built_in_emails(admin):
    page = admin.get("/admin/email-template/new/")
    for kind in ("invitation", "welcome", "magic_link", "password_reset", "staff_notice"):
        assert kind in page.text


def test_a_template_overriding_a_built_in_email_is_used(admin, db):
    _new(admin, " welcome ", "Welcome aboard, {{ recipient_name }}",
         "Your access for {{ company_name }} is ready: {{ login_url }}\n\n{{ business_name }}")
    assert _count(db) == 1
    subject, text, _html = mailer.render("welcome", recipient_name="Anna", company_name="ACME Tools",
                                         login_url="https://portal.example/login")
    assert subject == "Welcome aboard, Anna"
    assert text.startswith("Your access for ACME Tools is ready: https://portal.example/login")


def test_a_misspelt_placeholder_is_a_form_error_naming_what_the_email_can_use(admin, db):
    res = _new(admin, "welcome", "Welcome", "Hello {{ recipent_name }}, sign in at {{ login_url }}")
    errors = errors_of(res)
    assert "Unknown placeholder {{ recipent_name }}." in errors
    assert "This email can use: recipient_name, company_name, login_url" in errors
    assert _count(db) == 0


def test_a_notification_template_may_use_the_notification_placeholders_only(admin, db):
    res = _new(admin, "new_customer_user", "{{ event }}", "{{ summary }} {{ link }} {{ login_url }}")
    assert "Unknown placeholder {{ login_url }}." in errors_of(res)
    _new(admin, "new_customer_user", "{{ event }}", "{{ summary }} {{ link }}")
    assert _count(db) == 1


def test_a_syntax_error_is_a_form_error(admin, db):
    res = _new(admin, "welcome", "Welcome {{ recipient_name", "Hi")
    assert "Template error on line 1" in errors_of(res)
    assert _count(db) == 0
