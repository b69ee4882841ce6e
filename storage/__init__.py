"""The archive: PostgreSQL through psycopg 3, its migrations and all of pantau's SQL."""
