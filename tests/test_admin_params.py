"""Issue 7 item 21: malformed back-office URLs answer 400 or 404, never a server error.

A sweep over every registered admin screen: bad values for each of its list filters, bad paging and
sorting, bad record ids on the edit and details pages.
"""
from __future__ import annotations

from urllib.parse import urlencode

import pytest
from flask_admin.model import BaseModelView

#: not a record id: two ids, words, signs, decimals, non-ASCII digits, too large for the database
BAD_IDS = ["1,2", "abc", "-1", "1.5", "²", "٣", "0x1", "9" * 30, str(2**31), str(2**63), ""]
#: not a page, page size, sort column or direction
BAD_NUMBERS = ["abc", "-1", "1.5", "9" * 30, "²", "1,2"]
#: values no filter of ours takes in a well-formed URL (enum codes, ids, dates, numbers)
BAD_FILTER_VALUES = ["no-such-value", "1,2,abc", "9" * 30, "2026-13-45", "1e999"]


def model_views(app) -> list[BaseModelView]:
    views = [v for v in app.extensions["portal_admin"]._views if isinstance(v, BaseModelView)]
    assert len(views) > 20
    return views


def get(client, url):
    return client.get(url, expect_errors=True)


@pytest.fixture
def backoffice(db, admin, make):
    make.contact(make.company(), role="Admin")
    return admin


def test_unknown_enum_value_in_a_status_filter_is_400(app, backoffice):
    """The reported case: Flask-Admin's EnumFilterInList.clean raised KeyError (a 500)."""
    checked = 0
    for view in model_views(app):
        for arg, (_idx, flt) in (view._filter_args or {}).items():
            if type(flt).__name__.startswith("EnumFilter"):
                res = get(backoffice, f"{view.url}/?{urlencode({f'flt0_{arg}': 'no-such-status'})}")
                assert res.status_int == 400, f"{view.endpoint} {arg}: {res.status_int}"
                checked += 1
    assert checked >= 6


#: the filter test runs in this many parts, each every FILTER_PARTS-th screen, so parallel workers share it
FILTER_PARTS = 3


@pytest.mark.parametrize("part", range(FILTER_PARTS))
def test_every_filter_answers_bad_values_with_400_never_500(app, backoffice, part):
    failures = []
    for view in model_views(app)[part::FILTER_PARTS]:
        for arg, (_idx, flt) in (view._filter_args or {}).items():
            for value in BAD_FILTER_VALUES:
                for path in ("/", "/export/csv/") if view.can_export else ("/",):
                    url = f"{view.url}{path}?{urlencode({f'flt0_{arg}': value})}"
                    res = get(backoffice, url)
                    if res.status_int >= 500 or res.status_int not in (200, 400):
                        failures.append(f"{url}: {res.status_int}")
                    elif res.status_int == 200 and _rejected(flt, value):
                        failures.append(f"{url}: 200 for a value the filter rejects (should be 400)")
    assert not failures, "\n".join(failures)


def _rejected(flt, value) -> bool:
    try:
        return not flt.validate(value) or flt.clean(value) is None
    except (KeyError, ValueError, TypeError, ArithmeticError):
        return True


def test_an_unknown_filter_is_400(app, backoffice):
    for view in model_views(app):
        res = get(backoffice, f"{view.url}/?flt0_no_such_filter=1")
        assert res.status_int == 400, view.endpoint


@pytest.mark.parametrize("param", ["page", "page_size", "sort", "desc"])
def test_bad_paging_and_sorting_is_400(app, backoffice, param):
    failures = []
    for view in model_views(app):
        for value in BAD_NUMBERS:
            url = f"{view.url}/?{urlencode({param: value})}"
            res = get(backoffice, url)
            if res.status_int != 400:
                failures.append(f"{url}: {res.status_int}")
    assert not failures, "\n".join(failures)


def test_a_sort_column_direction_or_page_size_the_list_does_not_offer_is_400(app, backoffice):
    failures = []
    for view in model_views(app):
        for query in (f"sort={len(view._list_columns)}", "desc=2", "page_size=7", "page_size=0"):
            res = get(backoffice, f"{view.url}/?{query}")
            if res.status_int != 400:
                failures.append(f"{view.url}/?{query}: {res.status_int}")
    assert not failures, "\n".join(failures)


def test_good_paging_and_sorting_still_work(app, backoffice):
    for view in model_views(app):
        size = view.page_size_options[0]
        res = get(backoffice, f"{view.url}/?page=0&page_size={size}&sort=0&desc=1")
        assert res.status_int == 200, view.endpoint
        res = get(backoffice, f"{view.url}/?page=5")
        assert res.status_int == 200, view.endpoint


@pytest.mark.parametrize("page", ["edit", "details"])
def test_a_malformed_record_id_is_404(app, backoffice, page):
    failures = []
    for view in model_views(app):
        if not (view.can_edit if page == "edit" else view.can_view_details):
            continue
        for bad in BAD_IDS:
            url = f"{view.url}/{page}/?{urlencode({'id': bad})}"
            res = get(backoffice, url)
            if res.status_int not in (400, 404):
                failures.append(f"{url}: {res.status_int}")
    assert not failures, "\n".join(failures)


def test_a_well_formed_id_of_a_missing_record_says_so(app, backoffice):
    view = next(v for v in model_views(app) if v.endpoint == "admin_company")
    res = get(backoffice, f"{view.url}/edit/?id=999999")
    assert res.status_int == 302
    assert "Record does not exist" in res.follow().text


def test_malformed_row_ids_in_a_list_action_are_400(app, db, backoffice):
    """The list's bulk actions (delete and the screens' own) post the ticked row ids."""
    token = backoffice.get("/admin/settings/").forms["settings"]["csrf_token"].value
    failures = []
    for view in model_views(app):
        for action in view._actions_data:
            for bad in BAD_IDS:
                res = backoffice.post(f"{view.url}/action/", {"csrf_token": token, "action": action,
                                                               "rowid": bad}, expect_errors=True)
                if res.status_int != 400:
                    failures.append(f"{view.endpoint} {action} rowid={bad!r}: {res.status_int}")
    assert not failures, "\n".join(failures[:40])
