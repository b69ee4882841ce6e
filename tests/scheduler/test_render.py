"""The digest's text part: snippets wrapped for mail readers, highlights never broken across lines."""

from __future__ import annotations

from pantau.scheduler import render


def test_the_text_snippet_wraps_at_72_and_keeps_each_highlight_on_one_line():
    body = " ".join(["Presiden Rusia Vladimir Putin dan Pemimpin Korea Utara Kim Jong Un bertemu."] * 4)
    pieces = render.snippet("Judul", None, body, ["Korea Utara", "Kim Jong Un", "Putin"])
    text = render.text_snippet(pieces)
    lines = text.splitlines()
    assert len(lines) > 1
    assert all(line.startswith("   ") and len(line) <= 75 for line in lines)
    assert all(
        line.count("*") % 2 == 0 for line in lines
    )  # no highlight opens on one line and closes on the next
    assert "*Korea Utara*" in text
    assert "*Kim Jong Un*" in text
    assert "\u00a0" not in text
