"""Product search by name, SKU and description: one service over the engine's own full-text index.

- SQLite: an FTS5 table ``product_search`` over the product table (external content), with an
  ``fts5vocab`` table listing its words.
- PostgreSQL: a table ``product_search`` of one weighted ``tsvector`` per product (GIN index) and a
  table ``product_search_word`` of every word indexed.

Triggers on ``product`` keep both in step with every write, whoever makes it (back office, demo,
imports, raw SQL). The index is created by the Alembic revision (and, for databases built from the
models, after ``create_all``); it is not part of the models' metadata (see ``owns``).

Every word of the query must match, as a prefix ("scre" finds "screw"). A word that starts no indexed
word is first replaced by the closest indexed word with the same first letter (one typo in a short
word, two in a longer one, swapped letters count once): "scerw" finds "screw". Note for later migrations: on
SQLite a batch operation that copies the product table drops its triggers; call ``create_index``
again afterwards.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import (
    Connection,
    bindparam,
    case,
    column,
    event,
    func,
    literal_column,
    select,
    table,
    text,
    union,
)
from sqlalchemy.sql.elements import ColumnElement

from portal import reading
from portal.models import Product
from portal.reading import rows
from portal.services import catalog_revision

#: tables that belong to the index, not to the models (fts5 adds its shadow tables with this prefix)
INDEX_PREFIX = "product_search"
MAX_WORDS = 8
_WORD = re.compile(r"[^\W_]+", re.UNICODE)

_SQLITE_CREATE = (
    ("CREATE VIRTUAL TABLE IF NOT EXISTS product_search USING fts5(name, sku, description, content='product', "
     "content_rowid='id', tokenize='unicode61 remove_diacritics 2')"),
    "CREATE VIRTUAL TABLE IF NOT EXISTS product_search_vocab USING fts5vocab(product_search, 'row')",
    """CREATE TRIGGER IF NOT EXISTS product_search_insert AFTER INSERT ON product BEGIN
         INSERT INTO product_search (rowid, name, sku, description)
         VALUES (new.id, new.name, new.sku, coalesce(new.description, ''));
       END""",
    """CREATE TRIGGER IF NOT EXISTS product_search_delete AFTER DELETE ON product BEGIN
         INSERT INTO product_search (product_search, rowid, name, sku, description)
         VALUES ('delete', old.id, old.name, old.sku, coalesce(old.description, ''));
       END""",
    """CREATE TRIGGER IF NOT EXISTS product_search_update AFTER UPDATE OF name, sku, description ON product BEGIN
         INSERT INTO product_search (product_search, rowid, name, sku, description)
         VALUES ('delete', old.id, old.name, old.sku, coalesce(old.description, ''));
         INSERT INTO product_search (rowid, name, sku, description)
         VALUES (new.id, new.name, new.sku, coalesce(new.description, ''));
       END""",
    # rank: name and SKU weigh ten times the description, as PostgreSQL's weights A and C
    "INSERT INTO product_search (product_search, rank) VALUES ('rank', 'bm25(10.0, 10.0, 1.0)')",
    "INSERT INTO product_search (product_search) VALUES ('rebuild')",
)
_SQLITE_DROP = (
    "DROP TRIGGER IF EXISTS product_search_update",
    "DROP TRIGGER IF EXISTS product_search_delete",
    "DROP TRIGGER IF EXISTS product_search_insert",
    "DROP TABLE IF EXISTS product_search_vocab",
    "DROP TABLE IF EXISTS product_search",
)

# Punctuation becomes a space on both sides (document and query), so "PPE-1042" is the words ppe, 1042.
_PG_WORDS = "lower(regexp_replace(coalesce({0}, ''), '[^[:alnum:]]+', ' ', 'g'))"
_PG_DOCUMENT = (f"setweight(to_tsvector('simple', {_PG_WORDS.format('p.name')}), 'A') || "
                f"setweight(to_tsvector('simple', {_PG_WORDS.format('p.sku')}), 'A') || "
                f"setweight(to_tsvector('simple', {_PG_WORDS.format('p.description')}), 'C')")
_PG_CREATE = (
    """CREATE TABLE IF NOT EXISTS product_search (
         product_id integer PRIMARY KEY REFERENCES product (id) ON DELETE CASCADE,
         document tsvector NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS ix_product_search_document ON product_search USING gin (document)",
    'CREATE TABLE IF NOT EXISTS product_search_word (word text COLLATE "C" PRIMARY KEY)',
    f"""CREATE OR REPLACE FUNCTION product_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE doc tsvector;
        BEGIN
          SELECT {_PG_DOCUMENT} INTO doc FROM (SELECT NEW.name AS name, NEW.sku AS sku,
                                                     NEW.description AS description) AS p;
          INSERT INTO product_search (product_id, document) VALUES (NEW.id, doc)
            ON CONFLICT (product_id) DO UPDATE SET document = EXCLUDED.document;
          INSERT INTO product_search_word (word) SELECT unnest(tsvector_to_array(doc)) ON CONFLICT DO NOTHING;
          RETURN NULL;
        END $$""",
    "DROP TRIGGER IF EXISTS product_search_sync ON product",
    """CREATE TRIGGER product_search_sync AFTER INSERT OR UPDATE OF name, sku, description ON product
         FOR EACH ROW EXECUTE FUNCTION product_search_sync()""",
    f"""INSERT INTO product_search (product_id, document) SELECT p.id, {_PG_DOCUMENT} FROM product p
         ON CONFLICT (product_id) DO UPDATE SET document = EXCLUDED.document""",
    """INSERT INTO product_search_word (word) SELECT DISTINCT unnest(tsvector_to_array(document))
         FROM product_search ON CONFLICT DO NOTHING""",
)
_PG_DROP = (
    "DROP TRIGGER IF EXISTS product_search_sync ON product",
    "DROP FUNCTION IF EXISTS product_search_sync()",
    "DROP TABLE IF EXISTS product_search_word",
    "DROP TABLE IF EXISTS product_search",
)


def create_index(connection: Connection) -> None:
    """Create (or repair) the index and its triggers, and fill it from the products there are."""
    for statement in _PG_CREATE if connection.dialect.name == "postgresql" else _SQLITE_CREATE:
        connection.execute(text(statement))


def drop_index(connection: Connection) -> None:
    for statement in _PG_DROP if connection.dialect.name == "postgresql" else _SQLITE_DROP:
        connection.execute(text(statement))


def owns(name: str | None) -> bool:
    """Whether a database table is part of the search index (schema comparisons leave it out)."""
    return bool(name) and name.startswith(INDEX_PREFIX)


def in_models(name, type_, parent_names) -> bool:
    """Alembic ``include_name``: compare everything but the tables kept by triggers (the search index,
    the catalog revision)."""
    return not (type_ == "table" and (owns(name) or catalog_revision.owns(name)))


@event.listens_for(Product.__table__, "after_create")
def _index_after_create_all(target, connection, **kw) -> None:
    create_index(connection)


@event.listens_for(Product.__table__, "before_drop")
def _drop_index_before_drop_all(target, connection, **kw) -> None:
    drop_index(connection)


# --- queries ----------------------------------------------------------------------------------------

def words_of(query: str) -> list[str]:
    """The words of what someone typed, lower-cased, punctuation dropped (at most MAX_WORDS)."""
    return _WORD.findall((query or "").lower())[:MAX_WORDS]


@dataclass(frozen=True)
class Match:
    """How to limit a select over Product to a search, and how to rank it."""

    #: the index table to join, its join condition, the WHERE clause, the rank (smaller first)
    joined: object
    onclause: ColumnElement
    where: ColumnElement
    rank: ColumnElement
    #: the ids of the matching products, from the index alone (for ``Product.id.in_``)
    ids: object


#: the bound parameter holding a search's words as the engine's full-text query (``expression``)
WORDS_PARAM = "search_words"


def expression(words: list[str]) -> str:
    """The full-text query for the words (the value of ``WORDS_PARAM``): every word as a prefix, all of them
    required. The words are ``words_of``'s: the tokenizer's own characters only."""
    if reading.dialect() == "postgresql":
        return " & ".join(f"{w}:*" for w in words)
    return " ".join(f'"{w}"*' for w in words)  # each word quoted, as a prefix; FTS5 ANDs them


def match(words: list[str]) -> Match:
    """Every word must start a word of the product's name, SKU or description."""
    return bound_match(reading.dialect(), bindparam(WORDS_PARAM, expression(words)))


def bound_match(dialect: str, words=None) -> Match:
    """``match`` with the query left as the bound parameter ``WORDS_PARAM`` (``expression`` gives its value):
    a statement built with it once serves every search."""
    words = bindparam(WORDS_PARAM) if words is None else words
    if dialect == "postgresql":
        index = table("product_search", column("product_id"), column("document"))
        query = func.to_tsquery("simple", words)
        return Match(index, index.c.product_id == Product.id, index.c.document.op("@@")(query),
                     -func.ts_rank(index.c.document, query),
                     select(index.c.product_id).where(index.c.document.op("@@")(query)))
    index = table("product_search", column("rowid"), column("rank"))
    matches = literal_column("product_search").op("MATCH")(words)
    return Match(index, index.c.rowid == Product.id, matches, index.c.rank, select(index.c.rowid).where(matches))


def corrected(words: list[str]) -> list[str]:
    """The words, each one that starts no indexed word replaced by its closest indexed word (one query)."""
    if not words:
        return words
    distinct = list(dict.fromkeys(words))
    params = {}
    for i, word in enumerate(distinct):
        params.update({f"w{i}": word, f"w{i}_after": _after(word), f"w{i}_first": word[0],
                       f"w{i}_first_after": _after(word[0]), f"w{i}_shortest": len(word) - 2,
                       f"w{i}_longest": len(word) + 2})
    known = rows(_vocabulary_statement(reading.dialect(), len(distinct)), params).scalars().all()
    return [_closest(word, known) for word in words]


@lru_cache(maxsize=2 * MAX_WORDS)
def _vocabulary_statement(dialect: str, count: int):
    """The indexed words near `count` words (bound as w0, w0_after, ...), built once per engine and count.

    Per word: the indexed words it starts, and — only when it starts none — those of about its length
    with its first letter. Each range is a member of a UNION: fts5vocab answers an OR of ranges wrongly.
    The second range is skipped by a LIMIT of 0 when the word is known: fts5vocab reads every listed
    word's postings, so a range over a common letter costs in proportion to the catalog."""
    if dialect == "postgresql":
        term = table("product_search_word", column("word")).c.word
    else:
        term = table("product_search_vocab", column("term")).c.term
    ranges = []
    for i in range(count):
        starts = select(term).where(term >= bindparam(f"w{i}"), term < bindparam(f"w{i}_after"))
        ranges.append(starts)
        unknown = case((starts.exists(), 0), else_=-1 if dialect == "sqlite" else None)
        ranges.append(select(term).where(term >= bindparam(f"w{i}_first"), term < bindparam(f"w{i}_first_after"),
                                         func.length(term).between(bindparam(f"w{i}_shortest"),
                                                                   bindparam(f"w{i}_longest")))
                      .limit(unknown).subquery().select())
    return union(*ranges)


def _after(prefix: str) -> str:
    """The smallest string greater than every string starting with `prefix`."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def _closest(word: str, known: list[str]) -> str:
    if any(k.startswith(word) for k in known):
        return word
    allowed = 1 if len(word) <= 4 else 2
    best, best_distance = word, allowed + 1
    for candidate in known:
        if abs(len(candidate) - len(word)) > allowed:
            continue
        distance = edit_distance(word, candidate)
        if distance < best_distance or (distance == best_distance and candidate < best):
            best, best_distance = candidate, distance
    return best if best_distance <= allowed else word


def edit_distance(a: str, b: str) -> int:
    """Optimal string alignment distance: insertions, deletions, substitutions, adjacent swaps."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[len(b)]
