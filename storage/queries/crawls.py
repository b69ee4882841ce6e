"""Queries of crawl bookkeeping: crawl runs, discovered article URLs, HTTP validators."""

SCHEMA_PRESENT = "SELECT to_regclass('crawl_runs') IS NOT NULL"
PING = "SELECT 1"

# --- crawl_runs ---------------------------------------------------------------------------------
START_RUN = """
INSERT INTO crawl_runs (site, kind, status, pid, hostname)
VALUES (%(site)s, %(kind)s, 'running', %(pid)s, %(hostname)s)
RETURNING id
"""
# The crawl process adopts the row its parent inserted: it records its own pid.
ADOPT_RUN = """
UPDATE crawl_runs SET pid = %(pid)s, hostname = %(hostname)s
WHERE id = %(run_id)s AND status = 'running'
RETURNING id
"""
# Only a running row is finished: a terminal status is never overwritten (first verdict wins).
FINISH_RUN = """
UPDATE crawl_runs
SET status = %(status)s, reason = %(reason)s, counts = %(counts)s, errors = %(errors)s, finished_at = now()
WHERE id = %(run_id)s AND status = 'running'
RETURNING id
"""
GET_RUN = """
SELECT id, site, kind, started_at, finished_at, status, reason, counts, errors, pid, hostname
FROM crawl_runs WHERE id = %s
"""
# Rows still 'running' well after they started, on this host (pids mean nothing elsewhere).
STALE_RUNS = """
SELECT id, site, pid, hostname FROM crawl_runs
WHERE status = 'running' AND started_at < now() - %(older_than)s
ORDER BY id
"""
ABANDON_RUN = """
UPDATE crawl_runs SET status = 'abandoned', reason = %(reason)s, finished_at = now()
WHERE id = %(run_id)s AND status = 'running'
"""
# The parent interrupted the crawl at its time limit: the child's 'interrupted' was a timeout.
RELABEL_RUN = "UPDATE crawl_runs SET status = %(status)s, reason = %(reason)s WHERE id = %(run_id)s"

# --- discovered_urls ----------------------------------------------------------------------------
# A URL seen again keeps its first sighting and status; only last_seen_at (and a missing title, id
# or source, as left by INSERT_FAILED) move.
RECORD_DISCOVERED = """
INSERT INTO discovered_urls (canonical_url, site, site_article_id, source, listed_title, first_run_id)
VALUES (%(canonical_url)s, %(site)s, %(site_article_id)s, %(source)s, %(listed_title)s, %(run_id)s)
ON CONFLICT (canonical_url) DO UPDATE
SET last_seen_at = now(),
    listed_title = coalesce(discovered_urls.listed_title, EXCLUDED.listed_title),
    site_article_id = coalesce(nullif(discovered_urls.site_article_id, ''), EXCLUDED.site_article_id),
    source = CASE WHEN discovered_urls.source = 'unknown' THEN EXCLUDED.source ELSE discovered_urls.source END
"""
# Exponential back-off: base * 2^(attempts-1), capped; after max_attempts no further attempt is due.
# A URL already stored is never downgraded to failed.
MARK_FAILED = """
UPDATE discovered_urls
SET status = 'failed',
    attempts = attempts + 1,
    last_error = left(%(reason)s, 1000),
    next_attempt_at = CASE
        WHEN attempts + 1 >= %(max_attempts)s THEN NULL
        ELSE now() + least(%(base)s * power(2, attempts), %(cap)s)
    END
WHERE canonical_url = %(canonical_url)s AND status <> 'stored'
RETURNING attempts
"""
# A failure of a URL discovery never recorded (e.g. a retry whose row was removed): record it too.
INSERT_FAILED = """
INSERT INTO discovered_urls (canonical_url, site, site_article_id, source, status, attempts,
                             last_error, next_attempt_at, first_run_id)
VALUES (%(canonical_url)s, %(site)s, '', 'unknown', 'failed', 1, left(%(reason)s, 1000),
        now() + %(base)s, %(run_id)s)
ON CONFLICT (canonical_url) DO NOTHING
RETURNING attempts
"""
MARK_STORED = """
UPDATE discovered_urls d SET status = 'stored', last_error = NULL, next_attempt_at = NULL
WHERE d.canonical_url = ANY(%s) AND d.status <> 'stored'
  AND EXISTS (SELECT 1 FROM articles a WHERE a.canonical_url = d.canonical_url)
"""
KNOWN_URLS = "SELECT canonical_url FROM articles WHERE canonical_url = ANY(%s)"
# Failed URLs still waiting out their back-off (or given up on): a listing naming them again does
# not bring them forward; RETRY_DUE does, once the wait is over.
BACKING_OFF = """
SELECT canonical_url FROM discovered_urls
WHERE canonical_url = ANY(%s) AND status = 'failed' AND (next_attempt_at IS NULL OR next_attempt_at > now())
"""
# Due for another attempt: failures whose back-off has passed, and URLs an earlier run discovered
# but never stored (its process died, or the article request was lost). Oldest first, capped.
RETRY_DUE = """
SELECT d.canonical_url, d.site, d.site_article_id, d.source, d.listed_title
FROM discovered_urls d
WHERE d.site = %(site)s
  AND (
        (d.status = 'failed' AND d.next_attempt_at <= now())
     OR (d.status = 'new' AND d.first_run_id IS DISTINCT FROM %(run_id)s
         AND d.last_seen_at < now() - %(grace)s)
  )
  AND NOT EXISTS (SELECT 1 FROM articles a WHERE a.canonical_url = d.canonical_url)
  -- A backfill's finds are retried by backfills (stored as backfilled), a crawl's by crawls.
  AND coalesce((SELECT r.kind FROM crawl_runs r WHERE r.id = d.first_run_id), 'crawl') = %(kind)s
ORDER BY coalesce(d.next_attempt_at, d.last_seen_at), d.canonical_url
LIMIT %(limit)s
"""
GET_DISCOVERED = """
SELECT canonical_url, site, site_article_id, source, listed_title, status, attempts, last_error,
       next_attempt_at, first_run_id, first_seen_at, last_seen_at
FROM discovered_urls WHERE canonical_url = %s
"""

# --- http_validators ----------------------------------------------------------------------------
GET_VALIDATORS = "SELECT etag, last_modified FROM http_validators WHERE url = %s"
SAVE_VALIDATORS = """
INSERT INTO http_validators (url, etag, last_modified) VALUES (%s, %s, %s)
ON CONFLICT (url) DO UPDATE
SET etag = EXCLUDED.etag, last_modified = EXCLUDED.last_modified, checked_at = now()
"""
