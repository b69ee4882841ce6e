"""Structured one-line log records on stderr: `time level logger message key=value ...`."""

from __future__ import annotations

import logging
import re
import sys
from typing import Any

# Any URL with credentials (postgresql://user:pw@host, smtp://user:pw@host) is masked in every record.
_CREDENTIALS = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://)(?P<user>[^:/@\s]*):(?P<pw>[^@\s]*)@", re.I)
_CONTEXT_KEYS = ("site", "run_id", "url", "subscription", "digest_id")


def redact(text: str) -> str:
    """Text with the password of any credentialed URL replaced by ***."""
    return _CREDENTIALS.sub(lambda m: f"{m['scheme']}{m['user']}:***@", text)


class OneLineFormatter(logging.Formatter):
    """Formats a record on one line, context (site, run_id, url) as key=value, secrets masked."""

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        if record.exc_info:
            message += " | " + self.formatException(record.exc_info).replace("\n", " | ")
        context = " ".join(
            f"{key}={getattr(record, key)}" for key in _CONTEXT_KEYS if getattr(record, key, None) is not None
        )
        stamp = self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z")
        line = f"{stamp} {record.levelname} {record.name}: {message}"
        if context:
            line += f" {context}"
        return redact(line.replace("\n", " ").replace("\r", " "))


def setup_logging(level: str = "INFO") -> None:
    """Send every logger's records to stderr in the one-line format."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(OneLineFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


def context(**values: Any) -> dict[str, Any]:
    """`extra=` mapping for a log call, e.g. log.info("stored", extra=context(site="detik"))."""
    return values
