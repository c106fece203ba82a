"""Where uploaded files live: one directory under instance/ by default (outside the web root).

Only generated names are ever used here; what a file may be and how it is served is the upload
service's business (portal.services.uploads).
"""
from __future__ import annotations

import re
from pathlib import Path

from flask import Flask

#: a name this app generated: hex and a short extension, nothing that can leave the directory
STORED_NAME = re.compile(r"[0-9a-f]{16,64}\.[a-z0-9]{1,5}")


def upload_dir(app: Flask) -> Path:
    path = Path(app.config.get("UPLOAD_DIR") or Path(app.instance_path) / "uploads")
    path.mkdir(parents=True, exist_ok=True)
    return path


def write(app: Flask, name: str, data: bytes) -> None:
    if not STORED_NAME.fullmatch(name):
        raise ValueError(f"not a generated storage name: {name!r}")
    (upload_dir(app) / name).write_bytes(data)


def path_of(app: Flask, name: str) -> Path | None:
    """The file stored under a generated name; None for any other name or a file that is gone."""
    if not isinstance(name, str) or not STORED_NAME.fullmatch(name):
        return None
    path = upload_dir(app) / name
    return path if path.is_file() else None
