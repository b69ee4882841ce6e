"""Queries of the digest outbox: subscriptions, digests, their items and per-recipient deliveries.

Every time comes in as a parameter (`%(now)s`), never from the server's now(): the daemon's clock is
the one that decides periods and back-off, and tests can freeze it.
"""

UPSERT_SUBSCRIPTION = """
INSERT INTO subscriptions (name, settings, created_at, updated_at)
VALUES (%(name)s, %(settings)s, %(now)s, %(now)s)
ON CONFLICT (name) DO UPDATE SET settings = EXCLUDED.settings, updated_at = EXCLUDED.updated_at
WHERE subscriptions.settings IS DISTINCT FROM EXCLUDED.settings
"""
SUBSCRIPTION_CREATED_AT = "SELECT created_at FROM subscriptions WHERE name = %s"

LAST_PERIOD_END = "SELECT max(period_end) FROM digests WHERE subscription = %s"

INSERT_DIGEST = """
INSERT INTO digests (subscription, period_start, period_end, status, created_at)
VALUES (%(subscription)s, %(start)s, %(end)s, 'ready', %(now)s)
ON CONFLICT (subscription, period_end) DO NOTHING
RETURNING id
"""

# What a digest may list: backfilled stories only if asked, the accepted languages, and a story
# (cluster) no earlier digest of this subscription carried; the carried article's current cluster
# counts, as clusters merge when a later story bridges two.
_LISTABLE = """(%(include_backfill)s OR NOT a.backfilled)
  AND (a.language IS NULL OR a.language = ANY(%(languages)s))
  AND NOT EXISTS (
      SELECT 1 FROM digest_items i JOIN digests d ON d.id = i.digest_id JOIN articles c ON c.id = i.article_id
      WHERE d.subscription = %(subscription)s
        AND coalesce(c.cluster_id, c.id) = coalesce(a.cluster_id, a.id))"""

# On-topic stories first seen in the period (put on the topic by the crawl, not by a rescore) whose
# story (cluster) no earlier digest of this subscription carried. One row per article; the caller
# keeps the best article of each cluster.
NEW_CANDIDATES = f"""
SELECT a.id, coalesce(a.cluster_id, a.id) AS cluster, max(t.score) AS score, a.published_at
FROM articles a
JOIN article_topics t ON t.article_id = a.id
WHERE a.first_seen_at > %(start)s AND a.first_seen_at <= %(end)s
  AND t.topic = ANY(%(topics)s) AND t.on_topic AND t.score >= %(min_score)s
  AND t.rescored_at IS NULL
  AND {_LISTABLE}
GROUP BY a.id
"""

# Stories a rescore (a changed topic file) put on a topic in the period, whatever their age: only
# for subscriptions with include_rescored, listed once like every story.
RESCORED_CANDIDATES = f"""
SELECT a.id, coalesce(a.cluster_id, a.id) AS cluster, max(t.score) AS score, a.published_at
FROM article_topics t
JOIN articles a ON a.id = t.article_id
WHERE t.rescored_at > %(start)s AND t.rescored_at <= %(end)s
  AND t.topic = ANY(%(topics)s) AND t.on_topic AND t.score >= %(min_score)s
  AND {_LISTABLE}
GROUP BY a.id
"""

# Stories an earlier digest of this subscription carried whose text changed in this period.
UPDATED_CANDIDATES = """
SELECT a.id, i.cluster_id AS cluster, max(t.score) AS score, a.published_at
FROM digest_items i
JOIN digests d ON d.id = i.digest_id
JOIN articles a ON a.id = i.article_id
JOIN article_topics t ON t.article_id = a.id
WHERE d.subscription = %(subscription)s AND d.period_end <= %(start)s
  AND a.updated_at > %(start)s AND a.updated_at <= %(end)s AND a.updated_at > d.created_at
  AND t.topic = ANY(%(topics)s) AND t.on_topic AND t.score >= %(min_score)s
GROUP BY a.id, i.cluster_id
"""

INSERT_ITEM = """
INSERT INTO digest_items (digest_id, article_id, cluster_id, rank, updated, rescored)
VALUES (%(digest_id)s, %(article_id)s, %(cluster_id)s, %(rank)s, %(updated)s, %(rescored)s)
"""

# What a digest entry shows, with the other outlets of its story seen by the period's end (each
# outlet once, its first copy), earliest first.
ENTRY_DETAILS = """
SELECT a.id, a.site, a.title, a.canonical_url, a.lead, a.body, a.published_at,
       coalesce(o.sites, '{}') AS also_sites, coalesce(o.times, '{}') AS also_times,
       coalesce((SELECT array_agg(DISTINCT term) FROM article_topics t,
                        jsonb_array_elements_text(t.matched_terms) AS term
                 WHERE t.article_id = a.id AND t.topic = ANY(%(topics)s)), '{}') AS terms
FROM articles a
LEFT JOIN LATERAL (
    SELECT array_agg(c.site ORDER BY c.published_at NULLS LAST, c.site) AS sites,
           array_agg(c.published_at ORDER BY c.published_at NULLS LAST, c.site) AS times
    FROM (SELECT DISTINCT ON (b.site) b.site, b.published_at FROM articles b
          WHERE (b.cluster_id = coalesce(a.cluster_id, a.id) OR b.id = coalesce(a.cluster_id, a.id))
            AND b.site <> a.site
            AND b.first_seen_at <= %(end)s
          ORDER BY b.site, b.published_at NULLS LAST, b.id) c
) o ON true
WHERE a.id = ANY(%(ids)s)
"""

SET_DIGEST_CONTENT = """
UPDATE digests SET subject = %(subject)s, body_text = %(body_text)s, body_html = %(body_html)s,
       message_id = %(message_id)s, status = %(status)s, finished_at = %(finished_at)s
WHERE id = %(id)s
"""

INSERT_DELIVERY = """
INSERT INTO deliveries (digest_id, recipient, message_id, next_attempt_at)
VALUES (%(digest_id)s, %(recipient)s, %(message_id)s, %(now)s)
ON CONFLICT (digest_id, recipient) DO NOTHING
"""

# Deliveries whose claim outlived the lease: their sender died (the lock holder sweeps them).
SWEEP_LEASES = """
UPDATE deliveries SET status = 'pending', next_attempt_at = %(now)s
WHERE status = 'sending' AND claimed_at <= %(older_than)s
RETURNING id
"""

# The claim is its own committed statement: it happens BEFORE any connection to the mail server.
CLAIM_DELIVERY = """
UPDATE deliveries SET status = 'sending', claimed_at = %(now)s, attempts = attempts + 1
WHERE id = (
    SELECT l.id FROM deliveries l JOIN digests d ON d.id = l.digest_id
    WHERE l.status = 'pending' AND l.next_attempt_at <= %(now)s
      AND (%(subscription)s::text IS NULL OR d.subscription = %(subscription)s)
    ORDER BY l.id
    FOR UPDATE OF l SKIP LOCKED
    LIMIT 1)
RETURNING id, digest_id, recipient, attempts, message_id
"""

DIGEST_FOR_SENDING = """
SELECT id, subscription, subject, body_text, body_html, created_at FROM digests WHERE id = %s
"""

MARK_SENT = """
UPDATE deliveries SET status = 'sent', sent_at = %(now)s, last_error = NULL
WHERE id = %(id)s AND status = 'sending'
"""
MARK_RETRY = """
UPDATE deliveries SET status = 'pending', next_attempt_at = %(next_attempt_at)s, last_error = %(error)s
WHERE id = %(id)s AND status = 'sending'
"""
MARK_FAILED = """
UPDATE deliveries SET status = 'failed', last_error = %(error)s
WHERE id = %(id)s AND status = 'sending'
"""

# A digest is finished once none of its deliveries is pending or sending.
FINISH_DIGEST = """
UPDATE digests SET status = CASE
        WHEN EXISTS (SELECT 1 FROM deliveries WHERE digest_id = %(id)s AND status = 'failed') THEN 'failed'
        ELSE 'sent' END,
    finished_at = %(now)s
WHERE id = %(id)s AND status = 'ready'
  AND NOT EXISTS (SELECT 1 FROM deliveries WHERE digest_id = %(id)s AND status IN ('pending', 'sending'))
"""

DIGEST_TEXT = "SELECT id, subscription, period_end, subject, body_text FROM digests WHERE id = %s"
