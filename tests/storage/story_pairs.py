"""A labelled set of story pairs: is B the same story as A (a wire copy), or another story?

Wire copies get the edits outlets really make: a dateline of their own, a sentence split in two or
two merged, a paragraph dropped or added, a few words changed, their own clutter left in by the
extractor. Other stories are the same event by another reporter (some quoting the same officials)
and other events with the same actors. The measure (pantau.base.fingerprints) and bench/clusters.py
read this set; texts are the replay world's seed stories and tests/storage/story_texts.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from tests.storage import story_texts as t
from tests.support.replay import load_story_text


@dataclass(frozen=True)
class Pair:
    """Two bodies and whether they are one story; `kind` says what kind of pair it is."""

    name: str
    kind: str  # wire (a copy), same_event (other reporter), same_actors (other event)
    a: str
    b: str
    same: bool


def seed(stem: str) -> str:
    """A replay seed story's body as extraction leaves it (its first line the dateline's paragraph)."""
    _title, paragraphs = load_story_text(stem)
    return "\n".join(p for p in paragraphs if not p.startswith("<i>") and "(Foto:" not in p)


def _paragraphs(text: str) -> list[str]:
    return [p for p in text.split("\n") if p.strip()]


def with_dateline(text: str, dateline: str) -> str:
    """The outlet's own dateline, one its site rules do not strip (it stays in the body)."""
    return f"{dateline} {text}"


def split_sentence(text: str) -> str:
    """The longest sentence cut in two at its middle comma ("..., yang ..." -> "... . Hal itu ...")."""
    sentences = re.split(r"(?<=[.!?\"])\s+", text)
    longest = max(range(len(sentences)), key=lambda i: len(sentences[i]))
    sentence = sentences[longest]
    commas = [m.start() for m in re.finditer(",", sentence)]
    if not commas:
        return text
    cut = min(commas, key=lambda c: abs(c - len(sentence) / 2))
    rest = sentence[cut + 1 :].strip()
    sentences[longest] = f"{sentence[:cut]}. Hal itu, {rest}"
    return " ".join(sentences) if "\n" not in text else text.replace(sentence, sentences[longest])


def merge_sentences(text: str) -> str:
    """The second and third paragraphs joined into one sentence ("... . X" -> "..., sementara X")."""
    paragraphs = _paragraphs(text)
    if len(paragraphs) < 3:
        return text
    first, second = paragraphs[1].rstrip("."), paragraphs[2]
    paragraphs[1:3] = [f"{first}, sementara {second[0].lower()}{second[1:]}"]
    return "\n".join(paragraphs)


def drop_last(text: str) -> str:
    return "\n".join(_paragraphs(text)[:-1])


def drop_first(text: str) -> str:
    return "\n".join(_paragraphs(text)[1:])


def add_paragraph(text: str) -> str:
    """The outlet's own context paragraph added before the last one."""
    paragraphs = _paragraphs(text)
    extra = (
        "Sebelumnya, Kementerian Luar Negeri RI menyerukan semua pihak menahan diri dan "
        "menghormati resolusi Dewan Keamanan PBB demi menjaga perdamaian dan stabilitas kawasan."
    )
    return "\n".join([*paragraphs[:-1], extra, paragraphs[-1]])


def reword(text: str) -> str:
    """An editor's touch: a few words swapped for the outlet's house style."""
    swaps = {
        "Korea Utara": "Korut",
        "mengatakan": "menyatakan",
        "sebelumnya": "sebelum ini",
        "minggu": "pekan",
    }
    for old, new in swaps.items():
        text = text.replace(old, new, 2)
    return text


def clutter(text: str) -> str:
    """What another site's extraction lets through: a related link, a promo and editor initials."""
    paragraphs = _paragraphs(text)
    paragraphs.insert(2, "Baca juga: Korut Uji Coba Rudal Lagi, Jepang Siaga")
    return "\n".join([*paragraphs, "Simak berita dan artikel lainnya di Google News", "(ant/ita)"])


def the_issue_case(text: str) -> str:
    """One Antara story on Okezone and Bisnis: another dateline, a sentence split, the end dropped."""
    return split_sentence(with_dateline(drop_last(text), "Bisnis.com, JAKARTA (ANTARA) —"))


EDITS: dict[str, Callable[[str], str]] = {
    "dateline": lambda s: with_dateline(s, "MOSKOW (ANTARA) -"),
    "split": split_sentence,
    "merge": merge_sentences,
    "drop_last": drop_last,
    "drop_first": drop_first,
    "added": add_paragraph,
    "reworded": reword,
    "clutter": clutter,
    "issue": the_issue_case,
    "all": lambda s: clutter(reword(add_paragraph(drop_last(merge_sentences(split_sentence(s)))))),
}

WIRE_BASES = {
    "pact": t.WIRE_PACT,
    "kursk": t.WIRE_KURSK,
    "kompas_seed": seed("kompas_seed_kim_bertemu_putin"),
    "bisnis_seed": seed("bisnis_seed_gedung_putih"),
    "okezone_seed": seed("okezone_seed_update_perang"),
    "detik_seed": seed("detik_seed_as_khawatir"),
}

# An independent report that quotes the wire's key sentence verbatim: the hardest negative.
REPORT_PACT_QUOTING = t.REPORT_PACT + "\n" + _paragraphs(t.WIRE_PACT)[2]

OTHER_PAIRS = [
    ("pact_by_reporters", "same_event", t.WIRE_PACT, t.REPORT_PACT),
    ("pact_quoting_the_wire", "same_event", t.WIRE_PACT, REPORT_PACT_QUOTING),
    ("kursk_by_reporters", "same_event", t.WIRE_KURSK, t.REPORT_KURSK),
    # The US warnings of 4-5 and 12 September 2023, by three outlets; all quote Adrienne Watson.
    ("us_warning_kompas_okezone", "same_event", WIRE_BASES["kompas_seed"], WIRE_BASES["okezone_seed"]),
    ("us_warning_kompas_bisnis", "same_event", WIRE_BASES["kompas_seed"], WIRE_BASES["bisnis_seed"]),
    ("us_warning_okezone_bisnis", "same_event", WIRE_BASES["okezone_seed"], WIRE_BASES["bisnis_seed"]),
    ("pact_and_summit", "same_actors", t.WIRE_PACT, t.OTHER_SUMMIT),
    ("pact_and_belousov", "same_actors", t.WIRE_PACT, t.OTHER_BELOUSOV),
    ("shoigu_and_belousov", "same_actors", t.OTHER_SHOIGU, t.OTHER_BELOUSOV),
    ("kursk_and_belousov", "same_actors", t.WIRE_KURSK, t.OTHER_BELOUSOV),
    ("summit_and_us_warning", "same_actors", t.OTHER_SUMMIT, WIRE_BASES["kompas_seed"]),
    ("june_pledge_and_september", "same_actors", WIRE_BASES["detik_seed"], WIRE_BASES["kompas_seed"]),
    ("us_warning_and_shoigu", "same_actors", WIRE_BASES["okezone_seed"], t.OTHER_SHOIGU),
    ("summit_and_pact_report", "same_actors", t.OTHER_SUMMIT, t.REPORT_PACT),
]


def labelled_pairs() -> list[Pair]:
    """Every labelled pair: each wire base with each edit (same story), then the other stories."""
    pairs = [
        Pair(f"{base}/{edit}", "wire", text, change(text), True)
        for base, text in WIRE_BASES.items()
        for edit, change in EDITS.items()
    ]
    pairs += [Pair(name, kind, a, b, False) for name, kind, a, b in OTHER_PAIRS]
    return pairs
