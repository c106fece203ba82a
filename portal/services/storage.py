"""Uploaded files: one directory under instance/ by default."""
from __future__ import annotations

import secrets
from pathlib import Path

from flask import Flask
from werkzeug.datastructures import FileStorage

IMAGE_EXTENSIONS = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg"}


def upload_dir(app: Flask) -> Path:
    path = Path(app.config.get("UPLOAD_DIR") or Path(app.instance_path) / "uploads")
    path.mkdir(parents=True, exist_ok=True)
    return path


def save_image(app: Flask, file: FileStorage) -> str:
    """Store an uploaded image under a random name; returns the stored name."""
    suffix = Path(file.filename or "").suffix.lower()
    if suffix not in IMAGE_EXTENSIONS:
        raise ValueError("must be an image (PNG, JPEG, GIF, WebP or SVG)")
    name = f"{secrets.token_hex(8)}{suffix}"
    file.save(upload_dir(app) / name)
    return name
