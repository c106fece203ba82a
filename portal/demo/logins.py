"""The demo's sign-ins: known passwords, printed by `portal demo`, restored on every start."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import User

CUSTOMER_PASSWORD = "northwind-demo"
STAFF_PASSWORD = "northwind-admin"


@dataclass(frozen=True)
class DemoLogin:
    who: str
    email: str
    password: str
    sees: str


DEMO_LOGINS = [
    DemoLogin("Staff (back office)", "admin@northwind.example", STAFF_PASSWORD,
              "/admin: every company, document, setting and feature toggle"),
    DemoLogin("Customer admin", "anna@acme.example", CUSTOMER_PASSWORD,
              "Acme Hardware (Admin); also buys for Brightline Interiors"),
    DemoLogin("Sales rep", "sofia@northwind.example", CUSTOMER_PASSWORD,
              "orders on behalf of 4 allocated customers"),
    DemoLogin("Supplier", "tomasz@balticfasteners.example", CUSTOMER_PASSWORD,
              "Baltic Fastener Works: purchase orders and bills"),
]

PASSWORDS = {login.email: login.password for login in DEMO_LOGINS}


def ensure_demo_logins() -> list[DemoLogin]:
    """Give the demo users their known passwords back; returns the logins that exist. Caller commits.

    Users are never created here: a database that was not seeded with the demo gets no
    accounts with published passwords.
    """
    found = []
    for login in DEMO_LOGINS:
        user = db.session.execute(select(User).where(func.lower(User.email) == login.email)).scalar_one_or_none()
        if user is None:
            continue
        if not user.check_password(login.password):
            user.set_password(login.password)
        user.is_active_flag = True
        if user.is_contact:
            user.portal_access = True
        found.append(login)
    return found


def format_logins(logins: list[DemoLogin]) -> str:
    width = max(len(login.email) for login in logins)
    lines = []
    for login in logins:
        lines.append(f"  {login.who:<20} {login.email:<{width}}  {login.password:<16} {login.sees}")
    return "\n".join(lines)
