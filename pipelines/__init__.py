"""Item pipelines: extract, language, relevance, deduplicate, store (in that order)."""
