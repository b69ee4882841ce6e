"""The site registry: built from the site files (shipped and `sites_dir`); a bad file is one line."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from pantau.base.errors import ConfigError
from pantau.base.settings import load_settings
from pantau.base.sites import (
    SHIPPED_SITES_DIR,
    SiteFileError,
    display_name,
    load_registry,
    site_for_url,
    site_names,
    use_registry,
)
from pantau.cli.main import cli
from pantau.crawler.site_rules import crawl_site

DETIK = (SHIPPED_SITES_DIR / "detik.toml").read_text(encoding="utf-8")


@pytest.fixture(autouse=True)
def shipped_registry():
    """load_settings makes its sites the process's: give later tests the shipped ones back."""
    yield
    use_registry(load_registry(SHIPPED_SITES_DIR))


def _site(tmp_path, name: str, text: str):
    sites_dir = tmp_path / "sites"
    sites_dir.mkdir(exist_ok=True)
    (sites_dir / f"{name}.toml").write_text(text, encoding="utf-8")
    return sites_dir


def _copy(name: str, domain: str, **replace: str) -> str:
    text = DETIK.replace(r"detik\.com", domain.replace(".", r"\.")).replace("detik.com", domain)
    text = text.replace('\nname = "detik"', f'\nname = "{name}"')
    for old, new in replace.items():
        text = text.replace(old, new)
    return text


def _error(tmp_path, sites_dir) -> str:
    with pytest.raises(ConfigError) as caught:
        load_settings(None, data_dir=tmp_path / "data", sites_dir=sites_dir)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_the_shipped_sites_come_from_their_files():
    assert site_names() == ("bisnis", "detik", "kompas", "okezone")
    assert [display_name(n) for n in site_names()] == ["Bisnis", "detik", "Kompas", "Okezone"]
    assert display_name("tempo") == "tempo"  # an archived site no file describes any more
    assert site_for_url("https://amp.kompas.com/global/read/2023/09/13/1/x") == "kompas"
    assert site_for_url("https://example.com/read/1") is None


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        (
            "warta",
            _copy("warta", "warta.test", **{'display_name = "detik"\n': ""}),
            "'site.display_name': Field required",
        ),
        (
            "warta",
            _copy("warta", "warta.test", display_name="dispaly_name"),
            "unknown key 'site.dispaly_name'",
        ),
        (
            "warta",
            _copy("warta", "warta.test", **{"article = '^/": "article = '^/(?P<x"}),
            "'urls.article': Value error, invalid regular expression",
        ),
        ("warta", _copy("warta", "warta.test", **{"[urls]": "[urls"}), "is not valid TOML"),
        (
            "warta",
            _copy("other", "warta.test"),
            "'site.name' is 'other' but must equal the file name 'warta'",
        ),
        (
            "Warta!",
            _copy("warta", "warta.test", **{'name = "warta"\n': ""}),
            "the file name is the site's name",
        ),
        ("warta", _copy("warta", "detik.com"), "domain 'detik.com' already belongs to site 'detik'"),
    ],
)
def test_a_bad_site_file_is_one_line_naming_the_file_and_the_key(tmp_path, name, text, expected):
    sites_dir = _site(tmp_path, name, text)
    message = _error(tmp_path, sites_dir)
    assert f"site file {sites_dir / name}.toml" in message
    assert expected in message


def test_a_bad_crawler_table_is_one_line_naming_the_file_and_the_key(tmp_path):
    sites_dir = _site(tmp_path, "warta", _copy("warta", "warta.test", **{'kind = "feed"': 'kind = "fed"'}))
    load_settings(None, data_dir=tmp_path / "data", sites_dir=sites_dir)  # [site] and [urls] are fine
    with pytest.raises(SiteFileError) as caught:
        crawl_site("warta")
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"site file {sites_dir / 'warta.toml'}: 'discovery.endpoints.1.kind'")


def test_sites_dir_must_be_a_folder(tmp_path):
    message = _error(tmp_path, tmp_path / "nowhere")
    assert f"sites_dir {tmp_path / 'nowhere'} is not a folder" in message


def test_a_file_named_like_a_shipped_site_replaces_it(tmp_path):
    sites_dir = _site(tmp_path, "detik", DETIK.replace('display_name = "detik"', 'display_name = "detikcom"'))
    settings = load_settings(None, data_dir=tmp_path / "data", sites_dir=sites_dir)
    assert settings.crawl.sites == ["bisnis", "detik", "kompas", "okezone"]
    assert display_name("detik") == "detikcom"


def test_the_longest_domain_wins(tmp_path):
    sites_dir = _site(tmp_path, "kabar", _copy("kabar", "kabar24.bisnis.com"))
    load_settings(None, data_dir=tmp_path / "data", sites_dir=sites_dir)
    assert site_for_url("https://kabar24.bisnis.com/read/1") == "kabar"
    assert site_for_url("https://market.bisnis.com/read/1") == "bisnis"


@pytest.mark.parametrize("key", ["quiet_hours", "min_links"])
def test_per_site_health_keys_name_known_sites(tmp_path, key):
    with pytest.raises(ConfigError) as caught:
        load_settings(None, data_dir=tmp_path / "data", health={key: {"kompas": 5, "tempo": 5}})
    assert f"'health.{key}': 'tempo' is not one of the known sites (bisnis, detik, kompas, okezone)" in str(
        caught.value
    )


@pytest.mark.parametrize(
    "args", [["crawl", "kompas", "tempo"], ["backfill", "tempo", "--since", "2024-01-01"]]
)
def test_an_unknown_site_on_the_command_line_is_one_line_and_exit_2(tmp_path, args):
    result = CliRunner().invoke(cli, args, env={"PANTAU_DATA_DIR": str(tmp_path / "data")})
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        "pantau: error: site 'tempo' is not one of the known sites (bisnis, detik, kompas, okezone);"
        ' add its site file to sites_dir (README, "Adding a site")'
    ]


def test_a_site_in_sites_dir_is_known_to_the_command_line(tmp_path):
    sites_dir = _site(
        tmp_path,
        "warta",
        _copy("warta", "warta.test", **{'display_name = "detik"': 'display_name = "Warta"'}),
    )
    result = CliRunner().invoke(
        cli,
        ["extract", str(tmp_path / "sites" / "warta.toml"), "--url", "https://example.com/x"],
        env={"PANTAU_DATA_DIR": str(tmp_path / "data"), "PANTAU_SITES_DIR": str(sites_dir)},
    )
    assert result.exit_code == 2
    assert "pantau reads pages of Bisnis, detik, Kompas, Okezone, Warta;" in result.stderr
