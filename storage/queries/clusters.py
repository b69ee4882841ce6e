"""Queries of the story clusters: anchors, copy candidates within the time window, merges."""

# Stories sharing at least `min_shared` anchors with the new one, published within the window: one
# probe of the primary key (anchor, at, ...) per anchor, so the archive's size does not matter.
COPY_CANDIDATES = """
SELECT c.article_id, count(*) AS shared
FROM article_anchors c
WHERE c.anchor = ANY(%(anchors)s::bigint[]) AND c.at BETWEEN %(since)s AND %(until)s
  AND c.article_id <> %(id)s
GROUP BY c.article_id
HAVING count(*) >= %(min_shared)s
ORDER BY count(*) DESC, c.article_id
LIMIT %(limit)s
"""

# An exact copy (same normalised text) anywhere in the archive, through the content-hash index.
EXACT_COPY = """
SELECT id, coalesce(cluster_id, id) FROM articles
WHERE content_hash = %(content_hash)s AND id <> %(id)s AND anchored >= %(scheme)s
ORDER BY id LIMIT 1
"""

CANDIDATE_TEXTS = "SELECT id, coalesce(cluster_id, id), body FROM articles WHERE id = ANY(%(ids)s)"

INSERT_ANCHORS = """
INSERT INTO article_anchors (anchor, at, article_id)
SELECT anchor, %(at)s, %(id)s FROM unnest(%(anchors)s::bigint[]) AS anchor
ON CONFLICT DO NOTHING
"""
DELETE_ANCHORS = "DELETE FROM article_anchors WHERE article_id = %(id)s"

SET_CLUSTER = "UPDATE articles SET cluster_id = %(cluster_id)s, anchored = %(scheme)s WHERE id = %(id)s"

# A story that bridges clusters merges them into the oldest (the one whose first story came first).
MERGE_CLUSTERS = """
UPDATE articles SET cluster_id = %(into)s
WHERE cluster_id = ANY(%(merged)s::bigint[]) OR (cluster_id IS NULL AND id = ANY(%(merged)s::bigint[]))
"""

# Stories stored before the current anchor scheme, oldest first (the partial index finds them).
UNANCHORED = """
SELECT id, body, coalesce(published_at, first_seen_at), content_hash FROM articles
WHERE anchored < %(scheme)s ORDER BY id LIMIT %(limit)s
"""
COUNT_UNANCHORED = "SELECT count(*) FROM articles WHERE anchored < %(scheme)s"
