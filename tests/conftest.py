"""The session-wide harness for every test folder; what it shares lives in tests/support.

Fixtures used by more than one folder are defined once in a support module listed below; a folder's
own conftest.py holds only that folder's fixtures.
"""

import pytest

# Support modules hold asserts too (seeds, runners); rewrite them so a failure shows its values.
pytest.register_assert_rewrite("tests.support")

pytest_plugins = [
    "tests.support.database",  # the session's PostgreSQL, a migrated database per module, isolation
    "tests.support.archive",  # `archive`: the seeded archive (tests/cli, tests/web)
    "tests.support.backfill",  # the dated replay world and settings (tests/crawler/backfill, tests/cli)
    "tests.support.digests",  # `clean`: an empty archive for digests (tests/scheduler, tests/faults)
    "tests.support.mail",  # `smtp`: a real SMTP server on loopback (tests/scheduler, tests/faults)
    "tests.support.loopback",  # `loopback`: an HTTP server that logs requests (tests/crawler)
]
