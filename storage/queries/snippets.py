"""Queries of the reader-facing snippets: a page's texts, the words a search matches, feed entries."""

# The texts the snippets of a page of hits are built from.
SNIPPET_SOURCES = "SELECT id, title, lead, body FROM articles WHERE id = ANY(%(ids)s)"

# The query's own stems (its exclusions already removed by the caller), as the index holds them.
QUERY_STEMS = "SELECT tsvector_to_array(to_tsvector('indonesian', %(words)s))"

# Which of these words the query asks for: a word matches when one of its stems is a query stem
# (persenjataan -> senjata), exactly as the full-text index decided the story matched.
MATCHING_WORDS = """
SELECT w FROM unnest(%(words)s::text[]) AS w
WHERE tsvector_to_array(to_tsvector('indonesian', w)) && %(stems)s::text[]
"""

# The Atom feed of a topic: recent on-topic stories, one entry per story (its best-scoring copy),
# with the topic's matched terms (for the snippet) and the story's other outlets, earliest first.
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
