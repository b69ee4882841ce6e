"""Text-level cleaning of an extracted body, driven by a site's ``[boilerplate]`` table.

The DOM is pruned first (``[extraction].drop``); what survives into the text and is still the
site's clutter is removed here, line by line (trafilatura gives one line per paragraph):

- ``drop_lines``: a line that matches one of these in full is removed (``Baca juga: …``);
- ``cut_after``: the first line matching one of these, and everything after it, is removed
  (promos that close the story, ``Simak breaking news … WhatsApp Channel``);
- ``strip_prefix``: removed from the start of the first lines (datelines ``Jakarta -``);
- ``strip_suffix``: removed from the end of the text, repeatedly (editor initials ``(nvc/ita)``);
- ``summary_start`` / ``summary_end``: the heading and the closing line of a box of bullet points the
  site adds above the story (Bisnis's AI "Ringkasan Berita"): not the journalist's text, so it is
  taken out of the body and kept apart as the site's summary;
- ``lead_strip``: page furniture removed from the lead (``Halaman all``, `` - okezone economy``);
  the lead also loses a dateline (``strip_prefix``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

# Clutter every one of the four sites prints inside or next to the story.
COMMON_DROP_LINES = (
    r"(?i)advertisement",
    r"(?i)scroll to (?:continue|resume) (?:with )?content",
    r"(?i)baca (?:juga|selengkapnya)\s*:?.*",
    r"(?i)halaman \d+ dari \d+",
    r"(?i)(?:halaman\s*)?(?:\d+\.?\s*)+",  # pager remnants "1 2", "Halaman 1. 1 2. 2"
    r"[-–—•*\s]*",
)
_PREFIX_LINES = 3  # a dateline sits on the first line, or alone on a line before it
_SUMMARY_LINES = 15  # a site's summary box sits above the story: only the first lines are looked at
# trafilatura writes list items as "- item"; some sites print their own bullets.
_BULLET = re.compile(r"^\s*[-•*–]\s+")


def _compile(patterns: Sequence[str]) -> tuple[re.Pattern[str], ...]:
    try:
        return tuple(re.compile(p) for p in patterns)
    except re.error as exc:
        raise ValueError(f"bad boilerplate pattern {exc.pattern!r}: {exc}") from exc


@dataclass(frozen=True)
class Boilerplate:
    """Compiled text-cleaning rules of one site (see the module docstring for each list)."""

    drop_lines: tuple[re.Pattern[str], ...] = field(default_factory=lambda: _compile(COMMON_DROP_LINES))
    cut_after: tuple[re.Pattern[str], ...] = ()
    strip_prefix: tuple[re.Pattern[str], ...] = ()
    strip_suffix: tuple[re.Pattern[str], ...] = ()
    summary_start: tuple[re.Pattern[str], ...] = ()
    summary_end: tuple[re.Pattern[str], ...] = ()
    lead_strip: tuple[re.Pattern[str], ...] = ()

    @classmethod
    def from_mapping(cls, table: Mapping[str, Any]) -> Boilerplate:
        """Rules from a ``[boilerplate]`` table; the common drop list always applies."""
        return cls(
            drop_lines=_compile([*COMMON_DROP_LINES, *table.get("drop_lines", ())]),
            cut_after=_compile(table.get("cut_after", ())),
            strip_prefix=_compile(table.get("strip_prefix", ())),
            # anchored at the very end: "(Susi Susanti)" closes the story, "(Korut)" mid-text stays
            strip_suffix=_compile([rf"(?:{p})\Z" for p in table.get("strip_suffix", ())]),
            summary_start=_compile(table.get("summary_start", ())),
            summary_end=_compile(table.get("summary_end", ())),
            lead_strip=_compile(table.get("lead_strip", ())),
        )

    def clean(self, text: str) -> str:
        """The text without the site's clutter (and its summary box), one paragraph per line."""
        return self.split(text)[0]

    def split(self, text: str) -> tuple[str, list[str]]:
        """(the clean text, the points of the site's own summary box, if it has one)."""
        lines = [" ".join(line.split()) for line in text.splitlines()]
        lines = [line for line in lines if line]
        summary: list[str] = []
        block = self._summary_block(lines)
        if block is not None:
            first, last = block
            points = [line for line in lines[first:last] if _BULLET.match(line) and not self._closes(line)]
            summary = [_BULLET.sub("", line) for line in points]
            lines = lines[:first] + lines[last:]
        kept: list[str] = []
        for line in lines:
            if any(p.search(line) for p in self.cut_after):
                break
            if not any(p.fullmatch(line) for p in self.drop_lines):
                kept.append(line)
        kept = self._strip_dateline(kept)
        return self._strip_tail("\n".join(kept)), summary

    def _summary_block(self, lines: list[str]) -> tuple[int, int] | None:
        """(first, end) lines of the site's summary box: its heading or its bullets up to its closing line."""
        for index, line in enumerate(lines[:_SUMMARY_LINES]):
            if any(p.fullmatch(line) for p in self.summary_start):
                end = index + 1
                while end < len(lines) and _BULLET.match(lines[end]) and not self._closes(lines[end]):
                    end += 1
                closing = end < len(lines) and self._closes(lines[end])
                return index, end + 1 if closing else end
            if self._closes(line):
                first = index
                while first > 0 and _BULLET.match(lines[first - 1]):
                    first -= 1
                return (first, index + 1) if first < index else None
        return None

    def _closes(self, line: str) -> bool:
        return any(p.fullmatch(line) for p in self.summary_end)

    def strip_lead(self, lead: str) -> str:
        """The lead without the site's furniture and dateline."""
        text = " ".join(lead.split())
        for pattern in self.lead_strip:
            text = pattern.sub("", text).strip()
        for pattern in self.strip_prefix:
            match = pattern.match(text)
            if match:
                text = text[match.end() :].strip()
                break
        return text.strip(" -–—|:")

    def _strip_dateline(self, lines: list[str]) -> list[str]:
        for index, line in enumerate(lines[:_PREFIX_LINES]):
            for pattern in self.strip_prefix:
                match = pattern.match(line)
                if match:
                    rest = line[match.end() :].strip()
                    return lines[:index] + ([rest] if rest else []) + lines[index + 1 :]
        return lines

    def _strip_tail(self, text: str) -> str:
        changed = True
        while changed and text:
            changed = False
            for pattern in self.strip_suffix:
                match = pattern.search(text)
                if match:
                    text, changed = text[: match.start()].rstrip(), True
        return text
