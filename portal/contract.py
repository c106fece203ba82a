"""What a portal feature declares. Plain data: this module imports nothing of the app.

A feature is one package under ``portal/blueprints/`` (or an installed plugin) exporting one
``feature = Feature(...)``. It brings everything it adds — pages, nav, permissions and their
default grants, settings, back-office screens, dashboard blocks, customer emails, staff events,
portal activity kinds, document numbers, isolation factories and (for plugins) its own migrations —
and the core reads them from the registry (``portal.features``). The core itself is declared the same way
(``portal.blueprints.core.declaration``) as a feature that is always on.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

#: who a feature's pages are for
AUDIENCES = ("customer", "supplier", "guest")


@dataclass(frozen=True)
class NavEntry:
    endpoint: str
    label: str
    permission: str | None = None
    icon: str = ""


@dataclass(frozen=True)
class SettingSpec:
    """A typed setting with a strict default. type: bool, int, decimal, str, text, choice, color, url
    (a portal address: scheme and host only, see portal.web_address)."""

    default: Any
    label: str
    type: str = "bool"
    choices: tuple[tuple[str, str], ...] = ()
    help: str = ""
    minimum: float | None = None
    maximum: float | None = None
    #: for a "choice" whose options live in the database (e.g. price tiers): returns (value, label) pairs
    choices_from: Callable[[], tuple[tuple[str, str], ...]] | None = None


@dataclass(frozen=True)
class Block:
    """A dashboard block: ``template`` is rendered with ``data`` = ``data(company)``.

    area "stats" puts it in the row of figures at the top, "main" in the columns below, "wide" across the
    page under the columns (a table with many columns). Shown in
    declared order, only while its feature is on and the acting role has ``permission``.
    """

    template: str
    data: Callable[[Any], Any] | None = None
    permission: str | None = None
    area: str = "main"


@dataclass(frozen=True)
class EmailKind:
    """A kind of email a feature sends to customers (or the core sends to anyone).

    ``template`` is the path without extension: ``<template>.txt`` (first line sets ``subject``)
    and optionally ``<template>.html``. ``pref`` is the notification-preference key a contact can
    switch off on /account/notifications (None: always sent, e.g. sign-in links).
    """

    label: str
    template: str
    pref: str | None = None
    #: what a staff-edited template for this kind may use besides the branding placeholders
    placeholders: tuple[str, ...] = ()
    #: the wording of the preference on the preferences page (defaults to ``label``)
    pref_label: str = ""


@dataclass(frozen=True)
class ActivityKind:
    """A kind of portal event (engagement) a feature records through ``portal.services.portal_events``.

    ``label`` says what happened, for staff ("Opened a support ticket"). ``customer`` is False for what
    staff or reps do to a company's documents (a quote revised, a return approved): it shows in the
    company's event list but is not the customer's activity. ``marks`` names the company's kept date it
    also moves: "sign_in" or "order". ``page`` is the back-office endpoint of the subject (called with
    ``id=subject_id``), where one exists.
    """

    label: str
    customer: bool = True
    marks: str | None = None
    page: str | None = None


@dataclass(frozen=True)
class NumberKind:
    """A numbered document kind: ``PREFIX-YYYY-0001`` (yearly) or ``PREFIX-0001``.

    The kind's key is the table name of the numbered model: new rows of that table get their
    number when they are flushed, whoever creates them.
    """

    prefix: str
    yearly: bool = True


@dataclass(frozen=True)
class IsolationArg:
    """How the tenant-isolation matrix makes an object for a URL argument of a feature's routes.

    ``make(company)`` creates one for the company and returns the value for the URL (its id);
    ``owner`` says whose it is ("customer", "supplier"; default: the feature's audience) or
    "opaque" for link tokens that no company owns (then ``make`` is None).
    """

    make: Callable[[Any], Any] | None = None
    owner: str | None = None


@dataclass
class Feature:
    key: str
    label: str
    description: str
    blueprint: Any
    url_prefix: str
    default_enabled: bool = True
    #: the core: never switched off, no toggle
    always_on: bool = False
    #: reachable without signing in (e.g. the guest catalog)
    public: bool = False
    requires: frozenset[str] = frozenset()
    #: who the pages are for: "customer", "supplier" or "guest" (drives nav and access policy)
    audience: str = "customer"
    #: what a customer can do with it, to finish "There you can ..." in invitations ("track your shipments")
    summary: str = ""
    nav: tuple[NavEntry, ...] = ()
    permissions: dict[str, str] = field(default_factory=dict)
    #: built-in role name -> permission keys it gets by default (applied once per install/upgrade)
    grants: Mapping[str, Iterable[str]] = field(default_factory=dict)
    settings: dict[str, SettingSpec] = field(default_factory=dict)
    #: back-office screens (called once at start-up); hidden and 404 while the feature is off
    admin_views: Callable[[], Iterable[Any]] | None = None
    dashboard: tuple[Block, ...] = ()
    emails: dict[str, EmailKind] = field(default_factory=dict)
    #: staff notification events it raises: key -> what happened ("order_placed": "A customer placed an order")
    events: dict[str, str] = field(default_factory=dict)
    #: portal event kinds it records (the company activity page): key -> ActivityKind
    activity: dict[str, ActivityKind] = field(default_factory=dict)
    #: in-app notifications it gives portal users (portal.services.portal_notices): key -> what happened
    #: ("order_approved": "Order approved"); shown and written only while the feature is on
    notices: dict[str, str] = field(default_factory=dict)
    numbers: dict[str, NumberKind] = field(default_factory=dict)
    #: URL argument -> IsolationArg (or just the make function) for the tenant-isolation matrix
    isolation: dict[str, IsolationArg | Callable] = field(default_factory=dict)
    #: "package:folder" holding the feature's own Alembic revisions (plugins that own tables)
    migrations: str | None = None

    @property
    def setting_key(self) -> str:
        return f"features.{self.key}"

    def serves(self, company) -> bool:
        """Whether the feature's pages, nav and dashboard blocks are for this (acting) company."""
        if self.audience == "supplier":
            return bool(company.is_supplier)
        if self.audience == "customer":
            return bool(company.is_customer)
        return False  # guest pages are for people who are not signed in

    def isolation_args(self) -> dict[str, IsolationArg]:
        """isolation with every entry as an IsolationArg whose owner is filled in."""
        result = {}
        for name, arg in self.isolation.items():
            if not isinstance(arg, IsolationArg):
                arg = IsolationArg(make=arg)
            owner = arg.owner or ("opaque" if arg.make is None else self.audience)
            result[name] = IsolationArg(make=arg.make, owner=owner)
        return result
