"""Queries of the web view's workspace: coverage per day, term trends, latest stories, facets, sites."""

# On-topic stories per bucket (day, week or month in the reader's zone) and site, from the hourly
# counts of 0040 (a year is at most 8,760 hours per site).
COVERAGE = """
SELECT date_trunc(%(bucket)s, c.hour AT TIME ZONE %(zone)s)::date AS bucket, c.site,
       sum(c.stories)::integer AS stories
FROM topic_coverage c
WHERE c.topic = %(topic)s AND c.hour >= %(since)s AND c.hour < %(until)s
GROUP BY 1, 2 HAVING sum(c.stories) > 0
ORDER BY 1, 2
"""

# Stories per bucket and matched term (days are WIB days, see 0040).
TERMS = """
SELECT date_trunc(%(bucket)s, d.day)::date AS bucket, d.term, sum(d.stories)::integer AS stories
FROM topic_term_days d
WHERE d.topic = %(topic)s AND d.day >= %(since)s AND d.day <= %(until)s
GROUP BY 1, 2 HAVING sum(d.stories) > 0
"""

# The newest on-topic stories: a walk of articles_published_idx probing article_topics' key, so the
# archive's size does not matter (the newest `limit` rows are a few hundred index entries away).
LATEST_ON_TOPIC = """
SELECT a.id, a.site, a.title, a.canonical_url, a.lead, a.body, a.published_at,
       coalesce(a.cluster_id, a.id) AS story, t.score,
       ARRAY(SELECT jsonb_array_elements_text(t.matched_terms)) AS terms
FROM articles a JOIN article_topics t ON t.article_id = a.id AND t.topic = %(topic)s
WHERE t.on_topic AND a.published_at IS NOT NULL AND a.published_at < %(until)s
ORDER BY a.published_at DESC, a.id DESC
LIMIT %(limit)s
"""

# Every copy of these story clusters: outlet and time, for "also reported by".
CLUSTER_COPIES = """
SELECT coalesce(a.cluster_id, a.id) AS story, a.id, a.site, a.published_at
FROM articles a
WHERE a.cluster_id = ANY(%(stories)s) OR (a.cluster_id IS NULL AND a.id = ANY(%(stories)s))
ORDER BY a.published_at NULLS LAST, a.id
"""

# Counts of a search's matches by site, month (reader's zone), language and whether on `topic`,
# and in all (stories and story clusters), in one pass over the matches. {where} is the search's
# (on the narrow `article_search s`, storage.search.where_clause).
FACETS = """
WITH m AS MATERIALIZED (
    SELECT s.article_id AS id, coalesce(a.cluster_id, a.id) AS story, s.site, s.language,
           to_char(s.published_at AT TIME ZONE %(zone)s, 'YYYY-MM') AS month,
           s.on_topics @> ARRAY[%(facet_topic)s::text] AS on_topic
    FROM article_search s JOIN articles a ON a.id = s.article_id WHERE {where}
)
SELECT GROUPING(site) = 0 AS by_site, GROUPING(month) = 0 AS by_month,
       GROUPING(language) = 0 AS by_language, GROUPING(on_topic) = 0 AS by_topic,
       site, month, language, on_topic, count(*) AS stories, count(DISTINCT story) AS clusters
FROM m
GROUP BY GROUPING SETS ((site), (month), (language), (on_topic), ())
"""

# The planner's estimate of how many stories a search matches (no rows are read).
ESTIMATE = "EXPLAIN (FORMAT JSON) SELECT 1 FROM article_search s WHERE {where}"

# Which hits of a page are on `topic`.
ON_TOPIC_IDS = """
SELECT article_id FROM article_topics
WHERE article_id = ANY(%(ids)s) AND topic = %(topic)s AND on_topic
"""

# Each site's latest crawl run and its health flag.
SITE_STRIP = """
SELECT s.site, r.started_at, r.finished_at, r.status, h.flagged, coalesce(h.reasons, '[]') AS reasons
FROM unnest(%(sites)s::text[]) AS s(site)
LEFT JOIN LATERAL (SELECT started_at, finished_at, status FROM crawl_runs c
                   WHERE c.site = s.site ORDER BY c.started_at DESC LIMIT 1) r ON true
LEFT JOIN site_health h ON h.site = s.site
"""
