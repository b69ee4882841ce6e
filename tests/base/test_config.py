"""Configuration: lookup order, environment overrides, secrets, and one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from pantau.base.errors import ConfigError
from pantau.base.settings import find_config_file, load_settings, masked


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_any_file(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    settings = load_settings(None)
    assert settings.crawl.interval_minutes == 10
    assert settings.timezone == "Asia/Jakarta"
    assert settings.database_url is None
    assert str(settings.data_dir).startswith(str(Path.home())) or "XDG" not in str(settings.data_dir)


def test_file_then_environment_override(monkeypatch, tmp_path):
    config = write(tmp_path / "p.toml", "log_level = 'DEBUG'\n[crawl]\ninterval_minutes = 5\n")
    monkeypatch.setenv("PANTAU_CRAWL__INTERVAL_MINUTES", "3")
    settings = load_settings(config)
    assert settings.log_level == "DEBUG"
    assert settings.crawl.interval_minutes == 3


def test_lookup_order(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    local = write(tmp_path / "pantau.toml", "")
    assert find_config_file(None) == Path("pantau.toml")
    other = write(tmp_path / "other.toml", "")
    monkeypatch.setenv("PANTAU_CONFIG", str(other))
    assert find_config_file(None) == other
    assert find_config_file(local) == local


def test_user_config_dir_is_last(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    user = tmp_path / "cfg" / "pantau" / "pantau.toml"
    user.parent.mkdir(parents=True)
    write(user, "timezone = 'Europe/Berlin'\n")
    assert load_settings(None).timezone == "Europe/Berlin"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("colour = 'red'\n", "unknown key 'colour'"),
        ("[crawl]\nintervall_minutes = 5\n", "unknown key 'crawl.intervall_minutes'"),
        ("[crawl]\ninterval_minutes = 'often'\n", "'crawl.interval_minutes'"),
        ("timezone = 'Mars/Olympus'\n", "unknown time zone"),
        ("database_url = 'postgresql://x'\n", "set PANTAU_DATABASE_URL instead"),
        ("[crawl\n", "not valid TOML"),
    ],
)
def test_bad_config_is_one_clear_line(tmp_path, text, expected):
    config = write(tmp_path / "bad.toml", text)
    with pytest.raises(ConfigError) as info:
        load_settings(config)
    message = str(info.value)
    assert expected in message
    assert "\n" not in message


def test_missing_explicit_file():
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(Path("/nonexistent/pantau.toml"))


def test_secrets_are_masked(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PANTAU_SMTP_URL", "smtp://user:hunter2@127.0.0.1:25")
    data = masked(load_settings(None))
    assert data["smtp_url"] == "********"
    assert "hunter2" not in repr(data)


def test_home_is_expanded(tmp_path):
    config = write(tmp_path / "p.toml", "data_dir = '~/pantau-data'\n")
    assert load_settings(config).data_dir == Path.home() / "pantau-data"


def test_unreadable_working_directory_is_not_a_crash(monkeypatch, tmp_path):
    def denied(self):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(Path, "is_file", denied)
    assert find_config_file(None) is None
