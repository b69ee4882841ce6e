"""deploy/pantau.example.toml stays true: it loads, and documents every key with its default."""

from __future__ import annotations

import tomllib

from pantau.base.settings import SECRET_KEYS, Settings, load_settings
from tests.support.helpers import ROOT

EXAMPLE = ROOT / "deploy" / "pantau.example.toml"


def documented_keys(text: str) -> set[str]:
    """Keys set or shown commented-out in the example (`key = ...` lines), with their section."""
    keys, section = set(), ""
    for raw in text.splitlines():
        line = raw.lstrip("# ").strip()
        if line.startswith("[[") or line.startswith("["):
            section = line.strip("[]") + "."
        elif "=" in line and not raw.startswith("#   ") and line.split("=")[0].strip().isidentifier():
            keys.add(section + line.split("=")[0].strip())
    return keys


def test_example_loads(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    settings = load_settings(EXAMPLE)
    default = Settings()
    assert settings.crawl == default.crawl
    assert settings.mail == default.mail
    assert settings.web == default.web
    assert settings.database == default.database


def test_example_documents_every_key():
    text = EXAMPLE.read_text(encoding="utf-8")
    keys = documented_keys(text)
    expected = set()
    for name, field in Settings.model_fields.items():
        if name in SECRET_KEYS:
            assert f"PANTAU_{name.upper()}" in text
            continue
        sub = field.annotation
        if name == "subscriptions":
            from pantau.base.settings import SubscriptionConfig

            expected |= {f"subscriptions.{k}" for k in SubscriptionConfig.model_fields}
        elif isinstance(sub, type) and hasattr(sub, "model_fields"):
            expected |= {f"{name}.{k}" for k in sub.model_fields}
        else:
            expected.add(name)
    assert expected <= keys, f"undocumented keys: {sorted(expected - keys)}"


def test_example_is_valid_toml():
    with EXAMPLE.open("rb") as fh:
        assert "crawl" in tomllib.load(fh)
