"""The lead a reader sees: the site's standfirst without furniture, never a repeat of the body.

Sites fill the description with their first paragraph, often cut mid-word (`... serta bantuan
Mosk`), and with page furniture (`Halaman all`, ` - Sektor Riil - okezone economy`) and datelines
(`MOSKOW -`). What is left after the site's `lead_strip` and `strip_prefix` patterns goes through
`pantau.base.snippets.story_lead`: a sentence the body already holds is dropped, a cut one ends on
its last whole word plus `…`. A lead that is one of the points of the site's own summary box is
the site's summary, not a lead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pantau.base.snippets import story_lead

if TYPE_CHECKING:
    from pantau.pipelines.boilerplate import Boilerplate


def clean_lead(lead: str | None, body: str, boilerplate: Boilerplate, summary: list[str]) -> str | None:
    """The lead to store, or None when nothing of it is the site's own and not already in the body."""
    if not lead:
        return None
    text = boilerplate.strip_lead(lead)
    if not text or any(" ".join(point.split()) == text for point in summary):
        return None
    return story_lead(text, body)
