"""Helpers every test folder uses: where things are, polling with a deadline, running `pantau`."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the checkout: `python -m tests.support...` runs from here
FILES = ROOT / "tests" / "files"  # saved pages, labelled stories, schemas
