"""The import framework: kinds declare columns and a natural key; the planner says per line what an
import would do without writing; `apply` writes a plan in the caller's transaction.

A column left unmapped is left alone on existing rows and takes its default on new ones. An empty cell is
the column's empty value (nothing, or its default). Existing rows are read in bulk by natural key, a
chunk of keys per query, so a 50,000-line file costs a few hundred queries, not 50,000.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import cast, insert, select, text, update
from sqlalchemy import column as sa_column
from sqlalchemy import values as sa_values

from portal.extensions import db
from portal.reading import dialect
from portal.services.imports import cells
from portal.services.imports.reading import Sheet

CHUNK = 500
CREATE, UPDATE, UNCHANGED, ERROR = "create", "update", "unchanged", "error"
ACTIONS = (CREATE, UPDATE, UNCHANGED, ERROR)


@dataclass(frozen=True)
class Column:
    """One column of a kind's files (the header is `name`)."""

    name: str
    cell: cells.Cell
    #: every line must fill it (natural keys)
    required: bool = False
    #: a new row needs it (an update may leave it out)
    needed_to_create: bool = False
    example: str = ""
    help: str = ""


@dataclass
class Line:
    number: int
    values: dict[str, Any]
    errors: list[str] = field(default_factory=list)
    key: tuple | None = None
    action: str = ERROR
    #: the existing row's id and values (update / unchanged)
    id: int | None = None
    old: dict[str, Any] = field(default_factory=dict)
    #: column -> (old, new), for updates
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)

    def error(self, message: str) -> None:
        self.errors.append(message)


@dataclass
class Plan:
    kind: Kind
    lines: list[Line]
    #: the columns read from the file
    mapped: tuple[str, ...]
    #: problems with the file as a whole (a required column not mapped)
    problems: list[str] = field(default_factory=list)
    #: the reference data the lines were checked against (kind.context), handed to kind.write
    context: dict = field(default_factory=dict)

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(ACTIONS, 0)
        for line in self.lines:
            counts[line.action] += 1
        return counts

    @property
    def errors(self) -> list[str]:
        """Every error in words: "line 18: SKU BLT-1024 unknown in contract prices"."""
        return self.problems + [f"line {ln.number}: {e}" for ln in self.lines for e in ln.errors]

    @property
    def can_apply(self) -> bool:
        return not self.problems and bool(self.lines) and not any(ln.errors for ln in self.lines)

    def fingerprint(self) -> str:
        """Changes when anything the import would do changes (the data, the file or the mapping)."""
        digest = hashlib.sha256(self.kind.key.encode())
        for line in self.lines:
            digest.update(repr((line.number, line.action, line.key, sorted(line.changes.items()),
                                sorted(line.values.items()) if line.action == CREATE else ())).encode())
        return digest.hexdigest()


class Kind:
    """One kind of import/export. Subclasses set the class attributes and the four hooks."""

    key: str = ""
    label: str = ""
    #: "SKU BLT-1024 unknown in contract prices"
    noun: str = ""
    #: "name is needed for a new product"
    noun_one: str = ""
    columns: tuple[Column, ...] = ()
    natural_key: tuple[str, ...] = ()

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def headers(self) -> list[str]:
        return [c.name for c in self.columns]

    # --- hooks ------------------------------------------------------------------------------------

    def existing(self, keys: list[tuple]) -> dict[tuple, tuple[int, dict[str, Any]]]:
        """Rows already stored for these natural keys: key -> (id, values by column)."""
        raise NotImplementedError

    def context(self, lines: list[Line]) -> dict:
        """Reference data the file's lines point at (read in bulk)."""
        return {}

    def check(self, line: Line, ctx: dict) -> None:
        """Rules across columns and references: add errors to the line."""

    def write(self, lines: list[Line], ctx: dict, actor) -> None:
        """Store the lines to create and update (the plan holds no errors)."""
        raise NotImplementedError

    def export(self) -> Iterable[dict[str, Any]]:
        """Every stored row as values by column, in a stable order."""
        raise NotImplementedError

    def example(self) -> list[str]:
        return [c.example for c in self.columns]


# --- planning --------------------------------------------------------------------------------------

def plan(kind: Kind, sheet: Sheet, mapping: dict[str, str | None]) -> Plan:
    """What importing `sheet` would do, line by line. Reads only."""
    positions = {h: i for i, h in reversed(list(enumerate(sheet.headers)))}
    mapped = [c for c in kind.columns if mapping.get(c.name) in positions]
    result = Plan(kind, [], tuple(c.name for c in mapped))
    for column in kind.columns:
        if column.required and column not in mapped:
            result.problems.append(f"the column “{column.name}” is needed: choose which column of the file holds it")
    if not sheet.rows:
        result.problems.append("the file has no lines below its header line")
    if result.problems:
        return result
    seen: dict[tuple, int] = {}
    for number, row in sheet.rows:
        line = Line(number, {})
        for column in mapped:
            index = positions[mapping[column.name]]
            raw = row[index] if index < len(row) else ""
            if not raw.strip():
                line.values[column.name] = column.cell.empty
                if column.required:
                    line.error(f"{column.name} is empty")
                continue
            try:
                line.values[column.name] = column.cell.read(raw)
            except ValueError as exc:
                line.error(f"{column.name} {exc}")
        if not any(e.startswith(kind.natural_key) for e in line.errors):
            line.key = tuple(line.values.get(k, kind.column(k).cell.empty) for k in kind.natural_key)
            if line.key in seen:
                line.error(f"{describe_key(kind, line.key)} is already on line {seen[line.key]}")
            else:
                seen[line.key] = number
        result.lines.append(line)
    keys = [ln.key for ln in result.lines if ln.key is not None]
    stored = kind.existing(keys)
    for line in result.lines:
        found = stored.get(line.key) if line.key is not None else None
        if found is not None:
            line.id, line.old = found
            line.changes = {name: (line.old.get(name), value) for name, value in line.values.items()
                            if line.old.get(name) != value}
        for column in kind.columns:
            if not column.needed_to_create:
                continue
            if column.name in line.values and line.values[column.name] in (None, ""):
                line.error(f"{column.name} is empty")
            elif found is None and column.name not in line.values:
                line.error(f"{column.name} is needed for a new {kind.noun_one}")
    ctx = result.context = kind.context(result.lines)
    for line in result.lines:
        if not line.errors:
            kind.check(line, ctx)
        line.action = ERROR if line.errors else CREATE if line.id is None else UPDATE if line.changes else UNCHANGED
    return result


def describe_key(kind: Kind, key: tuple) -> str:
    return ", ".join(f"{name} {kind.column(name).cell.write(value) or '(empty)'}"
                     for name, value in zip(kind.natural_key, key, strict=True))


def full_values(kind: Kind, line: Line) -> dict[str, Any]:
    """A new row's values: the defaults, then what the file says."""
    return {**{c.name: c.cell.empty for c in kind.columns}, **line.values}


# --- writing helpers -------------------------------------------------------------------------------

def chunks(items: Sequence, size: int = CHUNK) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def bulk_insert(model, rows: list[dict]) -> None:
    """Insert `rows` a chunk at a time, each chunk as a few multi-row INSERT statements (SQLAlchemy's
    "insertmanyvalues", which RETURNING brings): a statement per row would fire the tables' statement
    triggers (the catalog and search revisions) once per row, and on PostgreSQL each of those updates
    of the same revision row costs more than the last within one transaction. On PostgreSQL a large
    insert also refreshes the table's planner statistics after its first chunk and at its end: plans
    cached while the table was small (foreign-key checks, lookups by key) would otherwise go on scanning
    the whole table for each row."""
    parts = list(chunks(rows, 2000))
    primary_key = model.__table__.primary_key.columns[0]
    for number, part in enumerate(parts):
        db.session.execute(insert(model).returning(primary_key), list(part))
        if len(parts) > 1 and number in (0, len(parts) - 1):
            refresh_statistics(model)


def refresh_statistics(model) -> None:
    """ANALYZE the model's table on PostgreSQL (allowed in a transaction; it sees the transaction's own
    new rows, and invalidates the plans cached for the table). SQLite keeps its plans: nothing to do."""
    if dialect() == "postgresql":
        db.session.execute(text(f'ANALYZE "{model.__table__.name}"'))


def bulk_update(model, rows: list[dict]) -> None:
    """Rows with their "id" and the attributes to change, grouped by the attributes they change. On
    PostgreSQL each group is written a chunk at a time as one ``UPDATE ... FROM (VALUES ...)`` statement,
    for the reason `bulk_insert` gives (a statement per row fires the statement triggers once per row);
    SQLite's triggers run per row whatever the statement, and it updates by primary key a row at a time."""
    groups: dict[tuple, list[dict]] = {}
    for row in rows:
        groups.setdefault(tuple(sorted(row)), []).append(row)
    postgresql = dialect() == "postgresql"
    for names, group in groups.items():
        for part in chunks(group, 1000):
            if postgresql:
                db.session.execute(_update_from_values(model, names, part))
            else:
                db.session.execute(update(model), list(part))


def _update_from_values(model, names: tuple[str, ...], rows: Sequence[dict]):
    targets = {name: model.__mapper__.attrs[name].columns[0] for name in names}
    changes = (sa_values(*(sa_column(name, column.type) for name, column in targets.items()), name="changes")
               .data([tuple(row[name] for name in names) for row in rows]))
    # each value cast to its column's type: PostgreSQL types a VALUES column from the values it holds
    return (update(model.__table__).where(targets["id"] == changes.c.id)
            .values({column: cast(changes.c[name], column.type) for name, column in targets.items() if name != "id"}))


def rows_where(query, column, values: Iterable) -> list:
    """The rows of `query` whose `column` is one of `values`, read a chunk of values at a time."""
    values = sorted({v for v in values if v is not None})
    found = []
    for part in chunks(values):
        found.extend(db.session.execute(query.where(column.in_(part))).all())
    return found


def ids_by(column, id_column, values: Iterable) -> dict:
    """natural key value -> id, for the given values (unknown ones are missing)."""
    return dict(rows_where(select(column, id_column), column, values))
