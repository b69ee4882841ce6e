"""The replay world as data: stories per site plus the faults the server should play.

A `World` is mutable: tests add or remove stories between crawls and the server answers from its
current state (sitemaps, indexes, tags and feeds list every live story of a site).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

WIB = ZoneInfo("Asia/Jakarta")
STORIES_DIR = Path(__file__).parent / "stories"
SITES = ("okezone", "detik", "bisnis", "kompas")


def load_story_text(stem: str) -> tuple[str, list[str]]:
    """(title, paragraphs) of stories/<stem>.txt here (line 1 a comment, then title, blank, body)."""
    lines = (STORIES_DIR / f"{stem}.txt").read_text(encoding="utf-8").splitlines()
    lines = [line for line in lines if not line.startswith("#")]
    return lines[0].strip(), [line.strip() for line in lines[1:] if line.strip()]


def slugify(title: str) -> str:
    """The sites' slug style: lowercase words joined by hyphens."""
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:80].strip("-")


@dataclass
class Story:
    """One article of one site. `fault` plays a failure: blocked, malformed, offsite_redirect."""

    site: str
    article_id: str  # Okezone/detik/Bisnis number; Kompas the 9-12 digit id (HHMMSS + serial)
    published: datetime  # tz-aware
    title: str
    paragraphs: list[str]
    pages: int = 1  # paged stories split the paragraphs over this many pages
    section: str = ""  # detik path section (internasional, berita); others fixed per site
    author: str = "Tim Redaksi"
    tags: list[str] = field(default_factory=list)
    encoding: str = "utf-8"
    fault: str | None = None
    template: str = ""  # detik: "multicard" for the 2026 one-response multi-page layout
    summary: list[str] = field(default_factory=list)  # Bisnis: the AI "Ringkasan Berita" box above the story
    dateline: str = ""  # Okezone: "MOSKOW" (the page prints "MOSKOW –" before the first paragraph)

    @property
    def slug(self) -> str:
        return slugify(self.title)

    @property
    def local(self) -> datetime:
        return self.published.astimezone(WIB)

    @property
    def host(self) -> str:
        return {
            "okezone": "news.okezone.com",
            "detik": "news.detik.com",
            "bisnis": "kabar24.bisnis.com",
            "kompas": "www.kompas.com",
        }[self.site]

    @property
    def path(self) -> str:
        d = self.local
        if self.site == "okezone":
            return f"/read/{d:%Y/%m/%d}/18/{self.article_id}/{self.slug}"
        if self.site == "detik":
            return f"/{self.section or 'internasional'}/d-{self.article_id}/{self.slug}"
        if self.site == "bisnis":
            return f"/read/{d:%Y%m%d}/19/{self.article_id}/{self.slug}"
        return f"/global/read/{d:%Y/%m/%d}/{self.article_id}/{self.slug}"

    @property
    def url(self) -> str:
        """The canonical URL (what pantau must store it under)."""
        return f"https://{self.host}{self.path}"

    @property
    def site_article_id(self) -> str:
        """The id pantau must store it under."""
        return f"{self.local:%Y%m%d}-{self.article_id}" if self.site == "kompas" else self.article_id

    @property
    def description(self) -> str:
        """The page's meta description as the sites write it: the opening, cut by the site at 150
        characters wherever that falls (mid-word too), with the site's furniture."""
        opening = " ".join(self.paragraphs[0].split())
        if self.site == "okezone" and self.dateline:
            opening = f"{self.dateline} – {opening}"
        cut = opening[:150]
        if self.site == "kompas":
            return f"{cut} Halaman all"
        return cut

    def page_paragraphs(self, page: int) -> list[str]:
        """Paragraphs of page `page` (1-based) of a paged story."""
        per = -(-len(self.paragraphs) // self.pages)
        return self.paragraphs[(page - 1) * per : page * per]


@dataclass
class World:
    """Everything the replay server serves. Hosts are real site hosts; faults are opt-in."""

    now: datetime
    stories: list[Story] = field(default_factory=list)
    robots_status: dict[str, int] = field(default_factory=dict)  # host -> status of /robots.txt
    robots_extra: dict[str, list[str]] = field(default_factory=dict)  # host -> extra robots lines
    redirects: dict[str, str] = field(default_factory=dict)  # "host/path?query" -> Location
    blocked_hosts: set[str] = field(default_factory=set)  # every page of the host is a block page
    missing: set[str] = field(default_factory=set)  # "host/path" answered 404 (e.g. a sitemap child)
    too_many: dict[str, int] = field(default_factory=dict)  # "host/path" -> 429s before it answers
    # Backfill worlds: listings filter by date and paginate as the real sites do (dated.py here).
    paged: bool = False
    page_size: int = 20

    def add(self, story: Story) -> Story:
        self.stories.append(story)
        return story

    def remove(self, site: str, article_id: str) -> None:
        self.stories = [s for s in self.stories if not (s.site == site and s.article_id == article_id)]

    def of(self, site: str) -> list[Story]:
        """The site's live stories (published by now), newest first."""
        live = [s for s in self.stories if s.site == site and s.published <= self.now]
        return sorted(live, key=lambda s: s.published, reverse=True)

    def find(self, site: str, article_id: str) -> Story | None:
        return next((s for s in self.of(site) if s.article_id == article_id), None)


def _kompas_id(when: datetime, serial: int) -> str:
    return f"{when.astimezone(WIB):%H%M%S}{serial:03d}"


def default_world(now: datetime | None = None) -> World:
    """Per site: on-topic seed stories, off-topic ones, a paged story and one fault of each kind."""
    now = now or datetime.now(WIB).replace(microsecond=0)
    world = World(now=now)
    seed = {
        "okezone": ["okezone_seed_update_perang", "okezone_seed_barat_ketar_ketir"],
        "detik": ["detik_seed_as_khawatir"],
        "bisnis": ["bisnis_seed_gedung_putih"],
        "kompas": ["kompas_seed_kim_bertemu_putin"],
    }
    offtopic = ["offtopic_sepak_bola", "offtopic_harga_beras", "offtopic_pameran_wisata"]
    base_ids = {"okezone": 3238400, "detik": 8652500, "bisnis": 1979100, "kompas": 0}
    for site in SITES:
        stems = [(stem, ["korea-utara", "rusia"]) for stem in seed[site]] + [(s, []) for s in offtopic]
        for n, (stem, tags) in enumerate(stems):
            title, paragraphs = load_story_text(stem)
            when = now - timedelta(hours=1 + 2 * n)
            article_id = _kompas_id(when, n) if site == "kompas" else str(base_ids[site] + n)
            world.add(
                Story(
                    site,
                    article_id,
                    when,
                    title,
                    paragraphs,
                    tags=tags,
                    pages=2 if n == 0 else 1,
                    section="internasional" if n % 2 == 0 else "berita",
                )
            )
    return world


def add_faults(world: World) -> dict[str, Story]:
    """Add one story per fault: block pages (Bisnis Cloudflare, Kompas WAF), a malformed Okezone page,
    a windows-1252 detik page, a Kompas article that redirects off-site, a detik multi-card story."""
    now = world.now
    _title, paragraphs = load_story_text("offtopic_ponsel_baru")
    flood_title, flood = load_story_text("offtopic_banjir_jakarta")
    faults = {
        "bisnis_blocked": Story(
            "bisnis",
            "1979190",
            now - timedelta(minutes=30),
            "Cloudflare Menahan Halaman Ini",
            paragraphs,
            fault="blocked",
        ),
        "kompas_blocked": Story(
            "kompas",
            _kompas_id(now - timedelta(minutes=30), 90),
            now - timedelta(minutes=30),
            "WAF Menahan Halaman Ini",
            paragraphs,
            fault="blocked",
        ),
        "okezone_malformed": Story(
            "okezone", "3238490", now - timedelta(minutes=40), flood_title, flood, fault="malformed"
        ),
        "detik_cp1252": Story(
            "detik",
            "8652590",
            now - timedelta(minutes=50),
            "Kafe “Kopi Senja” Buka Cabang di Bandung, Menu Crème Brûlée Jadi Andalan",
            [p.replace("Perangkat", "Perangkat “Café”") for p in paragraphs],
            encoding="windows-1252",
            section="internasional",
        ),
        "kompas_offsite": Story(
            "kompas",
            _kompas_id(now - timedelta(minutes=20), 91),
            now - timedelta(minutes=20),
            "Halaman Ini Dialihkan Keluar",
            paragraphs,
            fault="offsite_redirect",
        ),
        "detik_multicard": Story(
            "detik",
            "8652591",
            now - timedelta(minutes=10),
            flood_title + " Lagi",
            flood,
            pages=3,
            template="multicard",
            section="berita",
        ),
    }
    for story in faults.values():
        world.add(story)
    return faults


WIRE_STEM = "antara_wire_pakta_pertahanan"


def add_wire_pair(world: World) -> tuple[Story, Story]:
    """One Antara story carried by Okezone and, 40 minutes later, by Bisnis with light edits: a new
    title, another dateline, one sentence split in two, the last paragraph dropped; Bisnis adds its AI
    summary box. They must be one story in every digest, feed and search."""
    title, paragraphs = load_story_text(WIRE_STEM)
    when = world.now - timedelta(hours=3)
    okezone = Story(
        "okezone", "3238470", when, title, paragraphs, tags=["korea-utara", "rusia"], dateline="PYONGYANG"
    )
    edited = list(paragraphs[:-1])
    edited[2] = (
        edited[2]
        .replace(
            ", kata Putin dalam konferensi pers bersama setelah pertemuan itu.",
            ". Hal itu disampaikan Putin dalam konferensi pers bersama setelah pertemuan itu.",
        )
        .replace('," kata Putin', '." Hal itu disampaikan Putin')
    )
    bisnis = Story(
        "bisnis",
        "1979170",
        when + timedelta(minutes=40),
        "Putin dan Kim Jong-un Teken Pakta Saling Bantu Jika Diserang",
        edited,
        tags=["korea-utara", "rusia"],
        summary=[
            "Rusia dan Korea Utara meneken perjanjian kemitraan strategis komprehensif di Pyongyang.",
            "Perjanjian itu memuat ketentuan saling membantu jika salah satu pihak diserang.",
            "AS menyatakan akan memantau pelaksanaan perjanjian bersama sekutunya.",
        ],
    )
    world.add(okezone)
    world.add(bisnis)
    return okezone, bisnis
