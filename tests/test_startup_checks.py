"""Production refuses to start on unsafe settings, with one clear sentence and no traceback."""
from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from portal import create_app
from portal.secret_strength import weakness
from portal.startup_checks import StartupRefused

ROOT = Path(__file__).resolve().parent.parent

WEAK_KEYS = [
    "x" * 48,                                      # one character repeated
    "ab" * 24,                                     # two characters repeated
    "password" * 5,                                # a short word repeated
    "Tr0ub4dor&3" * 4,                             # a stronger-looking word repeated
    "0123456789" * 4,                              # digits repeated
    "abcdefghijklmnopqrstuvwxyz0123456789ABCDEF",  # a run
    "abcabcabcabcabcabcabcabcabcabcabcabcXYZ!",     # almost a repeat
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab",   # nearly one character
    "short-but-not-default",                       # too short
    "change-me",
]


def production(tmp_path, **config) -> dict:
    return {"PORTAL_ENV": "production", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/p.db",
            "PORTAL_BASE_URL": "https://portal.example.com", **config}


@pytest.mark.parametrize("key", WEAK_KEYS)
def test_production_refuses_low_entropy_secret_keys(tmp_path, key):
    with pytest.raises(StartupRefused, match="SECRET_KEY"):
        create_app(production(tmp_path, SECRET_KEY=key))


@pytest.mark.parametrize("make_key", [lambda: secrets.token_urlsafe(48), lambda: secrets.token_hex(16),
                                      lambda: secrets.token_hex(32), lambda: secrets.token_urlsafe(24)])
def test_random_keys_are_accepted(make_key):
    for _ in range(200):
        key = make_key()
        assert weakness(key) is None, key


def _start(tmp_path, module: str, env: dict) -> subprocess.CompletedProcess:
    full = {**{k: v for k, v in os.environ.items() if not k.startswith(("PORTAL_", "SECRET_KEY"))},
            "PORTAL_ENV": "production", "DATABASE_URL": f"sqlite:///{tmp_path}/p.db", **env}
    code = "import wsgi" if module == "wsgi" else "from portal.cli import main; main(['routes'])"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=full, capture_output=True, text=True, check=False,
                          timeout=60)


@pytest.mark.parametrize("module", ["wsgi", "cli"])
def test_a_weak_key_stops_the_process_with_a_message_and_no_traceback(tmp_path, module):
    result = _start(tmp_path, module, {"SECRET_KEY": "password" * 5,
                                       "PORTAL_BASE_URL": "https://portal.example.com"})
    assert result.returncode == 3
    assert "SECRET_KEY" in result.stderr and "too weak" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_wsgi_app_freezes_what_it_built_so_collections_skip_it(tmp_path):
    """wsgi.py freezes the startup objects: the collector walks a few thousand objects, not 250,000
    (a full collection would otherwise pause the worker for tens of milliseconds)."""
    full = {**{k: v for k, v in os.environ.items() if not k.startswith(("PORTAL_", "SECRET_KEY"))},
            "PORTAL_ENV": "production", "DATABASE_URL": f"sqlite:///{tmp_path}/p.db",
            "SECRET_KEY": secrets.token_urlsafe(48), "PORTAL_BASE_URL": "https://portal.example.com"}
    code = "import gc, wsgi; print(gc.get_freeze_count(), len(gc.get_objects()))"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=full, capture_output=True, text=True,
                            check=False, timeout=60)
    assert result.returncode == 0, result.stderr
    frozen, walked = map(int, result.stdout.split())
    assert frozen > 100_000 and walked < frozen / 10, (frozen, walked)
