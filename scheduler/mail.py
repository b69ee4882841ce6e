"""Digest messages and the two ways to deliver them: an SMTP server, or .eml files in the outbox.

Every transport raises TransientFailure (try again later) or PermanentFailure (give up) so the
outbox can decide between back-off and 'failed' without knowing the transport.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import smtplib
import ssl
import tempfile
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, parseaddr
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

from pantau.base.errors import ConfigError

log = logging.getLogger(__name__)
_HEADER_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_TEMP_PREFIX, _TEMP_SUFFIX = ".", ".tmp"  # an outbox file being written: .<random>.tmp


class TransientFailure(Exception):
    """Delivery failed for now (4xx, disconnect, timeout, network): retry with back-off."""


class PermanentFailure(Exception):
    """Delivery can never succeed as is (5xx, all recipients refused): mark failed."""


def header_safe(value: str) -> str:
    """A header value with control characters removed and encoded words neutralised.

    Python 3.11.7 re-serialises an encoded word such as `=?UTF-8?Q?x=0A?=` as a real newline
    (CVE-2024-6923), so `=?` never reaches a header from us, even from configuration.
    """
    return " ".join(_HEADER_UNSAFE.sub(" ", value).replace("=?", "= ?").split())


def check_address(address: str, owner: str) -> str:
    """A bare e-mail address from configuration, or ConfigError naming where it came from."""
    _name, bare = parseaddr(address)
    if not bare or "@" not in bare or bare != address.strip() or header_safe(bare) != bare:
        raise ConfigError(
            f"{owner}: {address!r} is not a plain e-mail address (write it as name@example.org)"
        )
    return bare


def message_id(digest_id: int, recipient: str, sender: str) -> str:
    """A Message-ID fixed by digest and recipient, so a re-send is recognisably the same message."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "pantau.invalid"
    return f"<pantau.digest-{digest_id}.{recipient_hash(recipient)}@{header_safe(domain)}>"


def recipient_hash(recipient: str) -> str:
    """A short stable hash of a recipient (file names and Message-IDs carry no address)."""
    return hashlib.sha256(recipient.lower().encode()).hexdigest()[:12]


@dataclass(frozen=True)
class Letter:
    """Everything a digest message consists of; all header values come from our own data."""

    sender: str
    recipient: str
    subject: str
    text: str
    html: str
    message_id: str
    date: datetime
    unsubscribe_url: str | None = None


def compose(letter: Letter) -> EmailMessage:
    """The MIME message: text part and HTML alternative, headers sanitised."""
    msg = EmailMessage(policy=SMTP)
    msg["From"] = header_safe(letter.sender)
    msg["To"] = header_safe(letter.recipient)
    msg["Subject"] = header_safe(letter.subject)
    msg["Date"] = format_datetime(letter.date)
    msg["Message-ID"] = header_safe(letter.message_id)
    if letter.unsubscribe_url:
        msg["List-Unsubscribe"] = f"<{header_safe(letter.unsubscribe_url)}>"
    # Quoted-printable writes every "=" of the text as "=3D", so no body line can contain "=_" and
    # scraped text can never spell the boundary below (base64 has neither character either).
    msg.set_content(letter.text, cte="quoted-printable")
    msg.add_alternative(letter.html, subtype="html", cte="quoted-printable")
    # A boundary fixed by the Message-ID, so a re-sent digest is byte-identical to the first send.
    msg.set_boundary(_boundary_for(letter.message_id))
    return msg


def _boundary_for(message_id: str) -> str:
    """The multipart boundary of a message: predictable, and containing `=_`, which no part can."""
    return "=_pantau-" + hashlib.sha256(message_id.encode()).hexdigest()[:32]


class Transport(Protocol):
    """Delivers one composed message to one recipient."""

    description: str

    def send(self, msg: EmailMessage, recipient: str, delivery_key: str) -> None:
        """Deliver, or raise TransientFailure / PermanentFailure."""


@dataclass(frozen=True)
class SmtpServer:
    """Where and how to reach the mail server, parsed from PANTAU_SMTP_URL."""

    host: str
    port: int
    ssl: bool
    user: str | None
    password: str | None


def parse_smtp_url(url: str) -> SmtpServer:
    """smtp://user:pw@host:587 (STARTTLS when offered) or smtps://user:pw@host:465 (SSL)."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ConfigError(
            "PANTAU_SMTP_URL must look like smtp://user:password@host:587 or smtps://user:password@host:465"
        )
    secure = parts.scheme == "smtps"
    try:
        port = parts.port or (465 if secure else 587)
    except ValueError:
        raise ConfigError("PANTAU_SMTP_URL has an invalid port") from None
    user = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password else None
    return SmtpServer(parts.hostname, port, secure, user, password)


class SmtpTransport:
    """One SMTP connection per delivery, each operation bounded by `timeout` seconds."""

    def __init__(self, server: SmtpServer, timeout: float) -> None:
        self.server = server
        self.timeout = timeout
        self.description = f"SMTP server {server.host}:{server.port}"

    def _connect(self) -> smtplib.SMTP:
        if self.server.ssl:
            return smtplib.SMTP_SSL(self.server.host, self.server.port, timeout=self.timeout)
        conn = smtplib.SMTP(self.server.host, self.server.port, timeout=self.timeout)
        conn.ehlo()
        if conn.has_extn("starttls"):
            conn.starttls(context=ssl.create_default_context())
            conn.ehlo()
        return conn

    def send(self, msg: EmailMessage, recipient: str, delivery_key: str) -> None:  # noqa: ARG002
        """Deliver over SMTP; classify every failure as transient or permanent."""
        from pantau.scheduler.crash import crash_point

        try:
            with self._connect() as conn:
                if self.server.user:
                    conn.login(self.server.user, self.server.password or "")
                crash_point("during_send")
                refused = conn.send_message(msg, to_addrs=[recipient])
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _text in exc.recipients.values()]
            raise _by_code(min(codes), f"recipient refused: {exc.recipients}") from None
        except smtplib.SMTPResponseException as exc:
            raise _by_code(exc.smtp_code, f"{exc.smtp_code} {exc.smtp_error!r}") from None
        except (smtplib.SMTPException, OSError) as exc:  # disconnects, timeouts, refused connections
            raise TransientFailure(f"{type(exc).__name__}: {exc}") from None
        if refused:
            raise PermanentFailure(f"recipient refused: {refused}")


def _by_code(code: int, text: str) -> Exception:
    return TransientFailure(text) if 400 <= code < 500 else PermanentFailure(text)


class OutboxTransport:
    """Writes each message as an .eml file; an existing file means the message was already sent."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.description = f"outbox folder {directory}"

    def remove_orphans(self) -> list[Path]:
        """Delete temp files a sender killed mid-write left behind; call only under the digest lock.

        Every write happens under that lock, so a temp file found while holding it has no writer;
        its delivery is still 'sending' and the lease sweep queues it again.
        """
        orphans = sorted(self.directory.glob(f"{_TEMP_PREFIX}*{_TEMP_SUFFIX}"))
        for orphan in orphans:
            orphan.unlink(missing_ok=True)
            log.warning("removed %s, left by a sender that died while writing it", orphan)
        return orphans

    def path_for(self, delivery_key: str) -> Path:
        """The file a delivery is written to."""
        return self.directory / f"{delivery_key}.eml"

    def send(self, msg: EmailMessage, recipient: str, delivery_key: str) -> None:  # noqa: ARG002
        """Write atomically (temp file, fsync, rename); a file already there is not rewritten."""
        from pantau.scheduler.crash import crash_point

        target = self.path_for(delivery_key)
        if target.exists():
            log.info("%s already exists: the digest was written before; not writing it again", target)
            return
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(dir=self.directory, prefix=_TEMP_PREFIX, suffix=_TEMP_SUFFIX)
            with os.fdopen(fd, "wb") as fh:
                fh.write(msg.as_bytes())
                fh.flush()
                os.fsync(fh.fileno())
            crash_point("during_send")
            Path(temp).replace(target)
        except OSError as exc:
            raise TransientFailure(f"cannot write {target}: {exc}") from None
        log.info("digest written to %s", target)


def transport_for(smtp_url: str | None, outbox_dir: Path, timeout: float) -> Transport:
    """The SMTP transport when PANTAU_SMTP_URL is set, else the .eml outbox."""
    if smtp_url:
        return SmtpTransport(parse_smtp_url(smtp_url), timeout)
    return OutboxTransport(outbox_dir)
