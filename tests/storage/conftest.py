"""Fixtures of the storage tests: a plain connection to the module's database."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest


@pytest.fixture
def conn(database_url: str) -> Iterator[psycopg.Connection]:
    """A plain autocommit connection to the module's database (the StorePipeline's kind)."""
    with psycopg.connect(database_url, autocommit=True) as connection:
        yield connection
