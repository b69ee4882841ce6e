"""The site registry: one TOML file per site, in crawler/sites/ and in the user's `sites_dir`.

A site is its file: the file name is the site's name, `[site]` says what to call it and which
domains are its own, `[urls]` which URLs are its articles. Every layer asks here which sites exist,
which site a URL belongs to and what a site's tables say; each layer validates the tables it owns
itself (the crawler its discovery, the pipelines their extraction rules). The registry of a process
is set once, from its settings (`load_settings` calls `use_registry`); site files are read once.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from pantau.base.errors import ConfigError, describe_validation_error

# The site files are the crawler's data folder; base and crawler sit side by side both in the
# repository and installed (pantau/base, pantau/crawler), and resolve() sees through editable links.
SHIPPED_SITES_DIR = Path(__file__).resolve().parent.parent / "crawler" / "sites"
# A site's name is its spider's name, a crawl lock's and the `site` column's: keep it plain.
_SITE_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")
ADDING_A_SITE = 'add its site file to sites_dir (README, "Adding a site")'


class SiteFileError(ConfigError):
    """A site file cannot be used: names the file and the key, and what to do."""


class Table(BaseModel):
    """A table of a site file: unknown keys are errors, values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def check_regex(value: str | None) -> str | None:
    """A field validator: the value compiles as a regular expression (or is None)."""
    if value is not None:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"invalid regular expression {value!r}: {exc}") from exc
    return value


class SiteTable(Table):
    """`[site]`: the site's name (its file's), what readers call it, and its domains."""

    name: str | None = None  # optional; when given, it must be the file's name
    display_name: str = Field(min_length=1)  # in digests, feeds and pages: "Okezone", "detik"
    domains: tuple[str, ...] = Field(min_length=1)  # these and their subdomains; nothing else


class UrlRules(Table):
    """Which URLs are articles and how each maps to one canonical URL and id."""

    article: str  # regex over the URL path
    canonical_path: str  # re.Match.expand template
    article_id: str  # re.Match.expand template
    exclude_hosts: tuple[str, ...] = ()
    exclude_paths: tuple[str, ...] = ()  # substrings of the path
    host_aliases: dict[str, str] = Field(default_factory=dict)  # AMP/mobile host -> desktop host
    single_page: str = ""  # query appended to the canonical URL to get the whole story
    paged_by_path: bool = False  # pages 2..N live at <canonical>/<n>

    _article = field_validator("article")(check_regex)


class _RegistryTables(BaseModel):
    """The two tables every layer reads; the others belong to the crawler and the pipelines."""

    model_config = ConfigDict(extra="ignore")

    site: SiteTable
    urls: UrlRules


class Site(Table):
    """What every layer knows of a site: its name, display name, hosts and article URL rules."""

    name: str
    display_name: str
    domains: tuple[str, ...]
    urls: UrlRules

    def owns_host(self, host: str) -> bool:
        """True if the host is one of the site's domains or a subdomain of one."""
        return any(host == d or host.endswith("." + d) for d in self.domains)


@cache
def read_site_file(path: Path) -> dict[str, Any]:
    """The raw tables of one site file; SiteFileError names the file when it cannot be read."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SiteFileError(f"site file {path} cannot be read: {exc.strerror or exc}") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SiteFileError(f"site file {path} is not valid TOML: {exc}; fix the syntax") from exc


@cache
def read_site(path: Path) -> Site:
    """The validated [site] and [urls] tables of one site file; SiteFileError names file and key."""
    if not _SITE_NAME.match(path.stem):
        raise SiteFileError(
            f"site file {path}: the file name is the site's name and must be lowercase letters, digits,"
            " - or _ (starting with a letter); rename the file"
        )
    try:
        tables = _RegistryTables.model_validate(read_site_file(path))
    except ValidationError as exc:
        raise SiteFileError(f"site file {path}: {describe_validation_error(exc, show_input=False)}") from None
    if tables.site.name not in (None, path.stem):
        raise SiteFileError(
            f"site file {path}: 'site.name' is {tables.site.name!r} but must equal the file name"
            f" {path.stem!r}; fix one of them"
        )
    return Site(
        name=path.stem, display_name=tables.site.display_name, domains=tables.site.domains, urls=tables.urls
    )


@dataclass(frozen=True)
class Registry:
    """The sites of one configuration: their files by name (sorted), and who owns which domain."""

    files: dict[str, Path]
    owners: tuple[tuple[str, str], ...]  # (domain, site), longest domain first

    @property
    def names(self) -> tuple[str, ...]:
        """Every site's name, sorted."""
        return tuple(self.files)

    def path(self, name: str) -> Path:
        """The file of site `name`; KeyError naming the known sites otherwise."""
        try:
            return self.files[name]
        except KeyError:
            raise KeyError(unknown_site(name, self)) from None

    def site_for_host(self, host: str) -> str | None:
        """The site whose domain (or a subdomain of it) the host is, or None."""
        for domain, name in self.owners:
            if host == domain or host.endswith("." + domain):
                return name
        return None


@cache
def load_registry(sites_dir: Path) -> Registry:
    """The shipped site files plus those in `sites_dir` (which replace a shipped file of the same name)."""
    files = {path.stem: path for path in sorted(SHIPPED_SITES_DIR.glob("*.toml"))}
    if sites_dir.resolve() != SHIPPED_SITES_DIR:
        if not sites_dir.is_dir():
            raise SiteFileError(f"sites_dir {sites_dir} is not a folder; create it or fix 'sites_dir'")
        files.update({path.stem: path for path in sorted(sites_dir.glob("*.toml"))})
    files = dict(sorted(files.items()))
    owners: dict[str, str] = {}
    for name, path in files.items():
        for domain in read_site(path).domains:
            if domain in owners:
                raise SiteFileError(
                    f"site file {path}: domain {domain!r} already belongs to site {owners[domain]!r}"
                    f" ({files[owners[domain]]}); a domain has one site"
                )
            owners[domain] = name
    ranked = sorted(owners.items(), key=lambda item: -len(item[0]))  # news.x.com before x.com
    return Registry(files, tuple(ranked))


_active: list[Registry] = []  # the process's registry, once its settings are loaded


def use_registry(registry: Registry) -> None:
    """Make `registry` the one this process asks (called by load_settings)."""
    _active[:] = [registry]


def registry() -> Registry:
    """The process's registry: the configured one, else the shipped sites."""
    return _active[0] if _active else load_registry(SHIPPED_SITES_DIR)


def site_names() -> tuple[str, ...]:
    """Every known site's name, sorted."""
    return registry().names


def site_file(name: str) -> Path:
    """The file of site `name` (KeyError naming the known sites otherwise)."""
    return registry().path(name)


def load_site_data(name: str) -> dict[str, Any]:
    """The raw tables of site `name`'s file."""
    return read_site_file(site_file(name))


def get_site(name: str) -> Site:
    """The validated [site] and [urls] tables of site `name`."""
    return read_site(site_file(name))


def site_for_url(url: str) -> str | None:
    """The site a URL belongs to by its registrable domain (amp./m./news. hosts included), or None."""
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    return registry().site_for_host(host)


def display_name(name: str) -> str:
    """What readers call the site ("Okezone"); the name itself for a site no file describes now."""
    return get_site(name).display_name if name in registry().files else name


def unknown_site(name: str, among: Registry | None = None) -> str:
    """Why `name` is refused, and what to do: "'x' is not one of the known sites (...); add ..."."""
    known = ", ".join((among or registry()).names)
    return f"{name!r} is not one of the known sites ({known}); {ADDING_A_SITE}"


def unknown_sites(names: Iterable[str], among: Registry | None = None) -> list[str]:
    """The names among `names` that no site file describes, in order."""
    files = (among or registry()).files
    return [name for name in names if name not in files]
