"""The customer's language: no untranslated text in templates, a complete Dutch catalog, and a contact
who chose Dutch reads the portal (words, money and dates) in Dutch while English stays as it was."""
from __future__ import annotations

import os
import re
import shutil
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po
from babel.support import Translations
from jinja2 import DictLoader, Environment, nodes

from portal import i18n
from portal.money import day, money
from portal.services import accounts
from portal.services.accounts import AccountError
from portal.services.actor import Actor

TEMPLATES = Path(i18n.__file__).resolve().parent / "templates"
ROOT = TEMPLATES.parent.parent

#: Directories whose templates are not converted yet — a ratchet: names are only ever taken off; every
#: directory is converted now, so it stays empty.
NOT_YET_TRANSLATED: set[str] = set()

#: attributes a person reads or hears (a submit input's value is handled apart)
VISIBLE_ATTRIBUTES = {"title", "alt", "placeholder", "aria-label", "aria-description"}
MARK = "\x00"  # stands for an expression or a tag's output: never text of its own
LETTER = re.compile(r"[^\W\d_]")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%[sd]")


class _VisibleText(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        attrs = dict(attrs)
        for name, value in attrs.items():
            if value and (name in VISIBLE_ATTRIBUTES or (tag == "input" and name == "value"
                                                                 and attrs.get("type") in ("submit", "button"))):
                self._check(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self._check(data)

    def _check(self, text):
        text = text.replace(MARK, " ").strip()
        if LETTER.search(text):
            self.found.append(" ".join(text.split()))


def _stream(node) -> list[str]:
    """The template's text in order, every expression, call or tag output replaced by MARK."""
    parts: list[str] = []
    for child in node.iter_child_nodes():
        if isinstance(child, nodes.TemplateData):
            parts.append(child.data)
        elif isinstance(child, nodes.Expr):
            if isinstance(node, nodes.Output):  # printed; an {% if %}'s test prints nothing
                parts.append(MARK)
        else:
            parts.extend(_stream(child))
    return parts


def untranslated(env, name: str) -> list[str]:
    source = env.loader.get_source(env, name)[0]
    parser = _VisibleText()
    parser.feed("".join(_stream(env.parse(source))))
    parser.close()
    return parser.found


def test_templates_have_no_untranslated_text(app):
    env = app.jinja_env
    problems = {}
    names = [n for n in env.list_templates(extensions=("html", "txt"))
             if (TEMPLATES / n).is_file() and n.split("/")[0] not in NOT_YET_TRANSLATED]
    assert "base.html" in names and any(n.startswith("shop/") for n in names)
    for name in names:
        found = untranslated(env, name)
        if found:
            problems[name] = found
    assert not problems, "text outside {% trans %} / _(): " + repr(problems)


def test_the_check_finds_a_literal():
    env = Environment(extensions=["jinja2.ext.i18n"], loader=DictLoader({"t.html": '<p title="Help">{{ _("Fine") }} {% trans %}Also fine{% endtrans %}'
                                               '<input type="submit" value="Go"> Your cart</p>'}))
    assert untranslated(env, "t.html") == ["Help", "Go", "Your cart"]


def _extracted() -> dict[str, str]:
    """Every marked message of the templates and of the Python modules that mark any (as pybabel extract)."""
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None, "N_": None}
    sources = [(path, "jinja2.ext:babel_extract") for path in TEMPLATES.rglob("*") if path.suffix in (".html", ".txt")]
    sources += [(path, "python") for path in (ROOT / "portal").rglob("*.py")
                if "gettext" in (text := path.read_text()) or "N_(" in text]
    found = {}
    for path, method in sources:
        for _lineno, message, _comments, _context in extract_from_file(method, str(path), keywords=keywords):
            msgid = message[0] if isinstance(message, tuple) else message  # a plural's msgid is its singular
            if msgid:
                found.setdefault(msgid, str(path))
    return found


def test_dutch_catalog_is_complete_and_keeps_placeholders():
    with (i18n.TRANSLATIONS / "nl" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle)
    dutch = {m.id if isinstance(m.id, str) else m.id[0]: m for m in catalog if m.id}
    missing = sorted(msgid for msgid in _extracted() if msgid not in dutch or not dutch[msgid].string
                     or dutch[msgid].fuzzy)
    assert not missing, f"{len(missing)} strings without a Dutch translation: {missing[:20]}"
    wrong = [m.id for m in catalog if m.id and m.string and
             sorted(PLACEHOLDER.findall(str(m.id))) != sorted(PLACEHOLDER.findall(str(m.string)))]
    assert not wrong, f"placeholders differ: {wrong}"


def test_catalogs_compile_at_start_into_the_package_or_the_instance(tmp_path, monkeypatch):
    source, fallback = tmp_path / "package", tmp_path / "instance"
    po = source / "nl" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    shutil.copy(i18n.TRANSLATIONS / "nl" / "LC_MESSAGES" / "messages.po", po)
    assert i18n.compile_catalogs(source, fallback) == source
    assert Translations.load(str(source), ["nl"]).gettext("Sign out") == "Uitloggen"

    os.utime(po, (po.stat().st_mtime + 10, po.stat().st_mtime + 10))  # the .po changed: the .mo is stale
    real_write = i18n._write

    def read_only_package(po_path, mo_path):
        if source in mo_path.parents:
            raise PermissionError(mo_path)
        real_write(po_path, mo_path)

    monkeypatch.setattr(i18n, "_write", read_only_package)
    assert i18n.compile_catalogs(source, fallback) == fallback
    assert Translations.load(str(fallback), ["nl"]).gettext("Sign out") == "Uitloggen"


def test_money_and_dates_follow_the_locale(app):
    from datetime import date

    with app.app_context():
        with i18n.in_language_of("en"):
            assert money(Decimal("1234.5")) == "€1,234.50"
            assert money(Decimal(-3), "USD") == "-$3.00"
            assert day(date(2026, 3, 1)) == "01 Mar 2026"
        with i18n.in_language_of("nl"):
            assert money(Decimal("1234.5")) == "€\xa01.234,50"
            assert day(date(2026, 3, 1)) == "01 mrt 2026"


def _set_language(db, code):
    from portal import settings

    settings.save({"portal.language": code})


def test_dutch_contact_reads_the_dashboard_and_shop_in_dutch(testapp, make, login, db):
    company = make.company(currency="EUR", price_tier=make.tier("STD", "Standard", is_default=True))
    make.product(name="Widget", price="1234.50")
    dutch = make.contact(company=company, language="nl")
    login(testapp, dutch)
    dashboard = testapp.get("/dashboard")
    assert '<html lang="nl">' in dashboard.text and "Uitloggen" in dashboard.text
    assert "Sign out" not in dashboard.text and "Beschikbaar krediet" in dashboard.text
    assert "€\xa010.000,00" in dashboard.text  # the credit limit, in Dutch notation
    shop = testapp.get("/shop/")
    assert "€\xa01.234,50" in shop.text and "Winkelwagen" in shop.text


def test_english_contact_is_unchanged_and_guests_get_the_business_default(testapp, make, login, db):
    company = make.company(currency="EUR", price_tier=make.tier("STD", "Standard", is_default=True))
    make.product(name="Widget", price="1234.50")
    english = make.contact(company=company)
    res = login(testapp, english)
    res = res.follow() if res.status_int == 302 else res
    assert '<html lang="en">' in res.text and "Sign out" in res.text
    assert "€1,234.50" in testapp.get("/shop/").text
    _set_language(db, "nl")
    fresh = type(testapp)(testapp.app)
    assert "Inloggen" in fresh.get("/login").text


def test_contact_chooses_a_language_on_the_profile(testapp, make, login, db):
    user = make.contact(name="Ann")
    login(testapp, user)
    form = testapp.get("/account").forms["profile"]
    assert [value for value, _selected, _text in form["language"].options] == ["", "en", "nl"]
    form["language"] = "nl"
    res = form.submit().follow()
    assert "Je profiel is opgeslagen." in res.text and '<html lang="nl">' in res.text
    db.session.expire_all()
    assert user.language == "nl"
    form = res.forms["profile"]
    form["language"].force_value("xx")
    res = form.submit()
    assert "Choose one of the offered languages." not in res.text  # the message is in Dutch now
    assert "Kies een van de aangeboden talen." in res.text
    db.session.expire_all()
    assert user.language == "nl"


def test_unknown_language_changes_nothing(make, db):
    user = make.contact(name="Ann", phone=None)
    with pytest.raises(AccountError) as refused:
        accounts.update_profile(user, name="Bob", phone=None, language="xx", by=Actor.of(user))
    assert refused.value.field == "language" and user.name == "Ann" and user.language is None


def test_an_email_is_written_in_the_recipients_language(app, make, db):
    from portal.services import mailer

    english, dutch = make.contact(), make.contact(language="nl")
    context = {"order_number": "SO-1", "company_name": "Acme", "decision": "rejected", "comment": "",
               "decided_by_name": "Bo", "link": "https://portal.example/x", "still_waiting": False}
    with i18n.in_language_of("en"):  # the sender reads English; each recipient gets their own language
        to_dutch = mailer.send("order_approval_decided", dutch, **context)
        to_english = mailer.send("order_approval_decided", english, **context)
    assert to_dutch.subject == "Bestelling SO-1 afgewezen" and "Hallo " in to_dutch.body_text
    assert to_english.subject == "Order SO-1 rejected" and "Hello " in to_english.body_text
