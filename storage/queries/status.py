"""Queries of the daemon's own state: heartbeats, crawl-run history, freshness, outbox summary."""

BEAT = """
INSERT INTO daemon_heartbeats (instance, hostname, pid, started_at, beat_at)
VALUES (%(instance)s, %(hostname)s, %(pid)s, %(started_at)s, %(now)s)
ON CONFLICT (instance) DO UPDATE SET beat_at = EXCLUDED.beat_at, stopped_at = NULL
"""
STOPPED = "UPDATE daemon_heartbeats SET stopped_at = %(now)s, beat_at = %(now)s WHERE instance = %(instance)s"
LATEST_BEAT = """
SELECT instance, hostname, pid, started_at, beat_at, stopped_at FROM daemon_heartbeats
ORDER BY (stopped_at IS NULL) DESC, beat_at DESC LIMIT 1
"""
RUNNING_BEATS = """
SELECT instance, hostname, pid, started_at, beat_at, stopped_at FROM daemon_heartbeats
WHERE stopped_at IS NULL AND beat_at > %(since)s ORDER BY beat_at DESC
"""

RECENT_RUNS = """
SELECT id, site, started_at, finished_at, status, reason, counts, errors FROM crawl_runs
WHERE site = %(site)s AND kind = 'crawl' ORDER BY started_at DESC, id DESC LIMIT %(limit)s
"""

# Freshness of a site against its own history: the newest crawled (not backfilled) story, and the
# 90th percentile of the gaps between the minutes in which new stories arrived (crawl batches).
FRESHNESS = """
WITH batches AS (
    SELECT DISTINCT date_trunc('minute', first_seen_at) AS at FROM articles
    WHERE site = %(site)s AND NOT backfilled AND first_seen_at > %(since)s AND first_seen_at <= %(now)s),
gaps AS (SELECT extract(epoch FROM at - lag(at) OVER (ORDER BY at)) AS gap FROM batches)
SELECT (SELECT max(first_seen_at) FROM articles WHERE site = %(site)s AND NOT backfilled
        AND first_seen_at <= %(now)s) AS last_article,
       (SELECT percentile_cont(0.9) WITHIN GROUP (ORDER BY gap) FROM gaps WHERE gap IS NOT NULL) AS usual_gap,
       (SELECT count(gap) FROM gaps) AS gaps
"""

SITE_HEALTH = "SELECT flagged, reasons FROM site_health WHERE site = %s"
SET_SITE_HEALTH = """
INSERT INTO site_health (site, flagged, reasons, changed_at)
VALUES (%(site)s, %(flagged)s, %(reasons)s, %(now)s)
ON CONFLICT (site) DO UPDATE SET flagged = EXCLUDED.flagged, reasons = EXCLUDED.reasons,
    changed_at = CASE WHEN site_health.flagged = EXCLUDED.flagged THEN site_health.changed_at
                      ELSE EXCLUDED.changed_at END
"""

DELIVERY_COUNTS = "SELECT status, count(*) FROM deliveries GROUP BY status"
FAILED_DELIVERIES = """
SELECT l.id, d.subscription, d.period_end, l.recipient, l.attempts, l.last_error
FROM deliveries l JOIN digests d ON d.id = l.digest_id
WHERE l.status = 'failed' ORDER BY l.id DESC LIMIT %(limit)s
"""
OPEN_DELIVERIES = """
SELECT l.id, d.subscription, d.period_end, l.recipient, l.attempts, l.last_error, l.next_attempt_at, l.status
FROM deliveries l JOIN digests d ON d.id = l.digest_id
WHERE l.status IN ('pending', 'sending') ORDER BY l.id LIMIT %(limit)s
"""
LAST_DIGESTS = """
SELECT DISTINCT ON (subscription) subscription, period_end, status FROM digests
ORDER BY subscription, period_end DESC
"""
