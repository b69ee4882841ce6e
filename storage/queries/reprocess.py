"""Queries of reprocessing: stories whose scores are stale, batched rescoring, re-extraction."""

# A (story, topic) score is stale when no row of that topic carries the topic's current fingerprint.
_STALE = """
EXISTS (SELECT 1 FROM unnest(%(topics)s::text[], %(fingerprints)s::text[]) AS c(topic, fingerprint)
        WHERE NOT EXISTS (SELECT 1 FROM article_topics t
                          WHERE t.article_id = a.id AND t.topic = c.topic
                            AND t.fingerprint = c.fingerprint))
"""
_SINCE = "(%(since)s::timestamptz IS NULL OR a.published_at >= %(since)s::timestamptz)"

COUNT_STALE = f"SELECT count(*) FROM articles a WHERE {_SINCE} AND {_STALE}"

# Per topic: how many stories carry a score of an older definition of it (or none).
STALE_BY_TOPIC = """
SELECT c.topic, count(a.id)
FROM unnest(%(topics)s::text[], %(fingerprints)s::text[]) AS c(topic, fingerprint)
LEFT JOIN articles a ON NOT EXISTS (
    SELECT 1 FROM article_topics t
    WHERE t.article_id = a.id AND t.topic = c.topic AND t.fingerprint = c.fingerprint)
GROUP BY c.topic ORDER BY c.topic
"""

# Keyset batches: the next stories after `after` (by id) with a stale score.
STALE_BATCH = f"""
SELECT a.id, a.title, a.body, a.content_hash FROM articles a
WHERE a.id > %(after)s AND {_SINCE} AND {_STALE}
ORDER BY a.id LIMIT %(limit)s
"""

BATCH_SCORES = """
SELECT article_id, topic, score, on_topic, fingerprint FROM article_topics
WHERE article_id = ANY(%(ids)s::bigint[]) AND topic = ANY(%(topics)s::text[])
"""

# New scores of a batch, written only where the story still has the text they were computed on
# (a crawl may have updated it meanwhile). rescored_at: set when this write puts the story on the
# topic, kept while it stays on, cleared when it leaves; in (article, topic) order against deadlocks.
WRITE_SCORES = """
INSERT INTO article_topics AS t
    (article_id, topic, score, on_topic, matched_terms, fingerprint, scored_at, rescored_at)
SELECT u.article_id, u.topic, u.score, u.on_topic, u.matched_terms::jsonb, u.fingerprint, %(now)s,
       CASE WHEN u.on_topic THEN %(now)s::timestamptz END
FROM unnest(%(ids)s::bigint[], %(topics)s::text[], %(scores)s::real[], %(on_topic)s::boolean[],
            %(terms)s::text[], %(fingerprints)s::text[], %(hashes)s::text[])
     AS u(article_id, topic, score, on_topic, matched_terms, fingerprint, content_hash)
JOIN articles a ON a.id = u.article_id AND a.content_hash = u.content_hash
ORDER BY u.article_id, u.topic
ON CONFLICT (article_id, topic) DO UPDATE SET
    score = EXCLUDED.score, on_topic = EXCLUDED.on_topic, matched_terms = EXCLUDED.matched_terms,
    fingerprint = EXCLUDED.fingerprint, scored_at = EXCLUDED.scored_at,
    rescored_at = CASE WHEN NOT EXCLUDED.on_topic THEN NULL
                       WHEN t.on_topic THEN t.rescored_at
                       ELSE EXCLUDED.scored_at END
"""

COUNT_RAW = f"""
SELECT count(*) FROM articles a
WHERE a.site = ANY(%(sites)s::text[]) AND {_SINCE} AND a.raw_html IS NOT NULL
"""

# Stored stories of the given sites with their pages as fetched, in keyset batches.
RAW_BATCH = """
SELECT a.id, a.site, a.url, a.canonical_url, a.title, a.lead, a.body, a.published_at, a.date_source,
       a.language, a.language_prob, a.first_seen_at, a.raw_html
FROM articles a
WHERE a.id > %(after)s AND a.site = ANY(%(sites)s::text[]) AND {since} AND a.raw_html IS NOT NULL
ORDER BY a.id LIMIT %(limit)s
""".replace("{since}", _SINCE)

# Our extractor improved, the site did not edit the story: no version, no updated_at, no last_seen_at.
UPDATE_EXTRACTED = """
UPDATE articles SET
    title = %(title)s, lead = %(lead)s, body = %(body)s,
    published_at = coalesce(%(published_at)s, published_at),
    date_source = coalesce(%(date_source)s, date_source),
    language = %(language)s, language_prob = %(language_prob)s,
    content_hash = %(content_hash)s, simhash = %(simhash)s
WHERE id = %(id)s
"""
