"""Queries of the archive's readers: search, export, a story with its copies and versions, stats.

Search and export are assembled by `storage.search` from the fragments below with `psycopg.sql`:
every fragment takes its values through named placeholders, never by string formatting.
"""

# --- the text query --------------------------------------------------------------------------
# websearch_to_tsquery never raises on bad syntax: it drops what it cannot parse. numnode = 0 means
# nothing searchable was left; querytree = 'T' means only exclusions, which no index can answer.
CHECK_QUERY = """
SELECT numnode(q) AS nodes, querytree(q) AS tree
FROM websearch_to_tsquery('indonesian', %(q)s) AS q
"""

# --- filters on `articles a` (joined with AND) -----------------------------------------------
FILTER_TEXT = "a.search @@ websearch_to_tsquery('indonesian', %(q)s)"
FILTER_SITES = "a.site = ANY(%(sites)s)"
FILTER_SINCE = "a.published_at >= %(since)s"
FILTER_UNTIL = "a.published_at < %(until)s"
FILTER_LANGUAGES = "a.language = ANY(%(languages)s)"
FILTER_TOPIC = """EXISTS (
    SELECT 1 FROM article_topics t
    WHERE t.article_id = a.id AND t.topic = %(topic)s AND t.on_topic AND t.score >= %(min_score)s)"""
FILTER_ANY_TOPIC_SCORE = """EXISTS (
    SELECT 1 FROM article_topics t WHERE t.article_id = a.id AND t.score >= %(min_score)s)"""

# --- search ------------------------------------------------------------------------------------
# The planner's estimate of how many stories match (EXPLAIN, ~1 ms): it picks the candidate strategy.
ESTIMATE_MATCHES = "EXPLAIN (FORMAT JSON) SELECT 1 FROM articles a WHERE {where}"

# Ranking reads each match's whole tsvector, so a common word would rank tens of thousands of rows:
# only the `window` newest matches are ranked (cheap order first, costly order on the few). Which
# newest matches, two ways, because testing `search @@ query` row by row costs a detoast each:
# - few matches: all of them from the GIN index (OFFSET 0 keeps the LIMIT from being pushed into an
#   index walk), then the newest `window` by date;
# - many matches (a common word): walk the date index newest first until `window` rows matched.
CANDIDATES_FROM_INDEX = """SELECT a.id, a.search, a.published_at, coalesce(a.cluster_id, a.id) AS story
    FROM articles a
    WHERE a.id IN (
        SELECT m.id FROM (SELECT a.id, a.published_at FROM articles a WHERE {where} OFFSET 0) m
        ORDER BY m.published_at DESC LIMIT %(window)s)"""
CANDIDATES_BY_DATE = """SELECT a.id, a.search, a.published_at, coalesce(a.cluster_id, a.id) AS story
    FROM articles a
    WHERE {where}
    ORDER BY a.published_at DESC  -- exactly articles_published_idx's order, so it can be walked
    LIMIT %(window)s"""
# {candidates} is one of the two above; {clusters} keeps one row per story cluster (its best-ranked
# member) or all rows.
SEARCH_RANKED = """
WITH matches AS (
    {candidates}
), ranked AS (
    SELECT m.id, m.published_at, m.story,
           ts_rank_cd('{{0.1, 0.2, 0.4, 1.0}}', m.search, websearch_to_tsquery('indonesian', %(q)s))::real
               AS rank
    FROM matches m
), kept AS (
    {clusters}
), page AS (
    SELECT k.id, k.rank FROM kept k
    ORDER BY k.rank DESC, k.published_at DESC NULLS LAST, k.id DESC
    LIMIT %(limit)s OFFSET %(offset)s
)
SELECT {hit_columns}, p.rank,
       ts_headline('indonesian', translate(coalesce(a.lead || ' ', '') || a.body, E'\\x02\\x03', ''),
                   websearch_to_tsquery('indonesian', %(q)s), %(headline_options)s) AS snippet
FROM page p JOIN articles a ON a.id = p.id
ORDER BY p.rank DESC, a.published_at DESC NULLS LAST, a.id DESC
"""
ALL_MATCHES = "SELECT r.id, r.published_at, r.rank FROM ranked r"
BEST_PER_CLUSTER = """SELECT DISTINCT ON (r.story) r.id, r.published_at, r.rank FROM ranked r
    ORDER BY r.story, r.rank DESC, r.published_at DESC NULLS LAST, r.id DESC"""

# Filters only, no words: newest first; the snippet is the story's opening.
SEARCH_NEWEST = """
WITH matches AS (
    SELECT a.id, a.published_at, coalesce(a.cluster_id, a.id) AS story
    FROM articles a
    WHERE {where}
), kept AS (
    {clusters}
), page AS (
    SELECT k.id FROM kept k
    ORDER BY k.published_at DESC NULLS LAST, k.id DESC
    LIMIT %(limit)s OFFSET %(offset)s
)
SELECT {hit_columns}, NULL::real AS rank,
       left(translate(coalesce(a.lead, a.body), E'\\x02\\x03', ''), 240) AS snippet
FROM page p JOIN articles a ON a.id = p.id
ORDER BY a.published_at DESC NULLS LAST, a.id DESC
"""
NEWEST_ALL = "SELECT m.id, m.published_at FROM matches m"
NEWEST_PER_CLUSTER = """SELECT DISTINCT ON (m.story) m.id, m.published_at FROM matches m
    ORDER BY m.story, m.published_at DESC NULLS LAST, m.id DESC"""

# The columns of one hit, with the other copies of its story (any site, matching or not).
HIT_COLUMNS = """a.id, a.site, a.url, a.canonical_url, a.title, a.published_at, a.date_source, a.language,
       a.cluster_id,
       (SELECT count(*) FROM articles o
         WHERE o.cluster_id = a.cluster_id AND o.id <> a.id)::int AS other_copies,
       coalesce((SELECT array_agg(DISTINCT o.site ORDER BY o.site) FROM articles o
         WHERE o.cluster_id = a.cluster_id AND o.id <> a.id), '{}') AS other_sites"""

# --- export: every stored field but the raw HTML, oldest first, streamed by a named cursor -----
EXPORT = """
SELECT a.id, a.site, a.site_article_id, a.url, a.canonical_url, a.title, a.lead, a.body AS text,
       a.authors, a.section, a.tags, a.published_at, a.date_source, a.language, a.language_prob,
       a.content_hash, a.simhash, a.cluster_id, a.version, a.backfilled, a.first_seen_at,
       a.last_seen_at, a.updated_at, a.site_summary,
       coalesce((SELECT jsonb_object_agg(t.topic, jsonb_build_object(
                    'score', t.score, 'on_topic', t.on_topic, 'matched_terms', t.matched_terms))
                 FROM article_topics t WHERE t.article_id = a.id), '{{}}') AS topics
FROM articles a
WHERE {where}
ORDER BY a.published_at ASC NULLS LAST, a.id ASC
"""
# A slow reader (a pipe into another tool) must not have its export cut by the idle timeout.
EXPORT_NO_IDLE_TIMEOUT = "SET LOCAL idle_in_transaction_session_timeout = 0"

# --- one story -------------------------------------------------------------------------------
STORY_COLUMNS = """a.id, a.site, a.site_article_id, a.url, a.canonical_url, a.title, a.lead, a.body,
       a.authors, a.section, a.tags, a.published_at, a.date_source, a.language, a.language_prob,
       a.cluster_id, a.version, a.backfilled, a.first_seen_at, a.last_seen_at, a.updated_at,
       a.site_summary"""
STORY_BY_ID = f"SELECT {STORY_COLUMNS} FROM articles a WHERE a.id = %(id)s"
STORY_BY_URL = f"""
SELECT {STORY_COLUMNS} FROM articles a
WHERE a.canonical_url = ANY(%(urls)s) OR a.url = ANY(%(urls)s)
ORDER BY (a.canonical_url = ANY(%(urls)s)) DESC, a.id
LIMIT 1
"""
STORY_TOPICS = """
SELECT topic, score, on_topic, matched_terms FROM article_topics
WHERE article_id = %(id)s ORDER BY on_topic DESC, score DESC, topic
"""
STORY_COPIES = """
SELECT id, site, url, canonical_url, title, published_at FROM articles
WHERE cluster_id = %(cluster_id)s AND id <> %(id)s
ORDER BY published_at NULLS LAST, id
"""
STORY_VERSIONS = """
SELECT version, title, lead, body, published_at, replaced_at FROM article_versions
WHERE article_id = %(id)s ORDER BY version DESC
"""

# --- stats -----------------------------------------------------------------------------------
STATS_PER_SITE = """
SELECT site, count(*) AS stories, max(published_at) AS newest,
       count(*) FILTER (WHERE first_seen_at >= %(now)s - interval '1 day') AS last_24h
FROM articles GROUP BY site ORDER BY site
"""
# Days are the user's days (%(zone)s) up to %(today)s, counted by publication date; empty days show 0.
STATS_PER_DAY = """
SELECT d::date AS day, count(a.id) AS stories
FROM generate_series(%(today)s::date - (%(days)s - 1), %(today)s::date, interval '1 day') AS d
LEFT JOIN articles a ON (a.published_at AT TIME ZONE %(zone)s)::date = d::date
GROUP BY d ORDER BY d
"""
STATS_PER_TOPIC = """
SELECT topic, count(*) FILTER (WHERE on_topic) AS on_topic, count(*) AS scored,
       count(DISTINCT coalesce(a.cluster_id, a.id)) FILTER (WHERE on_topic) AS stories
FROM article_topics t JOIN articles a ON a.id = t.article_id
GROUP BY topic ORDER BY topic
"""
STATS_LAST_CRAWL = """
SELECT DISTINCT ON (site) site, kind, started_at, finished_at, status, reason, counts
FROM crawl_runs ORDER BY site, started_at DESC
"""
