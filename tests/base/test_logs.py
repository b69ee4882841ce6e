"""The one-line log format: context keys, line-break folding, credential masking."""

from __future__ import annotations

import logging
import re
import sys
from zoneinfo import ZoneInfo

import pytest

from pantau.base.logs import OneLineFormatter, context, redact, secrets_from_env, secrets_in, setup_logging

LINE = re.compile(
    r"^(?P<time>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d) "
    r"(?P<level>[A-Z]+) (?P<logger>\S+): (?P<rest>.*)$"
)


def record(msg, *args, level=logging.INFO, name="pantau.test", exc_info=None, **extra):
    rec = logging.LogRecord(name, level, __file__, 1, msg, args, exc_info)
    for key, value in extra.items():
        setattr(rec, key, value)
    return rec


def test_fields_in_order_with_context_after_the_message():
    rec = record("stored %d article(s)", 3, site="detik", run_id=42, url="https://news.detik.com/a/1")
    line = OneLineFormatter().format(rec)
    match = LINE.match(line)
    assert match, line
    assert match["level"] == "INFO"
    assert match["logger"] == "pantau.test"
    assert match["rest"] == "stored 3 article(s) site=detik run_id=42 url=https://news.detik.com/a/1"


def test_context_helper_feeds_extra():
    logger = logging.getLogger("pantau.test.context")
    captured = []

    class Keep(logging.Handler):
        def emit(self, rec):
            captured.append(OneLineFormatter().format(rec))

    handler = Keep()
    logger.addHandler(handler)
    try:
        logger.warning("gave up", extra=context(site="kompas", url="https://x.kompas.com/1"))
    finally:
        logger.removeHandler(handler)
    assert captured[0].endswith("gave up site=kompas url=https://x.kompas.com/1")


def test_absent_context_keys_are_left_out():
    line = OneLineFormatter().format(record("hello", site=None))
    assert line.endswith("pantau.test: hello")
    assert "site=" not in line


@pytest.mark.parametrize("brk", ["\n", "\r\n", "\r", "\u2028", "\x85", "\x0b", "\n\n\n"])
def test_a_scraped_title_with_a_line_break_stays_on_one_line(brk):
    title = f"Kim Jong Un tiba di Vladivostok{brk}INFO pantau.fake: forged record"
    line = OneLineFormatter().format(record("stored %s", title, url=f"https://okezone.com/a{brk}b"))
    assert len(line.splitlines()) == 1
    assert "Vladivostok INFO pantau.fake: forged record" in line


def test_context_values_with_spaces_are_quoted():
    line = OneLineFormatter().format(record("x", site="de tik", url='https://a/"q"'))
    assert line.endswith('x site="de tik" url="https://a/\\"q\\""')


def test_a_traceback_is_folded_into_the_same_line():
    try:
        raise ValueError("bad\nthing")
    except ValueError:
        exc_info = sys.exc_info()
    line = OneLineFormatter().format(record("failed", level=logging.ERROR, exc_info=exc_info))
    assert len(line.splitlines()) == 1
    assert "failed | Traceback (most recent call last):" in line
    assert "ValueError: bad | thing" in line


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("postgresql://pantau:s3cr3t@db:5432/pantau", "postgresql://pantau:***@db:5432/pantau"),
        ("smtps://mailer:p%40ss@mail.example.org:465", "smtps://mailer:***@mail.example.org:465"),
        ("smtp://:onlypw@mail:587", "smtp://:***@mail:587"),
        (
            "host=db user=pantau password=s3cr3t dbname=pantau",
            "host=db user=pantau password=*** dbname=pantau",
        ),
        ("host=db password = 's3 cr\\'et' port=5432", "host=db password = *** port=5432"),
        (
            "postgresql:///pantau?host=/run/pg&password=s3cr3t&sslmode=require",
            "postgresql:///pantau?host=/run/pg&password=***&sslmode=require",
        ),
        ("PASSWORD=s3cr3t", "PASSWORD=***"),
        ("see https://news.detik.com/berita/d-1/judul", "see https://news.detik.com/berita/d-1/judul"),
        ("user@example.org wrote", "user@example.org wrote"),
    ],
)
def test_redact(text, expected):
    assert redact(text) == expected


def test_formatter_masks_credentials_in_message_args_and_context():
    formatter = OneLineFormatter()
    rec = record("connecting to %s", "postgresql://u:hunter22@db/pantau", url="smtp://u:hunter33@mail:587")
    line = formatter.format(rec)
    assert "hunter22" not in line
    assert "hunter33" not in line
    assert "postgresql://u:***@db/pantau" in line


def test_known_secrets_are_masked_wherever_they_appear():
    formatter = OneLineFormatter(
        secrets_from_env({"PANTAU_DATABASE_URL": "postgresql://u:Tr0ub4dor%26@db/x"})
    )
    line = formatter.format(record("libpq said: bad password 'Tr0ub4dor&' and Tr0ub4dor%26"))
    assert "Tr0ub4dor" not in line
    assert line.endswith("bad password '***' and ***")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgresql://u:p%40ssword@db/x", {"p%40ssword", "p@ssword"}),
        ("host=db password='long secret'", {"long secret"}),
        ("smtp://mail:587", set()),
        ("smtp://u:abc@mail:587", set()),  # too short to search for literally (the URL form is still masked)
        ("not a url", set()),
    ],
)
def test_secrets_in(url, expected):
    assert secrets_in(url) == expected


def test_setup_logging_writes_one_masked_line_to_stderr(monkeypatch, capsys):
    monkeypatch.setenv("PANTAU_SMTP_URL", "smtp://mailer:CorrectHorse@127.0.0.1:2525")
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    try:
        setup_logging("WARNING")
        logging.getLogger("pantau.mail").info("not shown at WARNING")
        logging.getLogger("pantau.mail").warning(
            "login refused for CorrectHorse\nretrying", extra=context(run_id=7)
        )
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "not shown" not in err
    assert "CorrectHorse" not in err
    assert LINE.match(err.strip())
    assert err.strip().endswith("WARNING pantau.mail: login refused for *** retrying run_id=7")


@pytest.mark.parametrize(("level", "shown"), [("INFO", 2), ("DEBUG", 4)])
def test_library_chatter_is_debug_and_times_are_in_the_configured_zone(capsys, level, shown):
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    try:
        setup_logging(level, ZoneInfo("Asia/Jakarta"))
        logging.getLogger("scrapy.statscollectors").info("Dumping Scrapy stats:")
        logging.getLogger("apscheduler.executors.default").info('Running job "heartbeat"')
        logging.getLogger("scrapy.core.scraper").warning("a real problem")
        logging.getLogger("pantau.crawler.runner").info("crawl ended: finished")
    finally:
        root.handlers[:], old = saved
        root.setLevel(old)
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == shown
    assert all(re.match(r"^\S+\+07:00 ", line) for line in lines)  # WIB, whatever the host's zone
    assert any(" WARNING scrapy.core.scraper: a real problem" in line for line in lines)
    chatter = [line for line in lines if "Dumping" in line or "Running job" in line]
    assert all(" DEBUG " in line for line in chatter)
    assert len(chatter) == (2 if level == "DEBUG" else 0)
