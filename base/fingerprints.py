"""Content fingerprints: an exact content hash and a 64-bit SimHash over word 3-shingles.

Pure functions, shared by the deduplicate pipeline (which fills them in) and the archive (which
links a story to the cluster of an identical or near-identical text with them).
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter

SHINGLE_WORDS = 3
_BITS = 64
_WORD = re.compile(r"\w+")
_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """The text as compared: casefolded, runs of whitespace collapsed to one space, trimmed."""
    return _SPACE.sub(" ", text.casefold()).strip()


def content_hash(text: str) -> str:
    """sha256 hex digest of the normalised text: equal for texts differing only in case or spacing."""
    return hashlib.sha256(normalise(text).encode("utf-8")).hexdigest()


def shingles(text: str, size: int = SHINGLE_WORDS) -> list[str]:
    """Overlapping runs of `size` words (punctuation ignored); a shorter text is one shingle."""
    words = _WORD.findall(text.casefold())
    if len(words) <= size:
        return [" ".join(words)] if words else []
    return [" ".join(words[i : i + size]) for i in range(len(words) - size + 1)]


def _feature_digest(shingle: str) -> bytes:
    # blake2b, not hash(): Python salts str hashes per process, and fingerprints must be stable.
    return hashlib.blake2b(shingle.encode("utf-8"), digest_size=_BITS // 8).digest()


# For each bit of a byte, the byte values that have it set.
_WITH_BIT = [[value for value in range(256) if value >> bit & 1] for bit in range(8)]


def simhash(text: str) -> int:
    """Charikar SimHash of the word 3-shingles, as a signed 64-bit int (fits PostgreSQL bigint).

    Each distinct shingle votes +1/-1 on every bit by its own 64-bit hash; a bit is set when most
    shingles vote for it. Similar texts get fingerprints a small Hamming distance apart; an empty
    text hashes to 0.
    """
    digests = [_feature_digest(shingle) for shingle in set(shingles(text))]
    unsigned = 0
    # Votes are tallied per byte column with Counter (C speed), not per bit in Python: ~20x faster.
    for position in range(_BITS // 8):
        tally = Counter(digest[position] for digest in digests)
        for bit in range(8):
            ones = sum(tally[value] for value in _WITH_BIT[bit])
            if 2 * ones > len(digests):
                unsigned |= 1 << ((_BITS // 8 - 1 - position) * 8 + bit)
    return unsigned - (1 << _BITS) if unsigned >= 1 << (_BITS - 1) else unsigned


def hamming(a: int, b: int) -> int:
    """Number of differing bits between two 64-bit fingerprints (signed or unsigned)."""
    return ((a ^ b) & ((1 << _BITS) - 1)).bit_count()
