"""Structured one-line log records on stderr: `time level logger: message key=value ...`.

Every record is one line whatever it carries (a scraped title with a newline, a traceback), so that
journald and `docker logs` keep one record per line, and no record ever shows a secret: passwords
in URLs (`postgresql://user:***@host`) and libpq conninfo strings (`password=***`) are masked, and so
is any literal occurrence of the passwords in PANTAU_DATABASE_URL and PANTAU_SMTP_URL.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from collections.abc import Iterable
from datetime import datetime, tzinfo
from typing import Any
from urllib.parse import unquote, urlsplit

MASK = "***"
# Any URL with credentials (postgresql://user:pw@host, smtp://user:pw@host) is masked in every record.
_CREDENTIALS = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://)(?P<user>[^:/@\s]*):(?P<pw>[^@\s]*)@", re.I)
# libpq conninfo (`host=db password='s3 cret'`) and URL query parameters (`?password=s3cret&...`).
_PASSWORD_PARAM = re.compile(r"(?P<key>\bpassword\s*=\s*)(?P<value>'(?:[^'\\]|\\.)*'|[^\s&'\"]+)", re.I)
# Every character that some tool treats as a line break (str.splitlines), folded into one space.
_LINE_BREAKS = re.compile(r"[\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029]+")
_CONTEXT_KEYS = ("site", "run_id", "url", "subscription", "digest_id")
_SECRET_ENV = ("PANTAU_DATABASE_URL", "PANTAU_SMTP_URL")
# Shorter literal secrets are not searched for: masking every "abc" would shred the logs.
_MIN_LITERAL = 4
# Libraries whose INFO records are bookkeeping for their developers, not news for an operator
# (Scrapy's settings, middleware and stats dumps, APScheduler's "Running job" for every beat):
# shown as DEBUG, so `log_level = "DEBUG"` still has them.
CHATTY = ("scrapy", "apscheduler")


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """Text with credentials masked: URL passwords, `password=` parameters, and the given literals."""
    text = _CREDENTIALS.sub(lambda m: f"{m['scheme']}{m['user']}:{MASK}@", text)
    text = _PASSWORD_PARAM.sub(lambda m: f"{m['key']}{MASK}", text)
    for secret in secrets:
        text = text.replace(secret, MASK)
    return text


def one_line(text: str) -> str:
    """Text with every line break (and runs of them) replaced by a single space."""
    return _LINE_BREAKS.sub(" ", text)


def secrets_in(url: str) -> set[str]:
    """The password in a database or SMTP URL (or libpq conninfo), as written and percent-decoded."""
    found: set[str] = set()
    try:
        password = urlsplit(url).password
    except ValueError:
        password = None
    if password:
        found |= {password, unquote(password)}
    for match in _PASSWORD_PARAM.finditer(url):
        found.add(match["value"].strip("'"))
    return {value for value in found if len(value) >= _MIN_LITERAL}


def secrets_from_env(environ: dict[str, str] | None = None) -> set[str]:
    """The passwords of the secret settings in the environment (PANTAU_DATABASE_URL, PANTAU_SMTP_URL)."""
    env = os.environ if environ is None else environ
    found: set[str] = set()
    for key in _SECRET_ENV:
        found |= secrets_in(env.get(key, ""))
    return found


def _format_value(value: object) -> str:
    text = str(value)
    # Quote values that would otherwise be ambiguous to split on spaces.
    if not text or any(ch.isspace() or ch in "\"'=" for ch in text):
        return json.dumps(text, ensure_ascii=False)
    return text


class OneLineFormatter(logging.Formatter):
    """Formats a record on one line, context (site, run_id, url) as key=value, secrets masked."""

    def __init__(self, secrets: Iterable[str] = (), zone: tzinfo | None = None) -> None:
        super().__init__()
        # Longest first, so that a secret containing another is masked whole.
        self.secrets = sorted(set(secrets), key=len, reverse=True)
        self.zone = zone

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        """ISO 8601 time in the configured zone (else the host's), ms and offset (…07:00:00.123+07:00)."""
        del datefmt  # one format for every record
        when = datetime.fromtimestamp(record.created, self.zone) if self.zone else None
        return (when or datetime.fromtimestamp(record.created).astimezone()).isoformat(
            timespec="milliseconds"
        )

    def format(self, record: logging.LogRecord) -> str:
        """`time LEVEL logger: message key=value ...` on one line, secrets masked."""
        message = record.getMessage()
        if record.exc_info:
            message += " | " + self.formatException(record.exc_info).replace("\n", " | ")
        if record.stack_info:
            message += " | " + self.formatStack(record.stack_info).replace("\n", " | ")
        line = f"{self.formatTime(record)} {record.levelname} {record.name}: {message}"
        context = " ".join(
            f"{key}={_format_value(getattr(record, key))}"
            for key in _CONTEXT_KEYS
            if getattr(record, key, None) is not None
        )
        if context:
            line += f" {context}"
        return redact(one_line(line), self.secrets)


class DemoteChatter(logging.Filter):
    """Turns INFO records of the CHATTY libraries into DEBUG ones, dropped unless the level is DEBUG."""

    def filter(self, record: logging.LogRecord) -> bool:
        """False for a demoted record the root logger's level hides; otherwise relabels and keeps it."""
        if record.levelno != logging.INFO or not record.name.startswith(CHATTY):
            return True
        if logging.getLogger().getEffectiveLevel() > logging.DEBUG:
            return False
        record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        return True


def setup_logging(level: str = "INFO", zone: tzinfo | None = None) -> None:
    """Send every logger's records to stderr in the one-line format (times in `zone`), secrets masked."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(OneLineFormatter(secrets_from_env(), zone))
    handler.addFilter(DemoteChatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


def context(**values: Any) -> dict[str, Any]:
    """`extra=` mapping for a log call, e.g. log.info("stored", extra=context(site="detik"))."""
    return values
