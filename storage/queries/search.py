"""Queries of the archive's readers: search, export, a story with its copies and versions, stats.

Search and export are assembled by `storage.search` from the fragments below with `psycopg.sql`:
every fragment takes its values through named placeholders, never by string formatting.
"""

# --- the text query --------------------------------------------------------------------------
# websearch_to_tsquery never raises on bad syntax: it drops what it cannot parse. numnode = 0 means
# nothing searchable was left; querytree = 'T' means only exclusions, which no index can answer.
# `loose` is the query with every phrase operator made an AND: the GIN index answers it exactly
# (positions are not in the index, so a phrase costs a check of the row's vector), and every story
# matching the query matches it.
CHECK_QUERY = """
SELECT numnode(q) AS nodes, querytree(q) AS tree, q::text AS tsquery,
       regexp_replace(q::text, '<[0-9-]+>', '&', 'g') AS loose
FROM websearch_to_tsquery('indonesian', %(q)s) AS q
"""

# --- filters on `article_search s` (joined with AND) ------------------------------------------
FILTER_TEXT = "s.search @@ %(tsquery)s::tsquery"
FILTER_LOOSE_TEXT = "s.search @@ %(loose)s::tsquery"
FILTER_SITES = "s.site = ANY(%(sites)s)"
FILTER_SINCE = "s.published_at >= %(since)s"
FILTER_UNTIL = "s.published_at < %(until)s"
FILTER_LANGUAGES = "s.language = ANY(%(languages)s)"
FILTER_TOPIC = "s.on_topics @> ARRAY[%(topic)s::text]"
FILTER_TOPIC_SCORE = """EXISTS (
    SELECT 1 FROM article_topics t
    WHERE t.article_id = s.article_id AND t.topic = %(topic)s AND t.score >= %(min_score)s)"""
FILTER_ANY_TOPIC_SCORE = """EXISTS (
    SELECT 1 FROM article_topics t WHERE t.article_id = s.article_id AND t.score >= %(min_score)s)"""

# --- search ------------------------------------------------------------------------------------
# The planner's estimate of how many stories match (EXPLAIN, ~1 ms) and how many there are: they
# pick the candidate strategy.
ESTIMATE_MATCHES = "EXPLAIN (FORMAT JSON) SELECT 1 FROM article_search s WHERE {where}"
ESTIMATE_ROWS = "SELECT greatest(reltuples, 0)::bigint FROM pg_class WHERE oid = 'article_search'::regclass"

# Ranking reads each match's whole vector, so a common word would rank tens of thousands of rows:
# only the `window` newest matches are ranked (cheap order first, costly order on the few). Which
# newest matches, two ways, because testing `search @@ query` row by row costs a read of the vector
# from TOAST each, while the GIN index answers words (not phrases) without reading any:
# - few matches: all of them from the GIN index (OFFSET 0 keeps the LIMIT from being pushed into an
#   index walk), then the newest `window` by date;
# - many matches (a common word): walk the date index newest first until `window` rows matched.
CANDIDATES_FROM_INDEX = """SELECT m.id, m.published_at, m.search FROM (
        SELECT s.article_id AS id, s.published_at, s.search FROM article_search s WHERE {where} OFFSET 0) m
    ORDER BY m.published_at DESC NULLS LAST, m.id DESC
    LIMIT %(window)s"""
# A phrase: the GIN index gives the stories with all its words (`loose`), newest first; the phrase
# is then checked on them in that order only until `window` matched (OFFSET 0: not on all of them).
CANDIDATES_FROM_INDEX_PHRASE = """SELECT o.id, o.published_at, o.search FROM (
        SELECT m.id, m.published_at, m.search FROM (
            SELECT s.article_id AS id, s.published_at, s.search FROM article_search s
            WHERE {where} OFFSET 0) m
        ORDER BY m.published_at DESC NULLS LAST, m.id DESC OFFSET 0) o
    WHERE o.search @@ %(tsquery)s::tsquery
    LIMIT %(window)s"""
CANDIDATES_BY_DATE = """SELECT s.article_id AS id, s.published_at, s.search FROM article_search s
    WHERE {where}
    ORDER BY s.published_at DESC NULLS LAST, s.article_id DESC
    LIMIT %(window)s"""
# The same with a cutoff date (storage.search.CUTOFF_MARGIN): the newest `share` of the stories by
# the planner's date histogram, then the ids of the window found there; or the window by its ids.
DATE_CUTOFF = """
SELECT b[greatest(1, cardinality(b) - ceil(%(share)s * (cardinality(b) - 1))::int)]
FROM (SELECT histogram_bounds::text::timestamptz[] AS b FROM pg_stats
      WHERE schemaname = current_schema() AND tablename = 'article_search' AND attname = 'published_at') h
"""
FILTER_CUTOFF = "s.published_at >= %(cutoff)s"
CANDIDATE_IDS = "SELECT c.id FROM ({candidates}) c"
CANDIDATES_LISTED = """SELECT s.article_id AS id, s.published_at, s.search FROM article_search s
    WHERE s.article_id = ANY(%(ids)s)"""
# {candidates} is one of the four above; {story} names the row's story cluster (read from articles
# only when {clusters} keeps one row per cluster: its best-ranked member) or is the row itself.
STORY_OF_MATCH = "coalesce((SELECT a.cluster_id FROM articles a WHERE a.id = m.id), m.id)"
SEARCH_RANKED = """
WITH matches AS (
    {candidates}
), ranked AS (
    SELECT m.id, m.published_at, {story} AS story,
           ts_rank_cd('{{0.1, 0.2, 0.4, 1.0}}', m.search, %(tsquery)s::tsquery)::real AS rank
    FROM matches m
), kept AS (
    {clusters}
), page AS (
    SELECT k.id, k.rank FROM kept k
    ORDER BY k.rank DESC, k.published_at DESC NULLS LAST, k.id DESC
    LIMIT %(limit)s OFFSET %(offset)s
)
SELECT {hit_columns}, p.rank, ''::text AS snippet
FROM page p JOIN articles a ON a.id = p.id
ORDER BY p.rank DESC, a.published_at DESC NULLS LAST, a.id DESC
"""
ALL_MATCHES = "SELECT r.id, r.published_at, r.rank FROM ranked r"
BEST_PER_CLUSTER = """SELECT DISTINCT ON (r.story) r.id, r.published_at, r.rank FROM ranked r
    ORDER BY r.story, r.rank DESC, r.published_at DESC NULLS LAST, r.id DESC"""

# Filters only, no words: newest first.
SEARCH_NEWEST = """
WITH matches AS (
    SELECT s.article_id AS id, s.published_at FROM article_search s
    WHERE {where}
), kept AS (
    {clusters}
), page AS (
    SELECT k.id FROM kept k
    ORDER BY k.published_at DESC NULLS LAST, k.id DESC
    LIMIT %(limit)s OFFSET %(offset)s
)
SELECT {hit_columns}, NULL::real AS rank, ''::text AS snippet
FROM page p JOIN articles a ON a.id = p.id
ORDER BY a.published_at DESC NULLS LAST, a.id DESC
"""
NEWEST_ALL = "SELECT m.id, m.published_at FROM matches m"
NEWEST_PER_CLUSTER = """SELECT DISTINCT ON (m.story) m.id, m.published_at FROM (
        SELECT n.id, n.published_at, coalesce(a.cluster_id, a.id) AS story
        FROM matches n JOIN articles a ON a.id = n.id) m
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
FROM article_search s JOIN articles a ON a.id = s.article_id
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

# --- the Atom feed of a topic: recent on-topic stories, one entry per cluster ---------------------
FEED_ENTRIES = """
WITH best AS (
    SELECT DISTINCT ON (coalesce(a.cluster_id, a.id)) a.id, t.score, t.matched_terms
    FROM articles a JOIN article_topics t ON t.article_id = a.id
    WHERE t.topic = %(topic)s AND t.on_topic
    ORDER BY coalesce(a.cluster_id, a.id), t.score DESC, a.published_at NULLS LAST, a.id
)
SELECT a.id, a.site, a.url, a.canonical_url, a.title, a.lead, a.body, a.authors,
       a.published_at, coalesce(a.updated_at, a.first_seen_at) AS updated, b.score,
       ARRAY(SELECT jsonb_array_elements_text(b.matched_terms)) AS terms,
       coalesce(o.sites, '{}') AS other_sites, coalesce(o.times, '{}') AS other_times
FROM best b JOIN articles a ON a.id = b.id
LEFT JOIN LATERAL (
    SELECT array_agg(c.site ORDER BY c.published_at NULLS LAST, c.site) AS sites,
           array_agg(c.published_at ORDER BY c.published_at NULLS LAST, c.site) AS times
    FROM (SELECT DISTINCT ON (x.site) x.site, x.published_at FROM articles x
          WHERE x.cluster_id = a.cluster_id AND x.site <> a.site
          ORDER BY x.site, x.published_at NULLS LAST, x.id) c
) o ON true
ORDER BY coalesce(a.published_at, a.first_seen_at) DESC, a.id DESC
LIMIT %(limit)s
"""
