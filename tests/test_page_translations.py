"""Templates translate with the catalog kept for the request, and still follow every change of language
inside it (an email or PDF rendered in the recipient's language, a profile's language just changed)."""
from __future__ import annotations

from flask import render_template_string

from portal.i18n import force_locale, reset_cached_locale

PAGE = '{{ _("No picture") }} / {% trans sku="A-1" %}SKU {{ sku }}{% endtrans %}'
ENGLISH, DUTCH = "No picture / SKU A-1", "Geen afbeelding / Art.nr. A-1"


def test_a_page_follows_a_change_of_language_within_the_request(app):
    with app.test_request_context():
        assert render_template_string(PAGE) == ENGLISH
        with force_locale("nl"):
            assert render_template_string(PAGE) == DUTCH
            with force_locale("en"):
                assert render_template_string(PAGE) == ENGLISH
            assert render_template_string(PAGE) == DUTCH
        assert render_template_string(PAGE) == ENGLISH
        reset_cached_locale()
        assert render_template_string(PAGE) == ENGLISH
