"""pg_dump and pg_restore for backups of a PostgreSQL database: found, version-checked, run.

pg_dump refuses a server newer than itself with a long message; this module says it first, in one
line, with what to install. The password travels in PGPASSWORD, never on the command line.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine

from portal.services.backup_archive import BackupError


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} was not found on PATH; install the PostgreSQL client tools "
                          "(e.g. the postgresql-client package) matching the server's version.")
    return path


def tool_major(path: str) -> int:
    """The major version of a client tool: `pg_dump (PostgreSQL) 15.20 (Debian ...)` -> 15."""
    output = subprocess.run([path, "--version"], capture_output=True, text=True, check=False).stdout
    match = re.search(r"\)\s*(\d+)", output) or re.search(r"(\d+)", output)
    if not match:
        raise BackupError(f"Could not tell the version of {path} from {output.strip()!r}.")
    return int(match.group(1))


def server_major(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SHOW server_version_num")).scalar()) // 10000


def checked_tool(name: str, engine: Engine) -> str:
    """The tool's path, once its version is known to handle this server."""
    path = _tool(name)
    client, server = tool_major(path), server_major(engine)
    if client < server:
        raise BackupError(f"{name} {client} is older than the PostgreSQL {server} server; install the "
                          f"PostgreSQL {server} client tools (e.g. postgresql-client-{server}) and try again.")
    return path


def _connection(engine: Engine) -> tuple[str, dict]:
    """A libpq URI without the password, and the environment carrying it."""
    url = engine.url
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    uri = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return uri, env


def _run(args: list[str], env: dict, what: str) -> None:
    result = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        detail = (result.stderr.strip().splitlines() or ["no message"])[-1]
        raise BackupError(f"{what} failed: {detail}")


def dump(engine: Engine, target: Path) -> None:
    """A consistent snapshot (pg_dump reads in one transaction) in pg_dump's custom format."""
    tool = checked_tool("pg_dump", engine)
    uri, env = _connection(engine)
    _run([tool, "--format=custom", "--no-owner", "--no-privileges", f"--file={target}", f"--dbname={uri}"],
         env, "pg_dump")


def restore(engine: Engine, source: Path) -> None:
    """Load a dump into the (empty) database in one transaction: all of it or nothing."""
    tool = checked_tool("pg_restore", engine)
    uri, env = _connection(engine)
    _run([tool, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
          f"--dbname={uri}", str(source)], env, "pg_restore")
