"""An uploaded import file kept between the steps of an import (mapping, preview, apply).

Stored under the upload directory's ``imports/`` folder with a generated name; the form carries only
that name, and a name this module did not generate is never opened. Files older than a day are removed.
"""
from __future__ import annotations

import re
import secrets
import time
from pathlib import Path

from flask import current_app

from portal.services import storage

TOKEN = re.compile(r"[0-9a-f]{32}\.(csv|xlsx)")
MAX_AGE = 24 * 3600


def _folder() -> Path:
    folder = storage.upload_dir(current_app) / "imports"
    folder.mkdir(exist_ok=True)
    return folder


def keep(data: bytes, fmt: str) -> str:
    """Store the file; returns its generated name (the token the next steps send back)."""
    folder = _folder()
    for old in folder.iterdir():
        if old.is_file() and time.time() - old.stat().st_mtime > MAX_AGE:
            old.unlink(missing_ok=True)
    token = f"{secrets.token_hex(16)}.{fmt}"
    (folder / token).write_bytes(data)
    return token


def load(token: str | None) -> bytes | None:
    """The file kept under `token`; None for any other name, or a file that is gone."""
    if not isinstance(token, str) or not TOKEN.fullmatch(token):
        return None
    path = _folder() / token
    return path.read_bytes() if path.is_file() else None


def discard(token: str) -> None:
    if isinstance(token, str) and TOKEN.fullmatch(token):
        (_folder() / token).unlink(missing_ok=True)
