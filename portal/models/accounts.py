"""Who can sign in: users (staff, contacts, sales reps), roles, memberships, sessions, tokens."""
from __future__ import annotations

import enum
from datetime import datetime

from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Enum,
    ForeignKey,
    String,
    Table,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from portal.models.base import Model, created_column


class UserKind(enum.StrEnum):
    staff = "staff"
    contact = "contact"
    rep = "rep"


class RepAccess(enum.StrEnum):
    all = "all"
    allocated = "allocated"


class InvitationState(enum.StrEnum):
    not_invited = "not_invited"
    invited = "invited"
    accepted = "accepted"
    revoked = "revoked"


#: sales reps allocated to customer companies
rep_allocation = Table(
    "rep_allocation",
    Model.metadata,
    Column("company_id", ForeignKey("company.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
)


class User(UserMixin, Model):
    __tablename__ = "user"
    id: Mapped[int] = mapped_column(primary_key=True)
    #: login name, stored lower-case
    email: Mapped[str] = mapped_column(String(254), unique=True, index=True)
    name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(40))
    kind: Mapped[UserKind] = mapped_column(Enum(UserKind, native_enum=False, length=16), default=UserKind.contact)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    #: master switch for signing in (staff, reps) — contacts also need company access
    is_active_flag: Mapped[bool] = mapped_column("is_active", Boolean, default=True)
    #: contact-level portal access (only effective while the company has access)
    portal_access: Mapped[bool] = mapped_column(Boolean, default=False)
    invitation_state: Mapped[InvitationState] = mapped_column(
        Enum(InvitationState, native_enum=False, length=16), default=InvitationState.not_invited
    )
    #: sales reps: every customer or only allocated ones
    rep_access: Mapped[RepAccess] = mapped_column(Enum(RepAccess, native_enum=False, length=16), default=RepAccess.allocated)
    #: per notification type: {"order_status": true, ...}
    #: the language pages and emails are written in ("en", "nl"); None = the business's default
    language: Mapped[str | None] = mapped_column(String(8))
    notification_prefs: Mapped[dict] = mapped_column(JSON, default=dict)
    last_login_dt: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_dt: Mapped[datetime] = created_column()

    memberships: Mapped[list[Membership]] = relationship(back_populates="user", cascade="all, delete-orphan")
    allocated_companies: Mapped[list[Company]] = relationship(  # noqa: F821
        secondary=rep_allocation, back_populates="sales_reps"
    )

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method=password_hash_method())

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # Flask-Login
        return bool(self.is_active_flag)

    @property
    def is_staff(self) -> bool:
        return self.kind == UserKind.staff

    @property
    def is_rep(self) -> bool:
        return self.kind == UserKind.rep

    @property
    def is_contact(self) -> bool:
        return self.kind == UserKind.contact

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


class Role(Model):
    """An editable set of portal permissions given to a contact within a company."""

    __tablename__ = "role"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    description: Mapped[str] = mapped_column(String(255), default="")
    #: permission keys declared by the core and the features
    permissions: Mapped[list] = mapped_column(JSON, default=list)
    #: grants every permission, including those of features added later (the Admin role)
    all_permissions: Mapped[bool] = mapped_column(Boolean, default=False)
    #: seeded roles can be edited but not deleted
    is_builtin: Mapped[bool] = mapped_column(Boolean, default=False)

    def __str__(self) -> str:
        return self.name


class RoleGrant(Model):
    """A default permission a feature gave a built-in role, applied once (install or upgrade).

    Kept so that a staff member who later takes the permission away from the role is not
    overruled by the next upgrade.
    """

    __tablename__ = "role_grant"
    role_name: Mapped[str] = mapped_column(String(60), primary_key=True)
    permission: Mapped[str] = mapped_column(String(120), primary_key=True)
    #: the feature that declared the grant
    feature: Mapped[str] = mapped_column(String(60))
    granted_dt: Mapped[datetime] = created_column()


class Membership(Model):
    """A contact's place in a company (a contact may belong to several)."""

    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("user_id", "company_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"), index=True)
    role_id: Mapped[int] = mapped_column(ForeignKey("role.id"))
    job_title: Mapped[str | None] = mapped_column(String(120))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_dt: Mapped[datetime] = created_column()

    user: Mapped[User] = relationship(back_populates="memberships")
    company: Mapped[Company] = relationship(back_populates="memberships")  # noqa: F821
    role: Mapped[Role] = relationship()

    def __str__(self) -> str:
        return f"{self.user.name} @ {self.company.name} ({self.role.name})"


class UserSession(Model):
    """A server-side login session; deleting or revoking it logs the browser out."""

    __tablename__ = "user_session"
    id: Mapped[int] = mapped_column(primary_key=True)
    #: sha256 of the random session key kept in the signed cookie
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_dt: Mapped[datetime] = created_column()
    last_seen_dt: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_dt: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(255))

    user: Mapped[User] = relationship()


class TokenPurpose(enum.StrEnum):
    invitation = "invitation"
    #: a customer admin's invitation to join their company (portal.services.company_invitations)
    company_invitation = "company_invitation"
    magic_link = "magic_link"
    password_reset = "password_reset"
    quote_share = "quote_share"


class AccessToken(Model):
    """A link token (invitation, magic link, reset, quote share): random, stored hashed."""

    __tablename__ = "access_token"
    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[TokenPurpose] = mapped_column(Enum(TokenPurpose, native_enum=False, length=20), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    quote_id: Mapped[int | None] = mapped_column(ForeignKey("quote.id", ondelete="CASCADE"), index=True)
    company_id: Mapped[int | None] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"))
    created_dt: Mapped[datetime] = created_column()
    expires_dt: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_dt: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_dt: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    #: free-form context, e.g. the role an invitation grants
    data: Mapped[dict] = mapped_column(JSON, default=dict)

    user: Mapped[User | None] = relationship(foreign_keys=[user_id])


class CompanyInvitation(Model):
    """A customer admin's invitation for someone to join their company.

    Nothing changes for the person until they accept it: then, and only then, a membership of this
    company is added. Made without looking the address up, so it is the same for any address.
    """

    __tablename__ = "company_invitation"
    #: one open invitation per address and company (open_email is NULL once accepted or withdrawn)
    __table_args__ = (UniqueConstraint("company_id", "open_email"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"), index=True)
    #: the address invited, lower-case
    email: Mapped[str] = mapped_column(String(254))
    #: the name the inviter typed (a new contact starts with it; an existing account keeps its own)
    name: Mapped[str] = mapped_column(String(120))
    role_id: Mapped[int] = mapped_column(ForeignKey("role.id"))
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_dt: Mapped[datetime] = created_column()
    #: when the current link was sent (a resend renews it) and until when it works
    sent_dt: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_dt: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    accepted_dt: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: the account that accepted (new or existing)
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    withdrawn_dt: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: the email while the invitation is open, NULL once accepted or withdrawn
    open_email: Mapped[str | None] = mapped_column(String(254))
    #: the link sent last (a resend withdraws the previous one)
    token_id: Mapped[int | None] = mapped_column(ForeignKey("access_token.id", ondelete="SET NULL"), index=True)

    company: Mapped[Company] = relationship()  # noqa: F821
    role: Mapped[Role] = relationship()
    invited_by: Mapped[User | None] = relationship(foreign_keys=[invited_by_id])


class LinkRequest(Model):
    """Someone asked for a sign-in or password-reset link by email address.

    Stored for any address, known or not, and handled after the response
    (portal.services.link_requests): the page does the same work whoever the address belongs to.
    """

    __tablename__ = "link_request"
    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[TokenPurpose] = mapped_column(Enum(TokenPurpose, native_enum=False, length=20))
    #: as typed, lower-case
    email: Mapped[str] = mapped_column(String(254))
    #: the portal address the emailed link starts with (as the page would have built it)
    link_base: Mapped[str] = mapped_column(String(255))
    created_dt: Mapped[datetime] = created_column()


def password_hash_method() -> str:
    """How new passwords are hashed: werkzeug's scrypt, unless the config says otherwise (PASSWORD_HASH_METHOD,
    set cheaper only by the test config). Checking reads the method from each stored hash."""
    configured = current_app.config.get("PASSWORD_HASH_METHOD") if has_app_context() else None
    return configured or "scrypt"
