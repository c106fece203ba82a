"""A company's address book: billing and shipping addresses, one default per kind."""
from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, or_, select, update

from portal.extensions import db
from portal.models import Address, AddressKind, Company, SalesOrder
from portal.services import audit
from portal.services.actor import Actor

_COUNTRY = re.compile(r"^[A-Z]{2}$")


class AddressError(ValueError):
    """A rule of the address book was broken; the message is shown to the user."""


@dataclass
class AddressData:
    kind: str
    line1: str
    city: str
    label: str = ""
    recipient: str = ""
    line2: str = ""
    postcode: str = ""
    country: str = "NL"
    is_default: bool = False


#: an address in the book (archived ones are kept only for the orders that used them)
IN_BOOK = Address.is_archived.is_(False)


def book_query():
    """The address book query, grouped by kind, defaults first; the caller limits it to a company."""
    return select(Address).where(IN_BOOK).order_by(Address.kind, Address.is_default.desc(), Address.label,
                                                   Address.id)


def addresses_of(company: Company) -> list[Address]:
    return list(db.session.execute(book_query().where(Address.company_id == company.id)).scalars())


def default_address(company_id: int, kind: AddressKind) -> Address | None:
    return db.session.execute(
        select(Address).where(Address.company_id == company_id, Address.kind == kind, Address.is_default.is_(True),
                              IN_BOOK)
    ).scalars().first()


def _clean(data: AddressData) -> dict:
    try:
        kind = AddressKind(data.kind)
    except ValueError:
        raise AddressError(_("Choose billing or shipping.")) from None
    values = {
        "kind": kind,
        "label": (data.label or "").strip(),
        "recipient": (data.recipient or "").strip() or None,
        "line1": (data.line1 or "").strip(),
        "line2": (data.line2 or "").strip() or None,
        "city": (data.city or "").strip(),
        "postcode": (data.postcode or "").strip().upper(),
        "country": (data.country or "").strip().upper(),
    }
    if not values["line1"]:
        raise AddressError(_("Enter the street and number."))
    if not values["city"]:
        raise AddressError(_("Enter the city."))
    if not _COUNTRY.match(values["country"]):
        raise AddressError(_("Enter the country as a two-letter code, e.g. NL or DE."))
    return values


def check(data: AddressData) -> None:
    """AddressError when the address would not be accepted into the book (checkout checks a new one early)."""
    _clean(data)


def _make_only_default(address: Address) -> None:
    """Clear the other defaults of the same kind in the same company, then mark this one."""
    db.session.execute(
        update(Address).where(Address.company_id == address.company_id, Address.kind == address.kind,
                              Address.id != address.id, Address.is_default.is_(True))
        .values(is_default=False).execution_options(synchronize_session="fetch")
    )
    address.is_default = True


def add(company: Company, data: AddressData, *, by: Actor) -> Address:
    """Add an address; the first of its kind becomes the default."""
    values = _clean(data)
    address = Address(company_id=company.id, is_default=False, **values)
    db.session.add(address)
    db.session.flush()
    if data.is_default or default_address(company.id, values["kind"]) is None:
        _make_only_default(address)
    audit.record("address.added", address, actor=by, kind=address.kind.value, label=address.label)
    return address


def update_address(address: Address, data: AddressData, *, by: Actor) -> Address:
    """Change an address; changing its kind moves it to the other list (not as default there).

    An address that orders used is not changed under them: it is archived as it was and the
    edited address takes its place in the book (returned)."""
    values = _clean(data)
    if orders_using(address) and any(getattr(address, k) != v for k, v in values.items()):
        address = _replace_for_editing(address, by)
    was_default, old_kind = address.is_default, address.kind
    changed = sorted(k for k, v in values.items() if getattr(address, k) != v)
    for key, value in values.items():
        setattr(address, key, value)
    if values["kind"] != old_kind:
        address.is_default = False
        db.session.flush()
        if was_default:
            _promote_replacement(address.company_id, old_kind, exclude=address.id)
        if default_address(address.company_id, address.kind) is None:
            _make_only_default(address)
    if data.is_default and not address.is_default:
        _make_only_default(address)
        changed.append("is_default")
    db.session.flush()
    if changed:
        audit.record("address.updated", address, actor=by, fields=",".join(changed))
    return address


def _replace_for_editing(address: Address, by: Actor) -> Address:
    """Archive an address orders refer to and put a copy in its place (same default status)."""
    copy = Address(company_id=address.company_id, is_default=address.is_default,
                   **{k: getattr(address, k) for k in ("kind", "label", "recipient", "line1", "line2", "city",
                                                       "postcode", "country")})
    address.is_default, address.is_archived = False, True
    db.session.add(copy)
    db.session.flush()
    audit.record("address.archived", address, actor=by, replaced_by=copy.id, reason="edited while on orders")
    return copy


def set_default(address: Address, *, by: Actor) -> None:
    _make_only_default(address)
    audit.record("address.default_set", address, actor=by, kind=address.kind.value)


def orders_using(address: Address) -> int:
    return db.session.execute(
        select(func.count(SalesOrder.id)).where(
            or_(SalesOrder.shipping_address_id == address.id, SalesOrder.billing_address_id == address.id))
    ).scalar_one()


def delete(address: Address, *, by: Actor) -> Address | None:
    """Take an address out of the book; returns the address that became the default in its place.

    An address on orders is archived, not deleted: the orders still show where they were shipped
    and billed.
    """
    company_id, kind, was_default = address.company_id, address.kind, address.is_default
    if orders_using(address):
        address.is_default, address.is_archived = False, True
        audit.record("address.archived", address, actor=by, kind=kind.value, label=address.label, line1=address.line1)
    else:
        audit.record("address.deleted", address, actor=by, kind=kind.value, label=address.label, line1=address.line1)
        db.session.delete(address)
    db.session.flush()
    return _promote_replacement(company_id, kind) if was_default else None


def _promote_replacement(company_id: int, kind: AddressKind, exclude: int | None = None) -> Address | None:
    query = select(Address).where(Address.company_id == company_id, Address.kind == kind, IN_BOOK).order_by(Address.id)
    if exclude is not None:
        query = query.where(Address.id != exclude)
    replacement = db.session.execute(query).scalars().first()
    if replacement is not None:
        _make_only_default(replacement)
    return replacement
