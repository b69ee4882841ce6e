"""Issue 15 item 5 (the CLI half): out-of-range option values are one line and exit 2.

Each command runs as a real `pantau` process on the module's (migrated, empty) database: an
overflowing date, a page past bigint or a score that is not a number must be refused before any
SQL runs, naming the option, never a traceback.
"""

from __future__ import annotations

import pytest

from tests.support.helpers import run_pantau

HOSTILE = [
    ("search", "rudal", "--until", "9999-12"),
    ("search", "rudal", "--until", "9999-12-31"),
    ("search", "rudal", "--offset", "9223372036854775807"),
    ("search", "rudal", "--offset", "99999999999999999999"),
    ("search", "--offset", "9223372036854775000", "--", "-rudal OR rudal"),
    ("search", "rudal", "--min-score", "nan"),
    ("search", "rudal", "--min-score", "inf"),
    ("search", "rudal", "--min-score", "1e400"),
    ("export", "rudal", "--until", "9999-12"),
    ("export", "--until", "9999-12-31"),
    ("export", "--min-score", "-inf"),
]
STORIES = ["99999999999999999999", "9223372036854775808", "²", "١٢٣"]  # past bigint; unicode digits


@pytest.mark.parametrize("args", HOSTILE, ids=" ".join)
def test_an_overflowing_option_is_one_line_and_exit_2(args, database_url, tmp_path):
    config = tmp_path / "pantau.toml"
    config.write_text("")
    done = run_pantau(
        *args, config=config, database_url=database_url, data_dir=tmp_path, PANTAU_TIMEZONE="America/New_York"
    )
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2, done.stderr
    assert len(lines) == 1, done.stderr
    option = next(a for a in args if a.startswith("--") and a != "--")
    assert option in lines[0]


@pytest.mark.parametrize(
    "args",
    [
        ("search", "rudal", "--until", "9999-12-30", "--since", "0001-01-01"),
        ("export", "--since", "0001-01", "--until", "9999-12-30"),
        ("search", "rudal", "--offset", "1000000000"),
        ("search", "rudal", "--min-score", "1e300"),
    ],
    ids=" ".join,
)
def test_the_largest_values_that_fit_still_search(args, database_url, tmp_path):
    config = tmp_path / "pantau.toml"
    config.write_text("")
    done = run_pantau(
        *args, config=config, database_url=database_url, data_dir=tmp_path, PANTAU_TIMEZONE="America/New_York"
    )
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("story", STORIES)
def test_a_story_key_that_is_no_id_is_one_line_not_found(story, database_url, tmp_path):
    config = tmp_path / "pantau.toml"
    config.write_text("")
    done = run_pantau("show", story, config=config, database_url=database_url, data_dir=tmp_path)
    assert done.returncode == 2, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert story in done.stderr
