"""Issue 15 item 7: `pantau extract` on files that are too big or not files at all.

Each case runs the real command in its own process: before the fix a huge sparse file ended in a
MemoryError traceback and a FIFO blocked forever; now each is one line naming the file, exit 2.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pantau.pipelines.extract import MAX_HTML_CHARS
from tests.support.helpers import run_pantau

URL = "https://news.okezone.com/read/2023/09/15/18/2883469/kemesraan"


def _sparse(tmp_path: Path) -> Path:
    """A 64 GiB file that takes no disk: reading it whole would need 64 GiB of memory."""
    path = tmp_path / "huge.html"
    with path.open("wb") as fh:
        fh.truncate(64 * 2**30)
    return path


def _just_over(tmp_path: Path) -> Path:
    """A page one byte over the cap."""
    path = tmp_path / "big.html"
    path.write_bytes(b"<p>" + b"a" * (MAX_HTML_CHARS - 2))
    return path


def _fifo(tmp_path: Path) -> Path:
    """A named pipe nobody writes to: opening it for reading the usual way blocks forever."""
    path = tmp_path / "pipe.html"
    os.mkfifo(path)
    return path


def _dev_zero(tmp_path: Path) -> Path:
    return Path("/dev/zero")


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (_sparse, "larger than"),
        (_just_over, "larger than"),
        (_fifo, "not a regular file"),
        (_dev_zero, "not a regular file"),
    ],
)
def test_extract_refuses_a_file_it_cannot_read_safely_with_one_line(tmp_path, make, says):
    path = make(tmp_path)
    config = tmp_path / "pantau.toml"
    config.write_text("")
    done = run_pantau("extract", str(path), "--url", URL, config=config, data_dir=tmp_path, timeout=60)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert str(path) in lines[0]
    assert says in lines[0]
    assert "Traceback" not in done.stderr


def test_extract_still_reads_a_page_at_the_cap(tmp_path):
    """The cap refuses what is over it, not what is at it: such a page gets as far as extraction."""
    path = tmp_path / "full.html"
    path.write_bytes(b"<p>" + b"a" * (MAX_HTML_CHARS - 3))
    config = tmp_path / "pantau.toml"
    config.write_text("")
    done = run_pantau("extract", str(path), "--url", URL, config=config, data_dir=tmp_path, timeout=60)
    assert done.returncode == 2
    assert "larger than" not in done.stderr
    assert "no story in" in done.stderr
