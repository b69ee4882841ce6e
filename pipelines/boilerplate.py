"""Text-level cleaning of an extracted body, driven by a site's ``[boilerplate]`` table.

The DOM is pruned first (``[extraction].drop``); what survives into the text and is still the
site's clutter is removed here, line by line (trafilatura gives one line per paragraph):

- ``drop_lines``: a line that matches one of these in full is removed (``Baca juga: …``);
- ``cut_after``: the first line matching one of these, and everything after it, is removed
  (promos that close the story, ``Simak breaking news … WhatsApp Channel``);
- ``strip_prefix``: removed from the start of the first lines (datelines ``Jakarta -``);
- ``strip_suffix``: removed from the end of the text, repeatedly (editor initials ``(nvc/ita)``).
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

    @classmethod
    def from_mapping(cls, table: Mapping[str, Any]) -> Boilerplate:
        """Rules from a ``[boilerplate]`` table; the common drop list always applies."""
        return cls(
            drop_lines=_compile([*COMMON_DROP_LINES, *table.get("drop_lines", ())]),
            cut_after=_compile(table.get("cut_after", ())),
            strip_prefix=_compile(table.get("strip_prefix", ())),
            # anchored at the very end: "(Susi Susanti)" closes the story, "(Korut)" mid-text stays
            strip_suffix=_compile([rf"(?:{p})\Z" for p in table.get("strip_suffix", ())]),
        )

    def clean(self, text: str) -> str:
        """The text without the site's clutter, one paragraph per line, no blank lines."""
        lines = [" ".join(line.split()) for line in text.splitlines()]
        kept: list[str] = []
        for line in lines:
            if any(p.search(line) for p in self.cut_after):
                break
            if line and not any(p.fullmatch(line) for p in self.drop_lines):
                kept.append(line)
        kept = self._strip_dateline(kept)
        return self._strip_tail("\n".join(kept))

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
