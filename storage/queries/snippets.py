"""Queries of the reader-facing snippets: a page's texts and the words a search matches."""

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
