"""The one PDF renderer (WeasyPrint): a document template under templates/pdf/ -> branded PDF bytes.

Every document kind (quotes, receipts and statements today; orders, invoices, credit notes and delivery
notes later) extends ``pdf/base.html`` and shares ``pdf/base.css``. Nothing is fetched from the
network: fonts are the system's (fontconfig), the logo is read from upload storage. What does not change
between documents is kept: the font configuration, and the stylesheet per branding palette.
"""
from __future__ import annotations

import mimetypes
import re
from functools import lru_cache
from typing import TYPE_CHECKING

from flask import current_app, render_template
from flask_babel import gettext

from portal import settings
from portal.services import storage
from portal.web import brand_palette

if TYPE_CHECKING:
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

#: the only URL a document may load: the logo, by this name
LOGO_URL = "portal-logo:"
#: stand-ins for the page counters in the translated footer text
_PAGE, _PAGES = "\x00", "\x01"


@lru_cache(maxsize=1)
def _weasyprint():
    """WeasyPrint, imported on the first document: it costs ~0.9 s (a third of the app's import time),
    which every process start (web workers, the `portal` command, the outbox worker) paid up front."""
    import weasyprint  # noqa: PLC0415
    import weasyprint.text.fonts  # noqa: PLC0415

    return weasyprint


@lru_cache(maxsize=1)
def _fonts() -> FontConfiguration:
    return _weasyprint().text.fonts.FontConfiguration()


def _css_string(text: str) -> str:
    return '"' + "".join(c if c.isalnum() or c in " .,&-'" else f"\\{ord(c):x} " for c in text) + '"'


def _page_of_pages() -> str:
    """The footer's "Page 1 of 3" in the active language, as CSS content (texts and page counters)."""
    text = gettext("Page %(page)s of %(pages)s", page=_PAGE, pages=_PAGES)
    counters = {_PAGE: "counter(page)", _PAGES: "counter(pages)"}
    return " ".join(counters.get(piece) or _css_string(piece) for piece in re.split(f"({_PAGE}|{_PAGES})", text)
                    if piece)


@lru_cache(maxsize=8)
def _stylesheet(palette: tuple[tuple[str, str], ...], business_name: str, page_of_pages: str) -> CSS:
    """Parsed once per branding (colours and name) and language, not per document."""
    css = render_template("pdf/base.css", colors=dict(palette), business_name=_css_string(business_name),
                          page_of_pages=page_of_pages)
    return _weasyprint().CSS(string=css, font_config=_fonts())


def _local_only(url: str) -> dict:
    """Documents load nothing but the uploaded logo (no network, no file paths from templates)."""
    if url == LOGO_URL:
        path = storage.path_of(current_app._get_current_object(), settings.get("branding.logo_path"))
        if path is not None:
            return {"string": path.read_bytes(), "mime_type": mimetypes.guess_type(path.name)[0] or "image/png"}
    raise ValueError(f"documents load no external resources: {url[:40]!r}")


def has_logo() -> bool:
    return storage.path_of(current_app._get_current_object(), settings.get("branding.logo_path")) is not None


def render(template: str, **context) -> bytes:
    """Render ``pdf/<template>.html`` (which extends pdf/base.html) to PDF bytes."""
    html = render_template(f"pdf/{template}.html", logo_url=LOGO_URL if has_logo() else "", **context)
    stylesheet = _stylesheet(tuple(sorted(brand_palette().items())), settings.get("branding.business_name") or "",
                             _page_of_pages())
    return _weasyprint().HTML(string=html, url_fetcher=_local_only, base_url="/").write_pdf(
        stylesheets=[stylesheet], font_config=_fonts())
