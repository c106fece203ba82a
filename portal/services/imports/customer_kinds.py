"""Import kinds of the customers: companies (portal access, credit, terms, tier, discount, reps) and their
contacts (one line per contact and company, with the role there).

Switching a company's or a contact's portal access goes through the portal access service, so an
import signs people out and audits exactly as the back-office forms do.
"""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from portal.extensions import db
from portal.models import Company, Membership, PriceTier, Role, User, UserKind, rep_allocation
from portal.services import portal_access
from portal.services.imports import cells
from portal.services.imports.framework import CREATE, Column, Kind, full_values, ids_by, rows_where

COMPANY_FIELDS = ("code", "name", "is_customer", "is_supplier", "portal_access", "email", "phone", "tax_number",
                  "currency", "credit_limit", "payment_terms_days", "price_tier", "discount_percent")


class Companies(Kind):
    key, label, noun, noun_one = "companies", "Customer companies", "companies", "company"
    columns = (
        Column("code", cells.text(30), required=True, example="C-1001"),
        Column("name", cells.text(160), needed_to_create=True, example="ACME Tools B.V."),
        Column("is_customer", cells.boolean(default=True), example="yes"),
        Column("is_supplier", cells.boolean(default=False), example="no"),
        Column("portal_access", cells.boolean(default=False), example="yes",
               help="Allow customer portal. Switching it off signs out contacts with no other company."),
        Column("email", cells.email(), example="orders@acme.example"),
        Column("phone", cells.text(40), example="+31 20 555 0100"),
        Column("tax_number", cells.text(40), example="NL001234567B01"),
        Column("currency", cells.currency(), example="EUR"),
        Column("credit_limit", cells.decimal(2, default=Decimal("0.00")), example="5000"),
        Column("payment_terms_days", cells.integer(maximum=365, default=30), example="30"),
        Column("price_tier", cells.text(30), example="TRADE", help="A price tier code; empty: the default tier."),
        Column("discount_percent", cells.decimal(2, maximum=Decimal(100), default=Decimal("0.00")), example="2.5"),
        Column("sales_reps", cells.code_list(254, lower=True), example="",
               help="Allocated sales reps' emails, separated by commas."),
    )
    natural_key = ("code",)

    def _query(self):
        return (select(Company.id, Company.code, Company.name, Company.is_customer, Company.is_supplier,
                       Company.portal_access, Company.email, Company.phone, Company.tax_number, Company.currency,
                       Company.credit_limit, Company.payment_terms_days, PriceTier.code, Company.discount_percent)
                .outerjoin(PriceTier, PriceTier.id == Company.price_tier_id))

    def _reps(self, company_ids) -> dict[int, set[str]]:
        found: dict[int, set[str]] = {}
        query = select(rep_allocation.c.company_id, User.email).join(User, User.id == rep_allocation.c.user_id)
        for company_id, email in rows_where(query, rep_allocation.c.company_id, company_ids):
            found.setdefault(company_id, set()).add(email)
        return found

    def _rows(self, rows) -> dict:
        reps = self._reps([r[0] for r in rows])
        return {(r[1],): (r[0], {**dict(zip(COMPANY_FIELDS, r[1:], strict=True)),
                                 "sales_reps": frozenset(reps.get(r[0], ()))}) for r in rows}

    def existing(self, keys):
        return self._rows(rows_where(self._query(), Company.code, [k[0] for k in keys]))

    def context(self, lines):
        emails = {e for ln in lines for e in ln.values.get("sales_reps") or ()}
        reps = {row[0]: row for row in rows_where(select(User.email, User.id, User.kind), User.email, emails)}
        return {"tiers": ids_by(PriceTier.code, PriceTier.id, [ln.values.get("price_tier") for ln in lines]),
                "reps": reps}

    def check(self, line, ctx):
        tier = line.values.get("price_tier")
        if tier and tier not in ctx["tiers"]:
            line.error(f"price tier {tier} unknown in {self.noun}")
        for email in sorted(line.values.get("sales_reps") or ()):
            rep = ctx["reps"].get(email)
            if rep is None:
                line.error(f"sales rep {email} unknown in {self.noun}")
            elif rep[2] != UserKind.rep:
                line.error(f"{email} is not a sales rep")

    def write(self, lines, ctx, actor):
        companies = {c.id: c for c in db.session.execute(
            select(Company).where(Company.id.in_([ln.id for ln in lines if ln.id]))).scalars()} if lines else {}
        for line in lines:
            if line.action == CREATE:
                company = Company()
                db.session.add(company)
                values = full_values(self, line)
            else:
                company = companies[line.id]
                values = {k: v for k, (_, v) in line.changes.items()}
            for name, value in values.items():
                if name == "price_tier":
                    company.price_tier_id = ctx["tiers"].get(value) if value else None
                elif name == "sales_reps":
                    ids = [ctx["reps"][e][1] for e in sorted(value)]
                    company.sales_reps = list(db.session.execute(select(User).where(User.id.in_(ids))).scalars())
                elif name == "portal_access" and line.action != CREATE:
                    portal_access.set_company_access(company, value, actor)
                else:
                    setattr(company, name, value)
        db.session.flush()

    def export(self):
        rows = db.session.execute(self._query().order_by(Company.code)).all()
        for _id, values in self._rows(rows).values():
            yield values


# --- contacts --------------------------------------------------------------------------------------

USER_FIELDS = ("name", "phone", "portal_access")


class Contacts(Kind):
    key, label, noun, noun_one = "contacts", "Contacts", "contacts", "contact"
    columns = (
        Column("email", cells.email(), required=True, example="anna@acme.example"),
        Column("company", cells.text(30), required=True, example="C-1001", help="The company's code."),
        Column("name", cells.text(120), needed_to_create=True, example="Anna de Vries"),
        Column("phone", cells.text(40), example="+31 6 5555 0101"),
        Column("role", cells.text(60, default="Buyer"), example="Buyer",
               help="The contact's role in this company: Admin, Buyer, Viewer, Finance or one of your own."),
        Column("job_title", cells.text(120), example="Purchasing manager"),
        Column("active", cells.boolean(default=True), example="yes", help="no: the contact left this company."),
        Column("portal_access", cells.boolean(default=False), example="yes",
               help="May sign in (the company needs portal access too)."),
    )
    natural_key = ("email", "company")

    def _query(self):
        return (select(Membership.id, User.email, Company.code, User.name, User.phone, Role.name, Membership.job_title,
                       Membership.is_active, User.portal_access)
                .join(User, User.id == Membership.user_id).join(Company, Company.id == Membership.company_id)
                .join(Role, Role.id == Membership.role_id))

    def _values(self, row) -> dict:
        names = ("email", "company", "name", "phone", "role", "job_title", "active", "portal_access")
        return dict(zip(names, row[1:], strict=True))

    def existing(self, keys):
        rows = rows_where(self._query().where(User.kind == UserKind.contact), User.email, [k[0] for k in keys])
        return {(r[1], r[2]): (r[0], self._values(r)) for r in rows}

    def context(self, lines):
        emails = [ln.key[0] for ln in lines if ln.key]
        users = {r[0]: r for r in rows_where(select(User.email, User.id, User.kind), User.email, emails)}
        with_access = {}
        query = (select(User.email, Company.code).join(Membership, Membership.user_id == User.id)
                 .join(Company, Company.id == Membership.company_id)
                 .where(Membership.is_active.is_(True), Company.portal_access.is_(True)))
        for email, code in rows_where(query, User.email, emails):
            with_access.setdefault(email, set()).add(code)
        companies = {r[0]: r for r in rows_where(select(Company.code, Company.id, Company.portal_access),
                                                 Company.code, [ln.key[1] for ln in lines if ln.key])}
        roles = {name.lower(): (name, rid) for rid, name in db.session.execute(select(Role.id, Role.name))}
        file_access: dict[str, set] = {}
        for line in lines:
            company = companies.get(line.key[1]) if line.key else None
            if company is not None and company[2] and line.values.get("active", True):
                file_access.setdefault(line.key[0], set()).add(line.key[1])
        return {"users": users, "with_access": with_access, "file_access": file_access, "companies": companies,
                "roles": roles, "people": {}}

    def check(self, line, ctx):
        email, code = line.key
        user = ctx["users"].get(email)
        if user is not None and user[2] != UserKind.contact:
            line.error(f"{email} belongs to a {'staff member' if user[2] == UserKind.staff else 'sales rep'}, "
                       "not a customer contact")
        company = ctx["companies"].get(code)
        if company is None:
            line.error(f"company {code} unknown in {self.noun}")
        role = line.values.get("role")
        if role is not None and role.lower() not in ctx["roles"]:
            line.error(f"role {role} unknown in {self.noun}")
        elif role is not None:
            line.values["role"] = ctx["roles"][role.lower()][0]
            if line.old.get("role") == line.values["role"]:
                line.changes.pop("role", None)
        person = {k: line.values[k] for k in USER_FIELDS if k in line.values}
        first = ctx["people"].setdefault(email, (line.number, person))
        for name, value in person.items():
            if name in first[1] and first[1][name] != value:
                line.error(f"{name} of {email} differs from line {first[0]}")
        if line.values.get("portal_access") and company is not None:
            through = {code} if company[2] and line.values.get("active", True) else set()
            stored = ctx["with_access"].get(email, set()) - {code}
            if not (through or stored or ctx["file_access"].get(email)):
                line.error(f"{email} cannot have portal access: company {code} does not have customer portal access")

    def write(self, lines, ctx, actor):
        users = {u.email: u for u in db.session.execute(
            select(User).where(User.email.in_(list({ln.key[0] for ln in lines})))).scalars()} if lines else {}
        memberships = {m.id: m for m in db.session.execute(
            select(Membership).where(Membership.id.in_([ln.id for ln in lines if ln.id]))).scalars()} if lines else {}
        access: dict[str, bool] = {}
        for line in lines:
            email, code = line.key
            user = users.get(email)
            values = line.values if user is not None else full_values(self, line)
            if user is None:
                user = users[email] = User(email=email, kind=UserKind.contact, name=values["name"], portal_access=False)
                db.session.add(user)
            for name in ("name", "phone"):
                if name in values:
                    setattr(user, name, values[name])
            if "portal_access" in values:
                access[email] = values["portal_access"]
            membership = memberships.get(line.id) if line.id else None
            if membership is None:
                membership = Membership(user=user, company_id=ctx["companies"][code][1])
                db.session.add(membership)
                values = full_values(self, line)
            ended = membership.is_active is not False and values.get("active") is False and line.action != CREATE
            if "role" in values:
                membership.role_id = ctx["roles"][values["role"].lower()][1]
            if "job_title" in values:
                membership.job_title = values["job_title"]
            if "active" in values:
                membership.is_active = values["active"]
            if ended:
                db.session.flush()
                portal_access.membership_ended(user, membership.company, actor)
        db.session.flush()
        for email, wanted in access.items():
            if bool(users[email].portal_access) != wanted:
                portal_access.set_contact_access(users[email], wanted, actor)
        db.session.flush()

    def export(self):
        query = self._query().where(User.kind == UserKind.contact).order_by(User.email, Company.code)
        for row in db.session.execute(query):
            yield self._values(row)
