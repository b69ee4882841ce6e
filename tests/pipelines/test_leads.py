"""Leads as the sites' pages give them: furniture and datelines out, the body never repeated."""

from __future__ import annotations

import pytest

from pantau.pipelines.leads import clean_lead
from pantau.pipelines.rules import rules_for_site

BODY = (
    "Presiden Rusia Vladimir Putin dan Pemimpin Korea Utara Kim Jong Un menandatangani perjanjian di "
    "Pyongyang, serta bantuan Moskow bagi program persenjataan Korea Utara.\n"
    "Penandatanganan dilakukan setelah pembicaraan tertutup selama hampir lima jam."
)


@pytest.mark.parametrize(
    ("site", "lead", "expected"),
    [
        (
            "kompas",
            "Pakta itu mengubah peta keamanan Asia Timur. Halaman all",
            "Pakta itu mengubah peta keamanan Asia Timur.",
        ),
        (
            "kompas",
            "MOSKWA, KOMPAS.com - Pakta itu mengubah peta keamanan.",
            "Pakta itu mengubah peta keamanan.",
        ),
        (
            "okezone",
            "KIEV – Ukraina mengecam pakta itu - Internasional - okezone news",
            "Ukraina mengecam pakta itu…",
        ),
        (
            "okezone",
            "MOSKOW - Presiden Rusia Vladimir Putin dan Pemimpin Korea Utara Kim Jong Un menandatangani "
            "perjanjian di Pyongyang, serta bantuan Mosk",
            None,
        ),
        ("detik", "Ukraina mengecam pakta itu. - detikNews", "Ukraina mengecam pakta itu."),
        ("bisnis", "Ringkasan Berita - Ukraina mengecam pakta itu.", "Ukraina mengecam pakta itu."),
        (
            "bisnis",
            "Presiden Rusia Vladimir Putin dan Pemimpin Korea Utara Kim Jong Un menandatangani perjan",
            None,
        ),
    ],
)
def test_site_furniture_and_datelines_are_removed(site, lead, expected):
    assert clean_lead(lead, BODY, rules_for_site(site).boilerplate, []) == expected


def test_a_lead_that_is_a_point_of_the_sites_summary_is_no_lead():
    summary = ["Rusia dan Korut meneken pakta saling bantu."]
    assert (
        clean_lead("Ringkasan Berita: " + summary[0], BODY, rules_for_site("bisnis").boilerplate, summary)
        is None
    )


def test_bisnis_ai_summary_is_kept_apart_from_the_body():
    raw = "\n".join(
        [
            "Nyaman tanpa iklan. Langganan BisnisPro",
            "Ringkasan Berita",
            "- AS menjatuhkan sanksi baru kepada perusahaan pelayaran Korea Utara.",
            "- Sanksi menyasar kapal pengangkut amunisi ke Rusia.",
            "* Ringkasan ini dibantu dengan menggunakan AI",
            "Bisnis.com, JAKARTA - Amerika Serikat menjatuhkan sanksi baru, Kamis (5/12/2024).",
        ]
    )
    text, summary = rules_for_site("bisnis").boilerplate.split(raw)
    assert text == "Amerika Serikat menjatuhkan sanksi baru, Kamis (5/12/2024)."
    assert summary == [
        "AS menjatuhkan sanksi baru kepada perusahaan pelayaran Korea Utara.",
        "Sanksi menyasar kapal pengangkut amunisi ke Rusia.",
    ]


def test_the_summary_box_without_its_heading_is_found_by_its_closing_line():
    raw = "\n".join(
        [
            "- Poin satu.",
            "- Poin dua.",
            "* Ringkasan ini dibantu dengan menggunakan AI",
            "- Daftar dalam berita tetap ada.",
        ]
    )
    text, summary = rules_for_site("bisnis").boilerplate.split(raw)
    assert summary == ["Poin satu.", "Poin dua."]
    assert text == "- Daftar dalam berita tetap ada."


def test_lists_inside_the_story_are_not_a_summary():
    raw = "Isi pertama.\n- Satu.\n- Dua."
    assert rules_for_site("bisnis").boilerplate.split(raw) == (raw, [])
