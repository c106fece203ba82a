"""The built-in roles and the default permissions features grant them.

Each feature declares ``grants`` (role name -> its permission keys). Installing or upgrading
(``portal init-db``) gives each built-in role the granted permissions it lacks, exactly once: the
grant is recorded, so a permission staff later take away from a role stays away.
"""
from __future__ import annotations

from flask_babel import gettext
from sqlalchemy import select

from portal import settings
from portal.extensions import db
from portal.features import registry
from portal.models import Company, Role, RoleGrant

#: who each built-in role is for; what it may do follows its permissions (see abilities())
BUILTIN_ROLES = {
    "Admin": "Everything, including managing the company's users",
    "Buyer": "Colleagues who buy for the company",
    "Viewer": "Colleagues who only look: they change nothing",
    "Finance": "Colleagues who handle invoices and payments",
}


def seed_roles() -> list[str]:
    """Create the built-in roles that are missing, then apply pending grants; caller commits.

    Returns the names of the roles created.
    """
    existing = {r.name: r for r in db.session.execute(select(Role).where(Role.name.in_(BUILTIN_ROLES))).scalars()}
    created = []
    for name, description in BUILTIN_ROLES.items():
        if name not in existing:
            db.session.add(Role(name=name, description=description, is_builtin=True,
                                all_permissions=name == "Admin", permissions=[]))
            created.append(name)
    db.session.flush()
    apply_grants()
    return created


def apply_grants() -> list[tuple[str, str]]:
    """Give built-in roles the declared default permissions not granted before; returns (role, permission)."""
    done = {tuple(row) for row in db.session.execute(select(RoleGrant.role_name, RoleGrant.permission))}
    roles = {r.name: r for r in db.session.execute(select(Role).where(Role.is_builtin.is_(True))).scalars()}
    applied = []
    for feature_key, role_name, permission in registry().grants():
        role = roles.get(role_name)
        if role is None or (role_name, permission) in done:
            continue
        if not role.all_permissions and permission not in (role.permissions or []):
            role.permissions = [*(role.permissions or []), permission]  # a new list: the JSON column sees it
        db.session.add(RoleGrant(role_name=role_name, permission=permission, feature=feature_key))
        done.add((role_name, permission))
        applied.append((role_name, permission))
    db.session.flush()
    return applied


def listed() -> list[Role]:
    """Every role, by name (the choices customers' admins pick from)."""
    return list(db.session.execute(select(Role).order_by(Role.name)).scalars())


def abilities(role: Role, company: Company | None = None) -> list[str]:
    """What contacts with this role may do now, in the reader's language: the wording of its permissions, for
    the core and the enabled features for this kind of company (customer, supplier) only — never what is
    switched off."""
    enabled = settings.enabled_features()
    audiences = {"customer", "supplier"} if company is None else (
        {"customer"} if company.is_customer else set()) | ({"supplier"} if company.is_supplier else set())
    granted = None if role.all_permissions else set(role.permissions or [])
    return [gettext(label) for feature in registry()
            if enabled.get(feature.key) and (feature.always_on or feature.audience in audiences)
            for key, label in feature.permissions.items() if granted is None or key in granted]
