"""The branding colours staff pick: a readable palette, served as a stylesheet, and a favicon in them."""
from __future__ import annotations

import re

import pytest

from portal import branding, settings


@pytest.mark.parametrize("colour", ["#0f5e6e", "#d97706", "#1d4ed8", "#ffff00", "#ffffff", "#000000", "#22c55e",
                                    "#f472b6", "#6b7280"])
def test_any_branding_colour_gives_text_that_reads_at_aa(colour):
    colours = branding.palette(colour, colour)
    assert branding.contrast(colours["on-primary"], colours["primary"]) >= branding.AA
    assert branding.contrast(colours["primary-ink"], branding.WHITE) >= branding.AA
    assert colours["primary"] == colour


def test_a_dark_colour_is_used_as_it_is_for_links_and_a_light_one_is_darkened():
    assert branding.ink("#0f5e6e") == "#0f5e6e"
    assert branding.ink("#d97706") != "#d97706"
    assert branding.text_on("#d97706") == branding.DARK and branding.text_on("#0f5e6e") == branding.WHITE


def test_the_stylesheet_carries_the_branding_colours_under_a_url_that_changes_with_them(testapp, db):
    settings.save({"branding.primary_color": "#0f5e6e", "branding.accent_color": "#d97706"})
    page = testapp.get("/login")
    [url] = re.findall(r'href="(/brand\.css\?v=[^"]+)"', page.text)
    css = testapp.get(url)
    assert css.content_type == "text/css"
    assert "--primary: #0f5e6e;" in css.text and "--accent: #d97706;" in css.text
    assert "--on-accent: #111827;" in css.text  # white on that orange would not read
    settings.save({"branding.primary_color": "#1d4ed8"})
    assert url not in testapp.get("/login").text


def test_back_office_pages_use_the_branding_stylesheet(testapp, make, login):
    login(testapp, make.staff())
    html = testapp.get("/admin/").text
    assert re.search(r'href="/brand\.css\?v=', html) and "/static/admin.css" in html
    assert "<style" not in html, "the back office styles come from files, not inline"


def test_the_favicon_is_there_in_the_branding_colours(testapp, db):
    settings.save({"branding.business_name": "Northwind Supply", "branding.primary_color": "#0f5e6e"})
    res = testapp.get("/favicon.ico").follow()
    assert res.status_int == 200 and res.content_type == "image/svg+xml"
    assert 'fill="#0f5e6e"' in res.text and ">N</text>" in res.text
    assert 'rel="icon"' in testapp.get("/login").text
