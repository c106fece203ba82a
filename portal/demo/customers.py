"""Demo companies: 12 customers with contacts and addresses, suppliers, staff, a sales rep, contract prices."""
from __future__ import annotations

import unicodedata
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from portal.demo.catalog import tier_price
from portal.demo.customers_data import (
    CONTRACT_CUSTOMERS,
    CUSTOMERS,
    INVITATION_PENDING,
    NOT_INVITED,
    REP,
    REP_CUSTOMERS,
    SHARED_CONTACT,
    STAFF,
    SUPPLIERS,
    CompanySpec,
)
from portal.demo.logins import PASSWORDS
from portal.demo.world import DemoCustomer, DemoWorld
from portal.extensions import db
from portal.models import (
    Address,
    AddressKind,
    Company,
    ContractPrice,
    InvitationState,
    Membership,
    RepAccess,
    Role,
    TokenPurpose,
    User,
    UserKind,
)
from portal.services import tokens
from portal.services.invitations import INVITATION_TTL
from portal.services.totals import to_cents


def email_for(full_name: str, domain: str) -> str:
    first = unicodedata.normalize("NFKD", full_name.split()[0]).encode("ascii", "ignore").decode().lower()
    return f"{first}@{domain}"


def _user(world: DemoWorld, name: str, email: str, kind: UserKind, **kw) -> User:
    user = User(name=name, email=email, kind=kind, created_dt=world.at(-400), **kw)
    if email in PASSWORDS:
        user.set_password(PASSWORDS[email])
        user.invitation_state = InvitationState.accepted
        user.last_login_dt = world.at(-2, 9, 12)
    return user


def _contact(world: DemoWorld, spec: CompanySpec, full_name: str) -> User:
    """A contact whose invitation state is what the portal would have made it (see INVITATION_PENDING)."""
    user = _user(world, full_name, email_for(full_name, spec.domain), UserKind.contact,
                 phone=f"+31 6 {world.rng.randint(10000000, 99999999)}" if spec.country == "NL" else None)
    if not spec.portal_access or full_name in NOT_INVITED:
        user.portal_access = False
    else:
        user.portal_access = True
        if user.invitation_state != InvitationState.accepted:
            pending = full_name in INVITATION_PENDING
            user.invitation_state = InvitationState.invited if pending else InvitationState.accepted
    return user


def seed_people(world: DemoWorld) -> None:
    roles = {r.name: r for r in db.session.execute(select(Role)).scalars()}
    world.staff = [_user(world, name, email, UserKind.staff) for name, email in STAFF]
    db.session.add_all(world.staff)
    users_by_email: dict[str, User] = {}
    for spec in CUSTOMERS + SUPPLIERS:
        company = _company(world, spec)
        contacts = []
        for full_name, role, job in spec.contacts:
            user = _contact(world, spec, full_name)
            users_by_email[user.email] = user
            company.memberships.append(Membership(user=user, role=roles[role], job_title=job,
                                                  created_dt=company.created_dt))
            contacts.append(user)
        if spec.country != "NL":
            world.reverse_charge.add(spec.code)
        if spec.is_customer:
            buyer = next((u for u, c in zip(contacts, spec.contacts) if c[1] in ("Buyer", "Admin")), contacts[0])
            world.customers.append(DemoCustomer(company, contacts, buyer))
        else:
            world.suppliers.append(company)
    ironbridge = world.customer("C-1009").company
    world.suppliers.append(ironbridge)

    email, code, role, job = SHARED_CONTACT
    shared = users_by_email[email]
    second = world.customer(code)
    second.company.memberships.append(Membership(user=shared, role=roles[role], job_title=job))
    second.contacts.append(shared)

    _open_invitations(world, [u for u in users_by_email.values() if u.invitation_state == InvitationState.invited])

    name, email = REP
    world.rep = _user(world, name, email, UserKind.rep, rep_access=RepAccess.allocated)
    world.rep.allocated_companies.extend(world.customer(code).company for code in REP_CUSTOMERS)
    db.session.add(world.rep)
    db.session.flush()


def _open_invitations(world: DemoWorld, users: list[User]) -> None:
    """Invitations still waiting to be accepted have a live link (the back office shows when it was sent)."""
    db.session.flush()
    for user in users:
        company = next(m.company for m in user.memberships if m.company.portal_access)
        tokens.issue(TokenPurpose.invitation, user=user, company=company, ttl=INVITATION_TTL,
                     created_by=world.staff[0])


def _company(world: DemoWorld, spec: CompanySpec) -> Company:
    company = Company(
        code=spec.code, name=spec.name, is_customer=spec.is_customer, is_supplier=spec.is_supplier,
        portal_access=spec.portal_access, email=f"info@{spec.domain}",
        phone=f"+{32 if spec.country == 'BE' else 48 if spec.country == 'PL' else 31} "
              f"{world.rng.randint(10, 99)} {world.rng.randint(100, 999)} {world.rng.randint(1000, 9999)}",
        tax_number=_tax_number(world, spec.country), currency="EUR", credit_limit=Decimal(spec.credit_limit),
        payment_terms_days=spec.terms, price_tier=world.tiers[spec.tier] if spec.tier else None,
        discount_percent=Decimal(spec.discount), created_dt=world.at(-world.rng.randint(400, 1500)),
    )
    company.addresses.append(Address(kind=AddressKind.billing, label="Head office", recipient="Accounts payable",
                                     line1=spec.street, city=spec.city, postcode=spec.postcode,
                                     country=spec.country, is_default=True))
    company.addresses.append(Address(kind=AddressKind.shipping, label="Head office", recipient=spec.name,
                                     line1=spec.street, city=spec.city, postcode=spec.postcode,
                                     country=spec.country, is_default=True))
    for label, street, postcode, city in spec.sites:
        company.addresses.append(Address(kind=AddressKind.shipping, label=label, recipient=spec.name, line1=street,
                                         city=city, postcode=postcode, country=spec.country))
    db.session.add(company)
    return company


def _tax_number(world: DemoWorld, country: str) -> str:
    digits = "".join(str(world.rng.randint(0, 9)) for _ in range(9))
    return {"NL": f"NL{digits}B01", "BE": f"BE0{digits}", "PL": f"PL{digits}0"}[country]


def seed_contract_prices(world: DemoWorld) -> None:
    """Agreed prices: about 22% under Standard, for a year (one customer's without an end date)."""
    standard = world.tiers["STD"]
    for code, count in CONTRACT_CUSTOMERS:
        company = world.customer(code).company
        for product in world.pick_products(count):
            price = to_cents(tier_price(world, product, standard) * Decimal("0.78"))
            world.contract_prices[(code, product.sku)] = price
            db.session.add(ContractPrice(
                company=company, product=product, price=price, currency="EUR", valid_from=world.day(-60),
                valid_until=None if code == "C-1004" else world.day(-60) + timedelta(days=365),
            ))
