"""The base layer: what every other layer needs and nothing else.

Settings, errors and logging; the `Article` and topic models; the site registry and URL
canonicalisation; content fingerprints. It imports no other part of pantau (import-linter checks).
"""
