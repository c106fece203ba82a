"""The app factory, configuration, error pages, CSRF and security headers."""
import pytest

from portal import create_app

#: a key as `secrets.token_urlsafe(48)` makes it
STRONG_KEY = "q3Zr8Kp1VwX7yT2mN9bL4cF6hJ0sD5gA-uE_iO8tR1eW3nM7kP2xZ9vB4yC6"


@pytest.mark.parametrize("secret", [None, "", "change-me", "short-but-not-default"])
def test_production_refuses_to_start_without_a_strong_secret_key(tmp_path, secret):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"PORTAL_ENV": "production", "SECRET_KEY": secret,
                    "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/p.db"})


def test_production_starts_with_a_strong_secret_key(tmp_path):
    app = create_app({"PORTAL_ENV": "production", "SECRET_KEY": STRONG_KEY,
                      "PORTAL_BASE_URL": "https://portal.example.com", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/p.db"})
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_development_generates_and_keeps_a_secret_in_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = create_app({"PORTAL_ENV": "development", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/d.db"})
    key = first.config["SECRET_KEY"]
    assert len(key) >= 32
    second = create_app({"PORTAL_ENV": "development", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/d.db"})
    assert second.config["SECRET_KEY"] == key


def test_postgres_urls_use_psycopg3(tmp_path):
    app = create_app({"PORTAL_ENV": "testing", "SQLALCHEMY_DATABASE_URI": "postgres://u@127.0.0.1/x"})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@127.0.0.1/x"


def test_unknown_page_is_a_branded_404(testapp, db):
    from portal import settings

    settings.save({"branding.business_name": "Northwind Supply"})
    res = testapp.get("/no-such-page", status=404)
    assert "Page not found" in res.text
    assert "Northwind Supply" in res.text


def test_server_error_is_a_branded_500_without_details(tmp_path):
    from webtest import TestApp

    from portal.extensions import db

    app = create_app({"PORTAL_ENV": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/e.db",
                      "PROPAGATE_EXCEPTIONS": False})

    @app.route("/_boom_for_test")
    def boom():
        raise RuntimeError("secret internals")

    with app.app_context():
        db.create_all()
    res = TestApp(app).get("/_boom_for_test", status=500)
    assert "Something went wrong" in res.text
    assert "secret internals" not in res.text


def test_forms_without_csrf_token_are_refused(testapp, make):
    user = make.contact()
    res = testapp.post("/login", {"email": user.email, "password": "correct horse battery"}, status=400)
    assert "The form has expired" in res.text
    testapp.get("/dashboard", status=302)


def test_security_headers_on_every_page(testapp):
    res = testapp.get("/login")
    assert res.headers["X-Content-Type-Options"] == "nosniff"
    assert res.headers["X-Frame-Options"] == "SAMEORIGIN"


def test_pages_load_no_third_party_assets(testapp, make, login):
    user = make.contact()
    res = login(testapp, user)
    for tag in res.html.find_all(["link", "script", "img"]):
        url = tag.get("href") or tag.get("src") or ""
        assert not url.startswith(("http://", "https://", "//")), url
