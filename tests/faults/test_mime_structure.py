"""Issue 15 item 6: a scraped title cannot forge the digest's MIME structure.

The message is written by the real outbox transport and read back from its .eml file by the email
package's parser, as a mail client would: two parts, each exactly the text we composed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from pathlib import Path

import pytest

from pantau.scheduler.mail import Letter, OutboxTransport, compose

MESSAGE_ID = "<pantau.digest-7.0123456789ab@example.org>"


def _letter(text: str, html: str) -> Letter:
    return Letter(
        sender="pantau <pantau@example.org>",
        recipient="a@example.org",
        subject="Digest",
        text=text,
        html=html,
        message_id=MESSAGE_ID,
        date=datetime(2024, 11, 20, tzinfo=UTC),
    )


def _boundary() -> str:
    """The boundary a digest with this Message-ID gets: an attacker can compute it the same way."""
    boundary = compose(_letter("x", "<p>x</p>")).get_boundary()
    assert boundary
    return boundary


def _hostile_titles(boundary: str) -> list[str]:
    """Titles that put `--boundary--` at a line start: raw, and after every quoted-printable soft break."""
    closing = f"--{boundary}--"
    titles = [f"Rudal\n{closing}\nKorut", f"Rudal\r\n{closing}\r\n", f"é\n{closing}\n"]
    # The encoder breaks lines at 76 characters; some padding lands the closing line at a line start.
    titles += ["é" + "A" * pad + closing for pad in range(40, 80)]
    return titles


def _read_back(tmp_path: Path, letter: Letter) -> EmailMessage:
    """Write the message with the outbox transport and parse the .eml file back."""
    transport = OutboxTransport(tmp_path)
    transport.send(compose(letter), letter.recipient, "digest")
    parsed = message_from_bytes(transport.path_for("digest").read_bytes(), policy=default)
    assert isinstance(parsed, EmailMessage)
    return parsed


@pytest.mark.parametrize("title", _hostile_titles(_boundary()), ids=lambda title: f"{len(title)}chars")
def test_a_hostile_title_cannot_hide_the_html_part(tmp_path, title):
    text = f"Berita hari ini\n\n{title}\nhttps://example.org/1\n"
    html = f"<p>{title}</p>"
    parsed = _read_back(tmp_path, _letter(text, html))
    parts = list(parsed.iter_parts())
    assert [part.get_content_type() for part in parts] == ["text/plain", "text/html"]
    plain, rich = (part.get_content() for part in parts)
    assert plain.replace("\r\n", "\n") == text.replace("\r\n", "\n")
    assert rich.replace("\r\n", "\n").rstrip("\n") == html.replace("\r\n", "\n")
    assert not parsed.defects
    assert not any(part.defects for part in parts)


def test_the_same_digest_is_byte_identical_when_composed_again():
    """The re-send after a crash must be recognisably the same message: same bytes, same boundary."""
    letter = _letter("Rudal é\n", "<p>Rudal é</p>")
    assert compose(letter).as_bytes() == compose(letter).as_bytes()
