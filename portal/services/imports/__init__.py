"""Import and export of catalog, prices, stock and customers (back office "Import" screen).

An import goes: upload -> column mapping (remembered per kind) -> `preview` (a plan: per line create,
update, unchanged or error, nothing written) -> `apply` (the same plan again; written only when it has no
errors and is still what the preview showed, in the caller's transaction, with a report in the audit log).
Rows are matched by natural key (SKU, company code, email, ...), so the same file imported twice
changes nothing the second time. `export` writes the same columns, so an export edited in a spreadsheet
imports back; `template` is the header and one example line.
"""
from __future__ import annotations

import re

from portal.extensions import db
from portal.models import ImportMapping
from portal.services import audit, csv_files
from portal.services.actor import Actor
from portal.services.imports import reading
from portal.services.imports.catalog_kinds import Categories, Products, Stock
from portal.services.imports.customer_kinds import Companies, Contacts
from portal.services.imports.framework import CREATE, UPDATE, Kind, Plan, describe_key, plan
from portal.services.imports.price_kinds import (
    ContractPrices,
    PriceBreaks,
    PriceTiers,
    Promotions,
    TierPrices,
)

#: every kind, in the order the screen lists them (the order to import a new catalog in)
KINDS: dict[str, Kind] = {k.key: k for k in (
    Categories(), PriceTiers(), Products(), TierPrices(), PriceBreaks(), Promotions(), Stock(), Companies(),
    Contacts(), ContractPrices())}
#: how many created / updated keys the audit report lists
REPORT_KEYS = 50


class ApplyRefused(Exception):
    """Nothing was written; the message says why, `plan` is the new preview."""

    def __init__(self, message: str, plan: Plan):
        super().__init__(message)
        self.plan = plan


def _simple(header: str) -> str:
    return re.sub(r"[\s_\-]+", "", header).lower()


def remembered(kind: Kind) -> dict[str, str]:
    row = db.session.get(ImportMapping, kind.key)
    return dict(row.mapping) if row is not None else {}


def default_mapping(kind: Kind, headers: list[str]) -> dict[str, str | None]:
    """Per column: the header chosen last time for this kind if the file has it, else the header with the
    column's name (case, spaces and underscores aside), else nothing."""
    last = remembered(kind)
    by_simple = {}
    for header in headers:
        by_simple.setdefault(_simple(header), header)
    mapping = {}
    for column in kind.columns:
        if last.get(column.name) in headers:
            mapping[column.name] = last[column.name]
        else:
            mapping[column.name] = by_simple.get(_simple(column.name))
    return mapping


def remember(kind: Kind, mapping: dict[str, str | None]) -> None:
    """Keep the mapping for the next file of this kind (added to the session; the caller commits)."""
    row = db.session.get(ImportMapping, kind.key) or ImportMapping(kind=kind.key)
    row.mapping = {k: v for k, v in mapping.items() if v}
    db.session.add(row)


def preview(kind: Kind, data: bytes, mapping: dict[str, str | None]) -> Plan:
    """What the import would do (reading.FileError for a file that cannot be read). Writes nothing."""
    return plan(kind, reading.read(data), mapping)


def apply(kind: Kind, data: bytes, mapping: dict[str, str | None], fingerprint: str, *, actor: Actor,
          filename: str = "") -> Plan:
    """Plan again and write it when it has no errors and is what the preview showed (ApplyRefused
    otherwise: nothing written). The caller commits, or rolls back on any error: all or nothing."""
    result = preview(kind, data, mapping)
    if not result.can_apply:
        raise ApplyRefused("Nothing was imported: the file has errors. Correct them and upload it again.", result)
    if result.fingerprint() != fingerprint:
        raise ApplyRefused("Nothing was imported: the data changed since the preview. Check the new preview "
                           "and apply again.", result)
    kind.write([ln for ln in result.lines if ln.action in (CREATE, UPDATE)], result.context, actor)
    counts = result.counts
    audit.record("import.applied", None, actor=actor, kind=kind.key, file=filename[:200], lines=len(result.lines),
                 created=counts[CREATE], updated=counts[UPDATE], unchanged=counts["unchanged"],
                 columns=",".join(result.mapped), report=report(result))
    db.session.flush()
    db.session.expire_all()
    return result


def report(result: Plan) -> str:
    """The audit log's account of an applied import: what was created and updated (first keys of each)."""
    parts = []
    for action in (CREATE, UPDATE):
        lines = [ln for ln in result.lines if ln.action == action]
        if lines:
            keys = "; ".join(describe_key(result.kind, ln.key) for ln in lines[:REPORT_KEYS])
            more = f" and {len(lines) - REPORT_KEYS} more" if len(lines) > REPORT_KEYS else ""
            parts.append(f"{'created' if action == CREATE else 'updated'} {len(lines)}: {keys}{more}")
    return " | ".join(parts) or "nothing changed"


def export(kind: Kind) -> str:
    """Every stored row of the kind as CSV, in the columns its import reads (through the one CSV writer)."""
    rows = ([c.cell.write(values[c.name]) for c in kind.columns] for values in kind.export())
    return csv_files.render(kind.headers, rows)


def template(kind: Kind) -> str:
    """The kind's header line and one example line."""
    return csv_files.render(kind.headers, [kind.example()])


__all__ = ["KINDS", "ApplyRefused", "apply", "default_mapping", "export", "preview", "remember", "remembered",
           "template"]
