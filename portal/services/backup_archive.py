"""The backup archive: a gzip'd tar with a manifest, checked byte for byte before anything is restored.

Layout (in this order)::

    manifest.json          format, engine, schema revision, app version, created time, sha256 + size of every member
    manifest.json.sha256   the manifest's own digest
    database.sqlite3 | database.pgdump
    uploads/<stored name>  the files of instance/uploads

What catches a changed byte: the gzip header's comment field holds the sha256 of every byte after
the header (the compressed stream and its trailer), and the rest of the header must be the fixed one
this module writes; so no byte can change unnoticed, not even one deflate would decompress to the
same content. Then the whole stream is decompressed (gzip checks its CRC-32), tar checks each
header, and every member's sha256 must match the manifest, whose own digest must match. A member
missing, extra or of another name is refused too. gzip and tar read the archive as usual.
"""
from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import re
import tarfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

FORMAT = "portal-backup/1"
MANIFEST = "manifest.json"
MANIFEST_DIGEST = "manifest.json.sha256"
DATABASE_MEMBERS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
_UPLOAD_MEMBER = re.compile(r"uploads/[0-9a-f]{16,64}\.[a-z0-9]{1,5}")
#: the gzip header gzip.GzipFile(filename="", mtime=0, compresslevel=6) writes: magic, deflate, no flags,
#: time 0, no extra flags, OS "unknown"; and the one the archive gets: flag FCOMMENT, then the comment
_PLAIN_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
_HEADER = b"\x1f\x8b\x08\x10\x00\x00\x00\x00\x00\xff"
_COMMENT = re.compile(rb"sha256:([0-9a-f]{64})\x00")
_COMMENT_LENGTH = len("sha256:") + 64 + 1
_CHUNK = 1 << 20


class BackupError(Exception):
    """A backup or restore refused, with a one-line message for the person running it."""


@dataclass
class Manifest:
    engine: str
    schema_revision: str
    app_version: str
    created: str
    files: dict[str, dict] = field(default_factory=dict)  # member name -> {"sha256": ..., "size": ...}

    @property
    def database_member(self) -> str:
        return DATABASE_MEMBERS[self.engine]

    @property
    def uploads(self) -> list[str]:
        return sorted(name for name in self.files if name.startswith("uploads/"))

    def to_json(self) -> bytes:
        return json.dumps({"format": FORMAT, "engine": self.engine, "schema_revision": self.schema_revision,
                           "app_version": self.app_version, "created": self.created, "files": self.files},
                          indent=2, sort_keys=True).encode()


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def write_archive(target: Path, manifest: Manifest, members: dict[str, Path]) -> None:
    """Write the archive: the manifest (with the digest of every member filled in) first, then the members."""
    manifest.files = {name: {"sha256": sha256_of(path), "size": path.stat().st_size}
                      for name, path in members.items()}
    manifest_bytes = manifest.to_json()
    partial = target.with_name(target.name + ".partial")
    _private_file(partial)
    with partial.open("wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0,
                                                  compresslevel=6) as gz, \
            tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar:
        _add_bytes(tar, MANIFEST, manifest_bytes)
        _add_bytes(tar, MANIFEST_DIGEST, hashlib.sha256(manifest_bytes).hexdigest().encode())
        for name, path in members.items():
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = manifest.files[name]["size"], 0o600, 0
            with path.open("rb") as f:
                tar.addfile(info, f)
    _seal(partial, target)
    partial.unlink()


def _seal(partial: Path, target: Path) -> None:
    """Rewrite the gzip header with the digest of everything after it in its comment field."""
    digest = hashlib.sha256()
    with partial.open("rb") as f:
        if f.read(len(_PLAIN_HEADER)) != _PLAIN_HEADER:
            raise RuntimeError("gzip wrote an unexpected header")
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    sealed = target.with_name(target.name + ".sealing")
    _private_file(sealed)
    with partial.open("rb") as f, sealed.open("wb") as out:
        f.seek(len(_PLAIN_HEADER))
        out.write(_HEADER + b"sha256:" + digest.hexdigest().encode() + b"\x00")
        while chunk := f.read(_CHUNK):
            out.write(chunk)
    sealed.replace(target)  # a half-written archive never carries the archive's name


def _private_file(path: Path) -> None:
    """Created readable by its owner only: a backup holds every customer's data."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
    path.chmod(0o600)


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(data), 0o600, 0
    tar.addfile(info, io.BytesIO(data))


def open_archive(archive: Path, workdir: Path) -> Manifest:
    """Check the archive and unpack it into workdir; its manifest, or BackupError saying what is wrong."""
    if not archive.is_file():
        raise BackupError(f"{archive} does not exist or is not a file.")
    damaged = f"{archive.name} is damaged or not a Portal backup"
    with archive.open("rb") as f:
        comment = _COMMENT.fullmatch(f.read(len(_HEADER) + _COMMENT_LENGTH)[len(_HEADER):])
        f.seek(0)
        if f.read(len(_HEADER)) != _HEADER or comment is None:
            raise BackupError(f"{damaged}: its header is not the one `portal backup` writes.")
        f.seek(len(_HEADER) + _COMMENT_LENGTH)
        digest = hashlib.sha256()
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
        if digest.hexdigest() != comment.group(1).decode():
            raise BackupError(f"{damaged}: its content does not match the checksum in its header "
                              "(it was changed or cut short after it was written).")
    try:
        _check_gzip_stream(archive)
        manifest, digests = _unpack(archive, workdir)
    except (tarfile.TarError, OSError, EOFError, zlib.error, UnicodeError) as exc:
        raise BackupError(f"{damaged} ({exc}).") from None
    for name, expected in manifest.files.items():
        if digests.get(name) != expected.get("sha256"):
            what = "is missing" if name not in digests else "does not match its checksum"
            raise BackupError(f"{damaged}: {name} {what}.")
    extra = set(digests) - set(manifest.files)
    if extra:
        raise BackupError(f"{damaged}: {min(extra)} is not listed in its manifest.")
    return manifest


def _check_gzip_stream(archive: Path) -> None:
    """Decompress to the end: gzip checks its CRC-32 and length trailer there."""
    with gzip.open(archive, "rb") as f:
        while f.read(_CHUNK):
            pass


def _unpack(archive: Path, workdir: Path) -> tuple[Manifest, dict[str, str]]:
    digests: dict[str, str] = {}
    manifest = None
    with tarfile.open(archive, mode="r:gz") as tar:
        for position, info in enumerate(tar):
            expected_name = (MANIFEST, MANIFEST_DIGEST)[position] if position < 2 else None
            if expected_name and info.name != expected_name:
                raise BackupError(f"{archive.name} is not a Portal backup: it does not start with its manifest.")
            if not info.isreg():
                raise BackupError(f"{archive.name} is not a Portal backup: {info.name} is not a plain file.")
            data = tar.extractfile(info)
            if position == 0:
                manifest_bytes = data.read()
                continue
            if position == 1:
                if data.read().decode() != hashlib.sha256(manifest_bytes).hexdigest():
                    raise BackupError(f"{archive.name} is damaged: its manifest does not match its checksum.")
                manifest = _parse_manifest(archive, manifest_bytes)
                continue
            if info.name != manifest.database_member and not _UPLOAD_MEMBER.fullmatch(info.name):
                raise BackupError(f"{archive.name} is not a Portal backup: unexpected member {info.name}.")
            if info.name in digests:
                raise BackupError(f"{archive.name} is damaged: {info.name} appears twice.")
            target = workdir / info.name
            target.parent.mkdir(parents=True, exist_ok=True)
            digest = hashlib.sha256()
            with target.open("wb") as out:
                while chunk := data.read(_CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
            digests[info.name] = digest.hexdigest()
    if manifest is None:
        raise BackupError(f"{archive.name} is not a Portal backup: it has no manifest.")
    return manifest, digests


def _parse_manifest(archive: Path, data: bytes) -> Manifest:
    try:
        raw = json.loads(data)
        if raw.get("format") != FORMAT:
            raise BackupError(f"{archive.name} is not a {FORMAT} archive (format {raw.get('format')!r}).")
        manifest = Manifest(engine=raw["engine"], schema_revision=raw["schema_revision"],
                            app_version=raw["app_version"], created=raw["created"], files=raw["files"])
    except (ValueError, KeyError, TypeError, AttributeError):
        raise BackupError(f"{archive.name} is not a Portal backup: its manifest cannot be read.") from None
    if manifest.engine not in DATABASE_MEMBERS or manifest.database_member not in manifest.files:
        raise BackupError(f"{archive.name} is not a Portal backup: its manifest names no database.")
    return manifest
