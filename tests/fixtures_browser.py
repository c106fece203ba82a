"""Live server and Playwright browser fixtures.

`live_server` serves the session test app (same database as the `db` fixture) from a threaded
werkzeug server on 127.0.0.1 with an ephemeral port. Every request runs in its own thread with its
own app context, hence its own database session: requests really run in parallel.

`browser_page` / `new_browser_page` drive the system Chromium through Playwright's sync API. Pages
of a failed test are saved to test-artifacts/<test name>.png; `save_screenshot` keeps any page
as test-artifacts/screens/<name>.png.
"""
from __future__ import annotations

import os
import re
import threading
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item so fixtures can tell whether the test failed."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def live_server(app):
    """Base URL (http://127.0.0.1:PORT) of the app served by a threaded werkzeug server."""
    from werkzeug.serving import WSGIRequestHandler, make_server

    class QuietHandler(WSGIRequestHandler):
        def log_request(self, *args, **kwargs):  # one line per request drowns the test output
            pass

    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def _require_chromium() -> None:
    if os.path.exists(CHROMIUM):
        return
    if os.environ.get("CI"):
        pytest.fail(f"{CHROMIUM} is missing but CI is set: CI must install chromium (apt-get install -y chromium)")
    pytest.skip(f"browser test: {CHROMIUM} is not installed here (apt-get install -y chromium); CI runs it")


@pytest.fixture(scope="session")
def chromium():
    """One headless system Chromium for the session (Playwright's bundled browsers are never used)."""
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def _artifact_name(item) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", item.name).strip("_")


@pytest.fixture
def new_browser_page(request, chromium, live_server):
    """new_browser_page(**context_options) -> a Page in a fresh browser context (own cookies: one per person)."""
    contexts = []

    violations: list[str] = []

    def open_page(**options):
        """options go to Browser.new_context (viewport=..., bypass_csp=...)."""
        context = chromium.new_context(base_url=live_server, **options)
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        watch_csp(page, violations)
        return page

    yield open_page

    failed = any(getattr(getattr(request.node, f"rep_{when}", None), "failed", False)
                 for when in ("setup", "call"))
    for n, context in enumerate(contexts, start=1):
        if failed:
            ARTIFACTS.mkdir(exist_ok=True)
            suffix = "" if n == 1 else f"-{n}"
            for page in context.pages:
                path = ARTIFACTS / f"{_artifact_name(request.node)}{suffix}.png"
                try:
                    page.screenshot(path=str(path), full_page=True)
                except Exception as exc:  # noqa: BLE001 - a broken page must not hide the real failure
                    print(f"could not save {path}: {exc}")
        context.close()
    assert not violations, "Content-Security-Policy violations:\n" + "\n".join(violations)


def watch_csp(page, violations: list[str]) -> None:
    """Every Content-Security-Policy violation Chromium reports on the page's console is kept in `violations`
    (the fixture fails the test with them): the portal and the back office must work under their policies."""
    def on_console(message):
        if message.type == "error" and ("Content Security Policy" in message.text or "Refused to" in message.text):
            violations.append(f"{page.url}: {message.text}")

    page.on("console", on_console)


def save_screenshot(page, name: str, full_page: bool = True) -> Path:
    """Keep a screenshot as a test artifact (test-artifacts/screens/<name>.png) for people to look at."""
    folder = ARTIFACTS / "screens"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', name)}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


@pytest.fixture
def browser_page(new_browser_page):
    """A Playwright Page whose relative URLs go to the live server."""
    return new_browser_page()


# --- a small cookie-keeping HTTP client for the live server (stdlib only) --------------------------

class LiveResponse:
    def __init__(self, status: int, url: str, text: str):
        self.status = status
        self.url = url
        self.text = text

    def form_fields(self, selector: str = "form") -> dict[str, str]:
        """Name -> value of the inputs of the first form matching `selector` (hidden ones included)."""
        from bs4 import BeautifulSoup

        form = BeautifulSoup(self.text, "html.parser").select_one(selector)
        if form is None:
            raise AssertionError(f"no form {selector!r} on {self.url} (status {self.status})")
        fields = {}
        for field in form.select("input[name], textarea[name], select[name]"):
            if field.get("type") in ("checkbox", "radio") and not field.has_attr("checked"):
                continue
            if field.name == "select":
                option = field.select_one("option[selected]") or field.select_one("option")
                fields[field["name"]] = option.get("value", option.text) if option else ""
            elif field.name == "textarea":
                fields[field["name"]] = field.text
            else:
                fields[field["name"]] = field.get("value", "")
        return fields


class LiveClient:
    """A browser-like client: keeps cookies, follows redirects, returns errors as responses."""

    def __init__(self, base_url: str, jar=None):
        import http.cookiejar
        import urllib.request

        self.base_url = base_url
        self.jar = jar if jar is not None else http.cookiejar.CookieJar()
        self._opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def _open(self, path: str, data: dict | None = None) -> LiveResponse:
        import urllib.error
        import urllib.parse
        import urllib.request

        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(self.base_url + path, data=body)
        try:
            with self._opener.open(req, timeout=60) as res:
                return LiveResponse(res.status, res.url, res.read().decode("utf-8", "replace"))
        except urllib.error.HTTPError as err:
            with err:
                return LiveResponse(err.code, err.url, err.read().decode("utf-8", "replace"))

    def get(self, path: str) -> LiveResponse:
        return self._open(path)

    def post(self, path: str, data: dict) -> LiveResponse:
        return self._open(path, data)

    def sign_in(self, email: str, password: str) -> LiveResponse:
        fields = self.get("/login").form_fields("form#login")
        fields.update(email=email, password=password)
        res = self.post("/login", fields)
        assert "/login" not in res.url, f"sign-in as {email} failed: {res.status} {res.url}"
        return res

    def clone(self) -> LiveClient:
        """Another client with a copy of this one's cookies (same signed-in session)."""
        import copy
        import http.cookiejar

        jar = http.cookiejar.CookieJar()
        for cookie in self.jar:
            jar.set_cookie(copy.copy(cookie))
        return LiveClient(self.base_url, jar)


@pytest.fixture
def live_client(live_server):
    """live_client() -> a fresh LiveClient on the live server (no cookies)."""
    return lambda: LiveClient(live_server)
