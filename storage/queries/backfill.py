"""Queries of backfill bookkeeping: listing-page checkpoints and the progress a backfill made."""

CHECKPOINTS = """
SELECT listing, page, found, oldest, ended, done_at
FROM backfill_checkpoints WHERE site = %(site)s AND listing = ANY(%(listings)s)
ORDER BY listing, page
"""
# A page is checkpointed only when every article it listed (by the site's id: a story stored under a
# changed slug counts) is stored or recorded as failed (a failure is retried by a later backfill run);
# otherwise nothing is written and no row returns.
SAVE_CHECKPOINT = """
INSERT INTO backfill_checkpoints (site, listing, page, found, oldest, ended, done_at)
SELECT %(site)s, %(listing)s, %(page)s, %(found)s, %(oldest)s, %(ended)s, now()
WHERE NOT EXISTS (
    SELECT 1 FROM unnest(%(ids)s::text[]) AS u(id)
    WHERE NOT EXISTS (SELECT 1 FROM articles a WHERE a.site = %(site)s AND a.site_article_id = u.id)
      AND NOT EXISTS (SELECT 1 FROM discovered_urls d
                      WHERE d.site = %(site)s AND d.site_article_id = u.id AND d.status = 'failed'))
ON CONFLICT (site, listing, page) DO UPDATE
SET found = EXCLUDED.found, oldest = EXCLUDED.oldest, ended = EXCLUDED.ended, done_at = EXCLUDED.done_at
RETURNING page
"""
# What the backfill runs of a site since `started` did: listing pages, article URLs they found
# first, stories stored by them and how many of those are on topic.
PROGRESS = """
WITH runs AS (
    SELECT id FROM crawl_runs WHERE site = %(site)s AND kind = 'backfill' AND started_at >= %(started)s
)
SELECT
    (SELECT count(*) FROM backfill_checkpoints
      WHERE site = %(site)s AND done_at >= %(started)s) AS pages,
    (SELECT count(*) FROM discovered_urls WHERE first_run_id IN (SELECT id FROM runs)) AS found,
    (SELECT count(*) FROM articles
      WHERE site = %(site)s AND backfilled AND first_seen_at >= %(started)s) AS stored,
    (SELECT count(*) FROM articles a JOIN article_topics t ON t.article_id = a.id
      WHERE a.site = %(site)s AND a.backfilled AND a.first_seen_at >= %(started)s
        AND t.topic = %(topic)s AND t.on_topic) AS on_topic,
    (SELECT coalesce(sum((counts->>'requests')::int), 0) FROM crawl_runs
      WHERE id IN (SELECT id FROM runs)) AS requests
"""
