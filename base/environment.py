"""The PANTAU_* environment checked before the settings are built: one line for each mistake.

pydantic-settings reads only the variables that name a setting, so a misspelt one would be ignored
(or, inside a section, blamed on the config file), and libpq's own error for a URL it cannot parse
is a traceback that quotes the whole URL, password included. Both are caught here instead.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping

import psycopg
from psycopg import conninfo
from pydantic import BaseModel

from pantau.base.errors import ConfigError
from pantau.base.logs import redact, secrets_in

PREFIX = "PANTAU_"
# Variables pantau reads that are not settings: the config file's path, the container entry
# point's switch (deploy/entrypoint.sh) and the crash points of the digest tests (scheduler/crash.py).
OTHER_VARIABLES = frozenset({"PANTAU_CONFIG", "PANTAU_MIGRATE_ON_START", "PANTAU_TEST_CRASH_AT"})
POSTGRES_SCHEMES = ("postgresql", "postgres")
URL_HELP = "use postgresql://USER:PASSWORD@HOST:5432/DBNAME, or unset it to use the embedded database"


def setting_variables(model: type[BaseModel]) -> dict[str, bool]:
    """Each variable naming a setting of `model` (upper case), and whether it may take deeper parts."""
    names: dict[str, bool] = {}
    for name, info in model.model_fields.items():
        top = f"{PREFIX}{name.upper()}"
        names[top] = False
        section = info.annotation
        if isinstance(section, type) and issubclass(section, BaseModel):
            for key, sub in section.model_fields.items():
                # A dict-valued key (crawl.host_map) takes PANTAU_CRAWL__HOST_MAP__<entry> too.
                names[f"{top}__{key.upper()}"] = getattr(sub.annotation, "__origin__", None) is dict
    return names


def check_environment(model: type[BaseModel], environ: Mapping[str, str]) -> None:
    """Raise ConfigError naming the first unknown PANTAU_* variable or an unusable database URL."""
    known = setting_variables(model)
    for variable in sorted(environ):
        name = variable.upper()
        if not name.startswith(PREFIX) or name in OTHER_VARIABLES or name in known:
            continue
        if any(known[k] and name.startswith(f"{k}__") for k in known):
            continue
        raise ConfigError(f"unknown environment variable {variable}; {_suggest(name, known)}")
    url = environ.get(f"{PREFIX}DATABASE_URL", "")
    if url:  # empty means unset (the embedded database), like every other PANTAU_* variable
        check_database_url(url)


def check_database_url(url: str) -> None:
    """Raise ConfigError (password masked) unless libpq can read `url` as a PostgreSQL server."""
    shown = redact(url, secrets_in(url))
    scheme, sep, _ = url.partition("://")
    if sep and scheme.lower() not in POSTGRES_SCHEMES:
        raise ConfigError(f"PANTAU_DATABASE_URL {shown} is not a PostgreSQL URL ({scheme}://); {URL_HELP}")
    try:
        conninfo.conninfo_to_dict(url)
    except psycopg.ProgrammingError as exc:
        # libpq quotes the whole URL after its reason ('... in URI: "postgresql://..."'): cut it.
        reason = re.sub(r'(:| in URI:) ".*"$', "", str(exc).strip().splitlines()[0])
        reason = redact(reason, secrets_in(url))
        raise ConfigError(f"PANTAU_DATABASE_URL {shown} cannot be read ({reason}); {URL_HELP}") from None


def _suggest(name: str, known: Mapping[str, bool]) -> str:
    close = difflib.get_close_matches(name, [*known, *OTHER_VARIABLES], n=1, cutoff=0.8)
    if close:
        return f"did you mean {close[0]}? (see deploy/pantau.example.toml)"
    return "remove it or check its spelling (every setting is in deploy/pantau.example.toml)"
