"""pantau's configuration: one TOML file, overridable by PANTAU_* environment variables.

Lookup order for the file: ``--config``, then ``PANTAU_CONFIG``, then ``./pantau.toml``, then the
user config directory (``~/.config/pantau/pantau.toml``). Every key may be overridden by an
environment variable: ``PANTAU_<KEY>`` for top-level keys, ``PANTAU_<SECTION>__<KEY>`` for keys in
a section (``PANTAU_CRAWL__INTERVAL_MINUTES=5``). Secrets (the database and SMTP URLs) come from the
environment only, so that a config file can be shared without leaking them.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import platformdirs
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from pantau.base.environment import check_environment
from pantau.base.errors import ConfigError, describe_validation_error
from pantau.base.sites import SHIPPED_SITES_DIR, load_registry, unknown_site, unknown_sites, use_registry

SECRET_KEYS = ("database_url", "smtp_url")
PACKAGE_TOPICS_DIR = Path(__file__).resolve().parent.parent / "pipelines" / "topics"


def _check_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {value!r} (use an IANA name such as Asia/Jakarta)") from exc
    return value


class Section(BaseModel):
    """Base of every config section: unknown keys are errors, not silently ignored."""

    model_config = ConfigDict(extra="forbid")


class DatabaseConfig(Section):
    """Connection pool and timeouts; the URL itself comes from PANTAU_DATABASE_URL."""

    pool_max_size: int = Field(4, ge=1, le=64)
    connect_timeout: int = Field(10, ge=1, description="seconds")
    statement_timeout: int = Field(30, ge=1, description="seconds")
    lock_timeout: int = Field(5, ge=1, description="seconds")


class CrawlConfig(Section):
    """How and how often the sites are crawled."""

    # Default: every known site (Settings fills it in from the site files; see _check_sites).
    sites: list[str] = Field(default_factory=list)
    interval_minutes: float = Field(10, gt=0)
    jitter_seconds: int = Field(60, ge=0)
    user_agent: str = "pantau/0.1 (+https://github.com/pantau-news/pantau; news monitor for analysts)"
    download_delay: float = Field(2.0, ge=0, description="seconds between requests to one host")
    timeout_minutes: float = Field(15, gt=0, description="wall-clock limit of one crawl")
    memory_limit_mb: int = Field(1024, ge=64)
    max_pages: int = Field(400, ge=1, description="article pages fetched per site and run")
    max_response_mb: int = Field(10, ge=1)
    # Tests and replays only: map a site host (e.g. "news.detik.com") to "127.0.0.1:PORT".
    host_map: dict[str, str] = Field(default_factory=dict)


class MailConfig(Section):
    """Digest sender; the SMTP server comes from PANTAU_SMTP_URL (none: .eml files in the outbox)."""

    sender: str = "pantau <pantau@localhost>"
    unsubscribe_url: str = ""
    max_attempts: int = Field(8, ge=1)
    timeout: int = Field(30, ge=1, description="seconds")
    # A delivery claimed longer ago than this whose sender died is queued again (the only
    # duplicate window: see README "Digests are sent exactly once").
    lease_minutes: float = Field(15, ge=0)
    # How often the daemon builds due digests and retries deliveries (the job is catch-up driven).
    check_seconds: float = Field(60, gt=0)


class HealthConfig(Section):
    """When a site is flagged unhealthy (in `pantau status`, the log and the next digest's footer)."""

    failures_in_a_row: int = Field(3, ge=1, description="failed/blocked/timed-out runs in a row")
    quiet_factor: float = Field(4.0, gt=1, description="times the site's usual gap between new stories")
    quiet_min_hours: float = Field(6, gt=0, description="never flag a shorter quiet spell")
    history_days: int = Field(14, ge=1, description="history the usual gap is measured over")
    # Explicit per-site limits (hours without a new story), instead of the learned one.
    quiet_hours: dict[str, float] = Field(default_factory=dict)
    # A finished crawl listing fewer article links than this is suspect (layout change); per site.
    min_links: dict[str, int] = Field(default_factory=dict)
    body_coverage: float = Field(0.5, ge=0, le=1, description="share of stories the body selector must match")


class RescoreConfig(Section):
    """The daemon's background rescoring of stories whose topic scores are out of date."""

    # How often the daemon compares the topic files with the scores' fingerprints (and rescores).
    check_seconds: float = Field(30, gt=0)
    batch_size: int = Field(200, ge=1, le=10_000, description="stories per transaction")


class SubscriptionConfig(Section):
    """One digest subscription."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$")
    recipients: list[str] = Field(default_factory=list)
    topics: list[str] = Field(default_factory=lambda: ["nk-russia-arms"])
    schedule: str = "daily 07:00"
    timezone: str = "Asia/Jakarta"
    min_score: float = 0.0
    send_empty: bool = False
    include_backfill: bool = False
    include_rescored: bool = False

    _zone = field_validator("timezone")(_check_zone)


class WebConfig(Section):
    """The read-only web view (`pantau serve`)."""

    host: str = "127.0.0.1"
    port: int = Field(8080, ge=1, le=65535)
    base_url: str = ""


class Settings(BaseSettings):
    """The effective configuration: defaults < TOML file < PANTAU_* environment."""

    model_config = SettingsConfigDict(
        env_prefix="PANTAU_",
        env_nested_delimiter="__",
        extra="forbid",
        case_sensitive=False,
        env_ignore_empty=True,  # PANTAU_DATABASE_URL= means unset (the embedded database), not ""
    )

    data_dir: Path = Field(default_factory=lambda: Path(platformdirs.user_data_dir("pantau")))
    timezone: str = "Asia/Jakarta"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    topics_dir: Path = PACKAGE_TOPICS_DIR
    # Site files read besides the shipped ones (crawler/sites/); default: the shipped folder alone.
    sites_dir: Path = SHIPPED_SITES_DIR
    languages: list[str] = Field(default_factory=lambda: ["id"])
    database_url: SecretStr | None = None
    smtp_url: SecretStr | None = None
    database: DatabaseConfig = Field(default_factory=DatabaseConfig)
    crawl: CrawlConfig = Field(default_factory=CrawlConfig)
    mail: MailConfig = Field(default_factory=MailConfig)
    health: HealthConfig = Field(default_factory=HealthConfig)
    rescore: RescoreConfig = Field(default_factory=RescoreConfig)
    web: WebConfig = Field(default_factory=WebConfig)
    subscriptions: list[SubscriptionConfig] = Field(default_factory=list)

    _zone = field_validator("timezone")(_check_zone)

    @field_validator("data_dir", "topics_dir", "sites_dir")
    @classmethod
    def _expand_home(cls, value: Path) -> Path:
        return value.expanduser()

    @model_validator(mode="after")
    def _check_sites(self) -> Settings:
        """Every site named in crawl.sites and health.* has a site file; crawl.sites defaults to all."""
        known = load_registry(self.sites_dir)  # a bad site file raises SiteFileError, naming it
        if "sites" not in self.crawl.model_fields_set:
            self.crawl.sites = list(known.names)
        named = {
            "crawl.sites": self.crawl.sites,
            "health.quiet_hours": self.health.quiet_hours,
            "health.min_links": self.health.min_links,
        }
        for key, names in named.items():
            for name in unknown_sites(names, known):
                raise PydanticCustomError(
                    "unknown_site", "{message}", {"message": f"'{key}': {unknown_site(name, known)}"}
                )
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],  # noqa: ARG003
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,  # noqa: ARG003
        file_secret_settings: PydanticBaseSettingsSource,  # noqa: ARG003
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The file's values arrive as init kwargs (see load_settings); the environment wins over them.
        return (env_settings, init_settings)

    @property
    def zone(self) -> ZoneInfo:
        """The user's time zone, in which dates are shown."""
        return ZoneInfo(self.timezone)

    @property
    def outbox_dir(self) -> Path:
        """Where digests go as .eml files when no SMTP server is configured."""
        return self.data_dir / "outbox"


def find_config_file(explicit: Path | None) -> Path | None:
    """The config file to read, by the documented lookup order, or None."""
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(f"config file {explicit} does not exist (given with --config)")
        return explicit
    from_env = os.environ.get("PANTAU_CONFIG")
    if from_env:
        path = Path(from_env)
        if not path.is_file():
            raise ConfigError(f"config file {path} does not exist (named by PANTAU_CONFIG)")
        return path
    for candidate in (Path("pantau.toml"), Path(platformdirs.user_config_dir("pantau")) / "pantau.toml"):
        if _readable_file(candidate):
            return candidate
    return None


def _readable_file(path: Path) -> bool:
    # A service started in a directory it may not read (runuser from /root) must not crash here.
    try:
        return path.is_file()
    except OSError:
        return False


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}; fix the syntax") from exc
    for key in SECRET_KEYS:
        if key in data:
            env = f"PANTAU_{key.upper()}"
            raise ConfigError(f"{path}: '{key}' is a secret; remove it from the file and set {env} instead")
    return data


def load_settings(path: Path | None = None, **overrides: Any) -> Settings:
    """Read, merge and validate the configuration (its sites become the process's); ConfigError, one line."""
    check_environment(Settings, os.environ)
    config_file = find_config_file(path)
    values = _read_toml(config_file) if config_file else {}
    values.update(overrides)
    source = str(config_file) if config_file else "defaults and PANTAU_* environment"
    try:
        settings = Settings(**values)
    except ValidationError as exc:
        raise ConfigError(f"invalid configuration ({source}): {describe_validation_error(exc)}") from None
    use_registry(load_registry(settings.sites_dir))  # this process's sites: shipped plus sites_dir
    return settings


def masked(settings: Settings) -> dict[str, Any]:
    """The effective configuration as plain data, secrets replaced by a mask."""
    data = settings.model_dump(mode="json")
    for key in SECRET_KEYS:
        if data.get(key):
            data[key] = "********"
    return data
