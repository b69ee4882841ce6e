"""Text-level cleaning: each rule list of a site's [boilerplate] table, and the common clutter."""

from __future__ import annotations

import pytest

from pantau.base.sites import load_site_data
from pantau.pipelines.boilerplate import Boilerplate

STORY = "Kim Jong Un bertemu Putin di Vladivostok untuk membahas kerja sama militer."


def rules(site: str) -> Boilerplate:
    return Boilerplate.from_mapping(load_site_data(site)["boilerplate"])


def test_common_clutter_goes_on_every_site():
    text = (
        f"ADVERTISEMENT\n{STORY}\nSCROLL TO CONTINUE WITH CONTENT\n"
        "Baca juga: Putin Tiba di Pyongyang\nHalaman 2 dari 2\n1 2\n"
    )
    for site in ("okezone", "detik", "bisnis", "kompas"):
        assert rules(site).clean(text) == STORY


@pytest.mark.parametrize(
    ("site", "text", "expected"),
    [
        ("detik", f"Washington DC -\n{STORY}", STORY),
        ("detik", f"Jakarta - {STORY}", STORY),
        (
            "detik",
            f"{STORY}\nSimak berita selengkapnya di halaman selanjutnya.\n[Gambas:Video 20detik]\n(nvc/ita)",
            STORY,
        ),
        (
            "detik",
            f"{STORY}\nSaksikan juga 'Korut Luncurkan Satelit':\n{STORY}\n(suc/up)",
            f"{STORY}\n{STORY}",
        ),
        ("kompas", f"MOSKWA, KOMPAS.com - {STORY}", STORY),
        ("kompas", f"WASHINGTON DC, KOMPAS.com - {STORY}", STORY),
        (
            "kompas",
            f"{STORY}\nSimak breaking news dan berita pilihan kami langsung di ponselmu. "
            "Pilih saluran andalanmu akses berita Kompas.com WhatsApp Channel : https://www.whatsapp.com/channel/0029Va\nKomentar",
            STORY,
        ),
        ("kompas", f"Baca berita tanpa iklan. Gabung Kompas.com+\n{STORY}", STORY),
        ("okezone", f"WASHINGTON – {STORY}\n(Susi Susanti)", STORY),
        (
            "okezone",
            f"{STORY}\nFollow WhatsApp Channel Okezone untuk update berita terbaru setiap hari\n"
            "Telusuri berita news lainnya",
            STORY,
        ),
        ("okezone", f"{STORY} (fbn)", STORY),
        ("bisnis", f"Bisnis.com, JAKARTA - {STORY} (Nizar Fachri Rabbani)", STORY),
        (
            "bisnis",
            f"Nyaman tanpa iklan. Langganan BisnisPro\n{STORY}\n"
            "Cek Berita dan Artikel yang lain di Google News dan WA Channel\n"
            "Penulis : Redaksi\nEditor : Nancy Junita",
            STORY,
        ),
    ],
)
def test_site_rules(site, text, expected):
    assert rules(site).clean(text) == expected


def test_parentheses_inside_the_story_stay():
    text = "Dewan Keamanan (DK) PBB membahas sanksi terhadap Korea Utara (Korut)."
    assert rules("okezone").clean(text) == text
    assert rules("detik").clean("Kim tiba di Rusia (13/9).") == "Kim tiba di Rusia (13/9)."


def test_a_dateline_is_only_stripped_near_the_top():
    text = "\n".join([STORY] * 4 + [f"Jakarta - {STORY}"])
    assert rules("detik").clean(text) == text


def test_whitespace_is_squashed_and_blank_lines_dropped():
    assert (
        Boilerplate().clean(f"  {STORY}  \n\n\t\n  Kedua   pemimpin  bertemu. ")
        == f"{STORY}\nKedua pemimpin bertemu."
    )


def test_a_bad_pattern_names_itself():
    with pytest.raises(ValueError, match=r"\(unclosed"):
        Boilerplate.from_mapping({"drop_lines": ["(unclosed"]})
