"""How guessable a secret key is: a rough entropy estimate that catches what people type.

A random key (``secrets.token_urlsafe(48)``, 64 hex digits) scores far above the bar; one character
repeated, a word repeated, a run like ``abcdef…`` or ``0123…`` and anything that compresses well
scores far below it. The estimate is the smallest of three views of the key:

- the Shannon entropy of its shortest repeating unit (``passwordpassword…`` counts as ``password``);
- the same for the steps between neighbouring characters (``abcd…`` and ``1357…`` are one step repeated);
- what zlib leaves of it (near-repeats such as ``abcabcabc…XYZ``).
"""
from __future__ import annotations

import itertools
import math
import zlib
from collections import Counter
from collections.abc import Sequence

#: shortest key accepted in production
MIN_LENGTH = 32
#: fewest different characters accepted (random hex of 32 digits has at least 9 in practice)
MIN_DISTINCT = 8
#: smallest estimated entropy accepted, in bits (random hex of 32 digits scores above 85)
MIN_BITS = 80
#: bytes zlib adds to any input (header, checksum, block marker)
_ZLIB_OVERHEAD = 8


def _shannon_bits(items: Sequence) -> float:
    counts, n = Counter(items), len(items)
    return -sum(c * math.log2(c / n) for c in counts.values()) if n else 0.0


def shortest_period(items: Sequence) -> int:
    """Length of the shortest unit the sequence repeats (its own length when it repeats nothing)."""
    n = len(items)
    border = [0] * n
    for i in range(1, n):
        k = border[i - 1]
        while k and items[i] != items[k]:
            k = border[k - 1]
        if items[i] == items[k]:
            k += 1
        border[i] = k
    return n - border[-1] if n else 0


def _unit_bits(items: Sequence) -> float:
    period = shortest_period(items)
    unit = items[:period] if period <= len(items) // 2 else items
    return _shannon_bits(unit)


def estimated_bits(key: str) -> float:
    """A rough upper bound of the key's entropy in bits (see the module docstring)."""
    steps = [ord(b) - ord(a) for a, b in itertools.pairwise(key)]
    compressed = (len(zlib.compress(key.encode("utf-8"), 9)) - _ZLIB_OVERHEAD) * 8
    return min(_unit_bits(key), _unit_bits(steps), compressed)


def weakness(key: str | None) -> str | None:
    """Why this key is too weak for production, or None when it looks random enough."""
    if not key:
        return "is not set"
    if len(key) < MIN_LENGTH:
        return f"is only {len(key)} characters long (at least {MIN_LENGTH} are needed)"
    if len(set(key)) < MIN_DISTINCT:
        return f"uses only {len(set(key))} different characters"
    period = shortest_period(key)
    if period <= len(key) // 2:
        return f"repeats the same {period} characters"
    if estimated_bits(key) < MIN_BITS:
        return "is too predictable (a run, a pattern or repeated text)"
    return None
