"""`pantau extract`: the same extraction and language detection as the pipelines, on a saved page."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from pantau.cli.main import cli
from tests.support.helpers import FILES

FILES = FILES / "extraction"
BISNIS = (
    "https://kabar24.bisnis.com/read/20230912/19/1693973/sebelum-kim-jong-un-dan-putin-bertemu-gedung-putih"
)


def run(tmp_path: Path, *args: str):
    config = tmp_path / "pantau.toml"
    config.write_text("")  # defaults only: no user config file leaks into the test
    env = {"PANTAU_DATA_DIR": str(tmp_path), "PANTAU_CONFIG": str(config)}
    return CliRunner().invoke(cli, ["extract", *args], env=env)


def test_json_output(tmp_path):
    url = "https://news.okezone.com/read/2023/09/15/18/2883469/kemesraan?page=all"
    result = run(tmp_path, str(FILES / "okezone_jumat.html"), "--url", url, "--json")
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    assert record["site"] == "okezone"
    assert record["published_at"] == "2023-09-15T13:10:00+07:00"
    assert record["date_source"] == "visible"
    assert record["authors"] == ["Susi Susanti"]
    assert record["language"] == "id"
    assert record["language_prob"] > 0.9
    assert record["text"].startswith("Kunjungan Pemimpin Tertinggi Korea Utara")
    assert {"title", "lead", "section", "tags"} <= record.keys()


def test_text_output_with_a_second_page(tmp_path):
    result = run(tmp_path, str(FILES / "bisnis_two_pages.html"), "--url", BISNIS,
                 "--page", str(FILES / "bisnis_two_pages_2.html"))  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Diplomat AS tersebut juga menyatakan keprihatinan" in result.output
    assert "Nyaman tanpa iklan" not in result.output


def test_unknown_site_is_a_clear_error(tmp_path):
    result = run(tmp_path, str(FILES / "okezone_jumat.html"), "--url", "https://example.com/read/1")
    assert result.exit_code == 2
    assert "unknown site for URL 'https://example.com/read/1'" in result.output


def test_a_page_without_a_story_is_a_clear_error(tmp_path):
    blocked = tmp_path / "blocked.html"
    blocked.write_text("<html><head><title>Just a moment...</title></head><body></body></html>")
    result = run(tmp_path, str(blocked), "--url", BISNIS)
    assert result.exit_code == 2
    assert f"no story in {blocked}: a block or challenge page" in result.output
