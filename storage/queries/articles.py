"""Queries of the article store: upsert, versions, topic scores (story clusters: queries/clusters.py)."""

# Identity is the canonical URL *and* the site's own id: an AMP or mobile copy that slipped past
# canonicalisation still lands on the row of its site id. No conflict target, so a clash on either
# unique key does nothing; no row back means "known" and the caller reads the row FOR UPDATE.
INSERT_ARTICLE = """
INSERT INTO articles (
    site, site_article_id, canonical_url, url, title, lead, body, authors, section, tags,
    published_at, date_source, language, language_prob, content_hash, simhash, backfilled, raw_html,
    site_summary)
VALUES (
    %(site)s, %(site_article_id)s, %(canonical_url)s, %(url)s, %(title)s, %(lead)s, %(body)s,
    %(authors)s, %(section)s, %(tags)s, %(published_at)s, %(date_source)s, %(language)s,
    %(language_prob)s, %(content_hash)s, %(simhash)s, %(backfilled)s, %(raw_html)s, %(site_summary)s)
ON CONFLICT DO NOTHING
RETURNING id, coalesce(published_at, first_seen_at) AS at
"""

# The known row, locked for the rest of the transaction; the canonical URL wins over the site id.
LOCK_KNOWN_ARTICLE = """
SELECT id, content_hash, title, coalesce(cluster_id, id) AS cluster_id, version
FROM articles
WHERE canonical_url = %(canonical_url)s OR (site = %(site)s AND site_article_id = %(site_article_id)s)
ORDER BY canonical_url = %(canonical_url)s DESC
LIMIT 1
FOR UPDATE
"""

# The row in articles is always the newest text; the one it replaces goes to article_versions.
KEEP_VERSION = """
INSERT INTO article_versions (article_id, version, title, lead, body, content_hash, published_at)
SELECT id, version, title, lead, body, content_hash, published_at FROM articles WHERE id = %(id)s
ON CONFLICT (article_id, version) DO NOTHING
"""

UPDATE_ARTICLE = """
UPDATE articles SET
    url = %(url)s, title = %(title)s, lead = %(lead)s, body = %(body)s, authors = %(authors)s,
    section = %(section)s, tags = %(tags)s, published_at = coalesce(%(published_at)s, published_at),
    date_source = coalesce(%(date_source)s, date_source), language = %(language)s,
    language_prob = %(language_prob)s, content_hash = %(content_hash)s, simhash = %(simhash)s,
    raw_html = %(raw_html)s, site_summary = %(site_summary)s, version = version + 1, updated_at = now(),
    last_seen_at = now()
WHERE id = %(id)s
RETURNING coalesce(published_at, first_seen_at) AS at
"""

TOUCH_ARTICLE = "UPDATE articles SET last_seen_at = now() WHERE id = %(id)s"

# The crawl's scores; a story the crawl finds off topic is no longer one a rescore brought in.
UPSERT_TOPIC = """
INSERT INTO article_topics (article_id, topic, score, on_topic, matched_terms, fingerprint)
VALUES (%(article_id)s, %(topic)s, %(score)s, %(on_topic)s, %(matched_terms)s, %(fingerprint)s)
ON CONFLICT (article_id, topic) DO UPDATE SET
    score = EXCLUDED.score, on_topic = EXCLUDED.on_topic,
    matched_terms = EXCLUDED.matched_terms, scored_at = now(), fingerprint = EXCLUDED.fingerprint,
    rescored_at = CASE WHEN EXCLUDED.on_topic THEN article_topics.rescored_at END
"""

# "Seen" means stored: discovery's row flips in the same transaction as the article.
MARK_DISCOVERED_STORED = """
UPDATE discovered_urls SET status = 'stored', last_error = NULL, next_attempt_at = NULL
WHERE canonical_url = %(canonical_url)s AND status <> 'stored'
"""

KNOWN_URLS = "SELECT canonical_url FROM articles WHERE canonical_url = ANY(%(urls)s::text[])"

GET_ARTICLE = """
SELECT id, site, site_article_id, canonical_url, url, title, lead, body, authors, section, tags,
       published_at, date_source, language, language_prob, content_hash, simhash, cluster_id, version,
       backfilled, first_seen_at, last_seen_at, updated_at, raw_html, site_summary
FROM articles WHERE id = %(id)s
"""

ARTICLE_TOPICS = """
SELECT topic, score, on_topic, matched_terms, scored_at FROM article_topics
WHERE article_id = %(id)s ORDER BY topic
"""
