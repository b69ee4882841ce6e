"""Content fingerprints: an exact content hash, a 64-bit SimHash, and the story-cluster measure.

Pure functions, shared by the deduplicate pipeline (which fills the hash and SimHash in), the
archive (which links a story to the cluster of an exact copy by its hash, or of a near copy by the
shingle containment below, found through its sampled anchors) and bench/clusters.py.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

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


# For each bit of a byte, a bytes.translate table mapping a byte to 1 when it has that bit set.
_BIT_SET = [bytes(value >> bit & 1 for value in range(256)) for bit in range(8)]


def simhash(text: str) -> int:
    """Charikar SimHash of the word 3-shingles, as a signed 64-bit int (fits PostgreSQL bigint).

    Each distinct shingle votes +1/-1 on every bit by its own 64-bit hash; a bit is set when most
    shingles vote for it. Similar texts get fingerprints a small Hamming distance apart; an empty
    text hashes to 0.
    """
    features = set(shingles(text))
    joined = b"".join([_feature_digest(shingle) for shingle in features])
    width = _BITS // 8
    unsigned = 0
    # Votes are counted per byte column and bit with bytes.translate and bytes.count (C loops), not
    # per digest and bit in Python: the vote was a third of the per-page pipeline's later stages.
    for position in range(width):
        column = joined[position::width]
        for bit in range(8):
            if 2 * column.translate(_BIT_SET[bit]).count(1) > len(features):
                unsigned |= 1 << ((width - 1 - position) * 8 + bit)
    return unsigned - (1 << _BITS) if unsigned >= 1 << (_BITS - 1) else unsigned


def hamming(a: int, b: int) -> int:
    """Number of differing bits between two 64-bit fingerprints (signed or unsigned)."""
    return ((a ^ b) & ((1 << _BITS) - 1)).bit_count()


# --- story clusters: word 4-shingles, sampled anchors, containment ----------------------------------
# Wire copies keep most of their 4-word runs through retitling, datelines, split or merged sentences
# and a dropped or added paragraph; independent reports of one event share only names and the odd
# quote (tests/storage/story_pairs.py: copies keep >= 0.67 of the smaller text's runs, other stories
# <= 0.13). Containment of the smaller text, not Jaccard: a copy that dropped half the story, or a
# roundup that carries two stories, is still the same story.
CLUSTER_SHINGLE_WORDS = 4
# A content-defined sample of the runs is indexed (hash % 16 == 0, ~20 per story): two copies sample
# the same runs wherever they share text, so a handful of index probes finds them.
ANCHOR_EVERY = 16
SAME_STORY_CONTAINMENT = 0.5
MIN_SHARED_SHINGLES = 15  # a few shared runs of a short brief are not a story


def _hash64(shingle: str) -> int:
    """A stable signed 64-bit hash (fits PostgreSQL bigint)."""
    return int.from_bytes(
        hashlib.blake2b(shingle.encode("utf-8"), digest_size=8).digest(), "big", signed=True
    )


def shingle_set(text: str, size: int = CLUSTER_SHINGLE_WORDS) -> frozenset[int]:
    """The hashes of the text's word `size`-shingles (casefolded, punctuation ignored)."""
    return frozenset(_hash64(shingle) for shingle in shingles(text, size))


def anchors(shingle_hashes: frozenset[int]) -> list[int]:
    """The sampled shingle hashes a story is indexed under, sorted."""
    return sorted(h for h in shingle_hashes if h % ANCHOR_EVERY == 0)


@dataclass(frozen=True)
class Resemblance:
    """How much two texts share: shingles in common, and that count over the smaller text's."""

    shared: int
    containment: float

    @property
    def same_story(self) -> bool:
        """Whether the texts are one story (a copy, however edited), by the thresholds above."""
        return self.shared >= MIN_SHARED_SHINGLES and self.containment >= SAME_STORY_CONTAINMENT


def resemblance(a: frozenset[int], b: frozenset[int]) -> Resemblance:
    """The resemblance of two shingle sets (see shingle_set)."""
    if not a or not b:
        return Resemblance(0, 0.0)
    shared = len(a & b)
    return Resemblance(shared, shared / min(len(a), len(b)))
