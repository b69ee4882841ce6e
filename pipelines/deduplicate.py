"""Fill the story's fingerprints; the archive decides what is a duplicate (`pantau.storage.articles`)."""

from __future__ import annotations

from pantau.base.fingerprints import content_hash, simhash
from pantau.base.models import Article


class DeduplicatePipeline:
    """Fill `content_hash` and `simhash` from the clean body; the store decides what is a duplicate."""

    def process_item(self, item: Article) -> Article:
        """Fingerprint the item's text (pure: no database, never drops)."""
        item.content_hash = content_hash(item.text)
        item.simhash = simhash(item.text)
        return item
