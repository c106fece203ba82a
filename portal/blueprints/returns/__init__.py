"""Returns: customers request returns of delivered goods (lines, quantities, reasons, photos) and follow them
to the credit note; staff approve with a printable return slip, reject, mark received and credit.

The rules are portal.services.returns (what may come back, the window) and
portal.services.return_handling (the staff steps and their order).
"""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

from portal.admin_views.returns import return_views
from portal.blueprints.returns.blocks import open_returns
from portal.blueprints.returns.isolation import make_attachment, make_return
from portal.contract import ActivityKind, Block, EmailKind, Feature, NavEntry, NumberKind, SettingSpec
from portal.i18n import N_

bp = Blueprint("returns", __name__)

_STATUS = ("recipient_name", "return_number", "order_number", "link")

feature = Feature(
    key="returns",
    label="Returns",
    description="Customers request returns of delivered goods and follow them until they are credited",
    summary=_l("return delivered goods"),
    blueprint=bp,
    url_prefix="/returns",
    requires=frozenset({"orders"}),
    nav=(NavEntry("returns.index", _l("Returns"), permission="returns.view"),),
    permissions={"returns.view": N_("See the company's return requests"),
                 "returns.request": N_("Request returns of delivered goods")},
    grants={"Admin": {"returns.view", "returns.request"}, "Buyer": {"returns.view", "returns.request"},
            "Viewer": {"returns.view"}, "Finance": {"returns.view"}},
    settings={"window_days": SettingSpec(30, "Return window (days after delivery)", type="int", minimum=0,
                                         maximum=3650,
                                         help="Customers can request a return until this many days after the "
                                              "order was delivered")},
    admin_views=return_views,
    dashboard=(Block("returns/_open_returns.html", open_returns, permission="returns.view", area="stats"),),
    numbers={"return_request": NumberKind("RMA")},
    # No preference: each is the answer to a request the customer made.
    notices={"return_approved": N_("Return approved"), "return_rejected": N_("Return rejected"),
             "return_credited": N_("Return credited")},
    emails={
        "return_requested": EmailKind("Return request received", "returns/email/requested", placeholders=_STATUS),
        "return_approved": EmailKind("Return approved, with instructions", "returns/email/approved",
                                     placeholders=(*_STATUS, "message")),
        "return_rejected": EmailKind("Return rejected, with the reason", "returns/email/rejected",
                                     placeholders=(*_STATUS, "message")),
        "return_received": EmailKind("Returned goods received", "returns/email/received", placeholders=_STATUS),
        "return_credited": EmailKind("Return credited", "returns/email/credited",
                                     placeholders=(*_STATUS, "credit_note_number")),
    },
    events={"return_requested": "A customer requested a return"},
    isolation={"return_id": make_return, "return_file_id": make_attachment},
    activity={
        "return_requested": ActivityKind(_l("Requested a return"), page="admin_return_request.handle"),
        # staff handling a return is not the customer's activity
        **{f"return_{action}": ActivityKind(label, customer=False, page="admin_return_request.handle")
           for action, label in (("approved", _l("Staff approved a return")),
                                 ("rejected", _l("Staff rejected a return")),
                                 ("received", _l("Staff received returned goods")),
                                 ("credited", _l("Staff credited a return")))},
    },
)

from portal.blueprints.returns import views  # noqa: F401
