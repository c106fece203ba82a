"""Open-redirect protection for ?next= parameters."""
from urllib.parse import urlsplit


def safe_next(target: str | None) -> str | None:
    """Return target only when it is a path on this site (no scheme, no host, no //)."""
    if not target:
        return None
    target = target.strip()
    if "\\" in target or any(ord(c) < 32 for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target
