"""Setting up an instance: reference rows every database needs, and the first staff user."""
from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import PriceTier, User, UserKind
from portal.services import passwords, roles

DEFAULT_TIER = {"code": "STD", "name": "Standard"}


class SetupError(ValueError):
    """A refused setup step; the message is meant for the person at the terminal."""


def seed_reference_data() -> list[str]:
    """Create built-in roles (with the features' pending default grants) and a default price tier
    when missing (idempotent); caller commits.

    Returns what was created, for the command to report.
    """
    created = [f"role {name}" for name in roles.seed_roles()]
    has_default = db.session.execute(select(PriceTier.id).where(PriceTier.is_default.is_(True))).first()
    if has_default is None:
        tier = db.session.execute(select(PriceTier).filter_by(code=DEFAULT_TIER["code"])).scalar_one_or_none()
        if tier is None:
            db.session.add(PriceTier(is_default=True, **DEFAULT_TIER))
            created.append(f"price tier {DEFAULT_TIER['name']}")
        else:
            tier.is_default = True
            created.append(f"price tier {tier.name} marked default")
    db.session.flush()
    return created


def normalise_email(email: str) -> str:
    try:
        return validate_email((email or "").strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise SetupError(f"{email!r} is not a valid email address: {exc}") from None


def create_staff_user(email: str, name: str, password: str) -> User:
    """A new active staff user; refuses a weak password or an email already in use. Caller commits."""
    email = normalise_email(email)
    name = (name or "").strip()
    if not name:
        raise SetupError("A name is required.")
    problems = passwords.weaknesses(password, email=email, name=name)
    if problems:
        raise SetupError("The password was refused: " + " ".join(problems))
    if db.session.execute(select(User.id).where(func.lower(User.email) == email)).first() is not None:
        raise SetupError(f"A user with the email {email} already exists.")
    user = User(email=email, name=name, kind=UserKind.staff, is_active_flag=True)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user
