"""The catalog's revision: a token that changes whenever what a viewer may list changes (the search's:
a token that changes whenever the words products are found by change; the stock's: whenever what is in
stock changes).

One row in ``catalog_revision`` holds a random token. Database triggers replace it on every write
that can change the category tree or who sees which product — products added, removed, moved to
another category or made visible to others; categories added, renamed, moved or removed; products
listed for a price tier or a company — whoever makes the write (back office, imports, raw SQL).
A cache keyed by the token (``catalog.category_tree``'s counts) is therefore never stale: a reader
sees the token of its own snapshot, and a rolled-back write's token is never seen again (tokens are
random, not counters, so a rolled-back bump cannot be reused for other content).

The table and triggers are created by the Alembic revision (and, for databases built from the
models, after ``create_all``); they are not part of the models' metadata (see ``owns``). On SQLite a
batch migration that copies one of the watched tables drops its triggers: call ``create`` again.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import Connection, event, text

from portal.models.base import Model

TABLE = "catalog_revision"
#: table -> the columns whose change matters (None: any change)
WATCHED = {
    "product": ("category_id", "visibility", "guest_visible"),
    "category": None,
    "product_tier_visibility": None,
    "product_company_visibility": None,
}
#: the search's revision: the words products are found by (``catalog.find_products`` keeps a search's
#: ranked matches per search revision and catalog revision)
SEARCH_TABLE = "search_revision"
SEARCH_WATCHED = {"product": ("name", "sku", "description")}

#: the stock's revision: what is in stock (``stock_counts`` keeps the "in stock only" counts per catalog
#: revision and stock revision)
STOCK_TABLE = "stock_revision"
STOCK_WATCHED = {"stock_level": ("on_hand", "reserved")}

_SQLITE_TOKEN = "lower(hex(randomblob(16)))"
_PG_TOKEN = "md5(random()::text || clock_timestamp()::text || txid_current()::text)"


class Revision:
    """One revision row (a random token in a one-row table) and the triggers that replace it."""

    def __init__(self, table: str, watched: dict[str, tuple[str, ...] | None], *, first: bool = False) -> None:
        """``first``: on PostgreSQL replace the token *before* each watched statement rather than after it,
        for tables many transactions write at once (stock levels: every checkout). The token's row is
        then locked before any watched row, in every transaction, so two transactions never hold one each
        and wait for the other (after the statement, checkout A would hold the token waiting for a stock
        row checkout B holds while B waits for the token: a deadlock, one checkout refused)."""
        self.table, self.watched, self.first = table, watched, first

    def token(self):
        """The current token, as a scalar subquery (read in the same statement as what it keys)."""
        return sa.select(sa.table(self.table, sa.column("token")).c.token).scalar_subquery()

    def sqlite_statements(self) -> list[str]:
        statements = [
            f"CREATE TABLE IF NOT EXISTS {self.table} (id INTEGER PRIMARY KEY CHECK (id = 1), token VARCHAR(32) NOT NULL)",
            f"INSERT OR IGNORE INTO {self.table} (id, token) VALUES (1, {_SQLITE_TOKEN})",
        ]
        bump = f"UPDATE {self.table} SET token = {_SQLITE_TOKEN}"
        for table, columns in self.watched.items():
            update = f"UPDATE OF {', '.join(columns)}" if columns else "UPDATE"
            for name, when in (("insert", "INSERT"), ("delete", "DELETE"), ("update", update)):
                statements.append(f"CREATE TRIGGER IF NOT EXISTS {self.table}_{table}_{name} AFTER {when} ON {table} "
                                  f"BEGIN {bump}; END")
        return statements

    def pg_statements(self) -> list[str]:
        statements = [
            f"CREATE TABLE IF NOT EXISTS {self.table} (id integer PRIMARY KEY CHECK (id = 1), token varchar(32) NOT NULL)",
            f"INSERT INTO {self.table} (id, token) VALUES (1, {_PG_TOKEN}) ON CONFLICT (id) DO NOTHING",
            f"""CREATE OR REPLACE FUNCTION {self.table}_bump() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN UPDATE {self.table} SET token = {_PG_TOKEN}; RETURN NULL; END $$""",
        ]
        for table, columns in self.watched.items():
            update = f"UPDATE OF {', '.join(columns)}" if columns else "UPDATE"
            statements.append(f"DROP TRIGGER IF EXISTS {self.table}_bump ON {table}")
            # once per statement: a bulk import bumps the token once, not once per row
            statements.append(f"CREATE TRIGGER {self.table}_bump {'BEFORE' if self.first else 'AFTER'} INSERT OR "
                              f"{update} OR DELETE OR TRUNCATE ON {table} FOR EACH STATEMENT "
                              f"EXECUTE FUNCTION {self.table}_bump()")
        return statements

    def create(self, connection: Connection) -> None:
        """Create (or repair) the revision row and its triggers."""
        statements = self.pg_statements() if connection.dialect.name == "postgresql" else self.sqlite_statements()
        for statement in statements:
            connection.execute(text(statement))

    def drop(self, connection: Connection) -> None:
        if connection.dialect.name == "postgresql":
            statements = [f"DROP TRIGGER IF EXISTS {self.table}_bump ON {table}" for table in self.watched]
            statements += [f"DROP FUNCTION IF EXISTS {self.table}_bump()", f"DROP TABLE IF EXISTS {self.table}"]
        else:
            statements = [f"DROP TRIGGER IF EXISTS {self.table}_{table}_{name}"
                          for table in self.watched for name in ("insert", "delete", "update")]
            statements.append(f"DROP TABLE IF EXISTS {self.table}")
        for statement in statements:
            connection.execute(text(statement))


CATALOG = Revision(TABLE, WATCHED)
SEARCH = Revision(SEARCH_TABLE, SEARCH_WATCHED)
STOCK = Revision(STOCK_TABLE, STOCK_WATCHED, first=True)
#: the catalog revision's (an earlier migration calls these)
create, drop = CATALOG.create, CATALOG.drop


def owns(name: str | None) -> bool:
    """Whether a database table is a revision's (schema comparisons leave it out)."""
    return name in (TABLE, SEARCH_TABLE, STOCK_TABLE)


@event.listens_for(Model.metadata, "after_create")
def _create_after_create_all(target, connection, **kw) -> None:
    CATALOG.create(connection)
    SEARCH.create(connection)
    STOCK.create(connection)


@event.listens_for(Model.metadata, "before_drop")
def _drop_before_drop_all(target, connection, **kw) -> None:
    STOCK.drop(connection)
    SEARCH.drop(connection)
    CATALOG.drop(connection)
