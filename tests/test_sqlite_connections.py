"""Every SQLite connection the app opens enforces foreign keys, writes ahead (WAL) and reads the file
through memory mapping (the catalog's pages walk rows scattered over a large file)."""
from __future__ import annotations

from sqlalchemy import create_engine, text

import portal  # noqa: F401  (registers the connect listener that sets the pragmas)


def test_a_new_sqlite_connection_gets_the_apps_pragmas(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path}/p.db")
    try:
        with engine.connect() as conn:
            assert conn.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
            assert conn.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
            assert conn.execute(text("PRAGMA mmap_size")).scalar_one() == 1024 ** 3
    finally:
        engine.dispose()
