"""The built-in roles and the default permissions features grant them.

Each feature declares ``grants`` (role name -> its permission keys). Installing or upgrading
(``portal init-db``) gives each built-in role the granted permissions it lacks, exactly once: the
grant is recorded, so a permission staff later take away from a role stays away.
"""
from __future__ import annotations

from sqlalchemy import select

from portal.extensions import db
from portal.features import registry
from portal.models import Role, RoleGrant

BUILTIN_ROLES = {
    "Admin": "Everything, including managing the company's users",
    "Buyer": "Shop, order, request and accept quotes",
    "Viewer": "Look, but not order or pay",
    "Finance": "Invoices, payments and statements",
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
    done = set(db.session.execute(select(RoleGrant.role_name, RoleGrant.permission)).tuples())
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
