# ruff: noqa: E501  (the story texts keep one paragraph per line, as extracted text has them)
"""Deduplication: fingerprints (pure) and story clusters across outlets (real PostgreSQL).

The texts are news-like Indonesian copy written for these tests (some sentences taken from real
Okezone stories of September 2023). Variants model what the four sites really do to one story.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys

import pytest

from pantau.base.fingerprints import content_hash, hamming, normalise, shingles, simhash
from pantau.pipelines.deduplicate import DeduplicatePipeline
from pantau.storage.articles import get_article, store_article
from tests.support.articles import build_article
from tests.support.helpers import ROOT

STORY = """WASHINGTON – Amerika Serikat (AS) memperingatkan Pemimpin Tertinggi Korea Utara Kim Jong Un bahwa negaranya akan 'membayar harga tertentu' jika memasok senjata ke Rusia untuk digunakan di perang Ukraina, pada Selasa (5/9/2023).

Penasihat Keamanan Nasional AS Jake Sullivan menyatakan bahwa negosiasi senjata antara Korea Utara dan Rusia secara aktif mengalami kemajuan. Menurut dia, Moskow kini mencari pasokan dari mana saja setelah persediaan amunisinya menipis akibat perang yang berlarut-larut.

"Menyediakan senjata kepada Rusia untuk digunakan di medan perang untuk menyerang gudang gandum dan infrastruktur pemanas di kota-kota besar saat kita memasuki musim dingin tidak akan mencerminkan hal yang baik bagi Korea Utara, dan mereka akan membayar harga untuk hal ini di komunitas internasional," kata Sullivan kepada para wartawan di Gedung Putih.

Pernyataannya ini muncul setelah juru bicara Dewan Keamanan Nasional AS Adrienne Watson pada hari Senin (4/9/2023) mengatakan bahwa Kim Jong Un mungkin akan bertemu dengan Presiden Rusia Vladimir Putin bulan ini untuk merundingkan pemasokan senjata. Pertemuan itu disebut dapat berlangsung di Vladivostok, kota pelabuhan di pantai Pasifik Rusia yang tidak jauh dari perbatasan Korea Utara.

Di sisi lain, Kremlin menolak untuk memberikan komentar tentang klaim AS dan juga mengenai kemungkinan adanya pembicaraan langsung antara kedua pemimpin tersebut. Juru bicara Kremlin Dmitry Peskov hanya mengatakan bahwa Rusia akan terus mengembangkan hubungan bertetangga yang baik dengan Pyongyang.

"Kami terus menekan basis industri pertahanan Rusia, dan Moskow sekarang mencari sumber apa pun yang bisa mereka temukan untuk barang-barang seperti amunisi," ucap Sullivan. Ia menambahkan bahwa Washington akan terus meminta Korea Utara mematuhi komitmen publiknya untuk tidak memasok senjata ke Rusia.

Peringatan serupa datang dari juru bicara Departemen Luar Negeri AS Vedant Patel. Di depan para wartawan ia mengatakan bahwa keputusan Rusia untuk membeli senjata dari Korea Utara menunjukkan keefektifan sanksi-sanksi AS atas perang di Ukraina. Patel tidak menjelaskan secara rinci konsekuensi apa yang akan diterima Korea Utara apabila pengiriman senjata ke Rusia tetap dilakukan.

Meskipun Rusia menolak mengonfirmasi laporan-laporan AS, ada cukup banyak tanda publik mengenai kedekatan hubungan kedua negara dalam beberapa minggu terakhir. Pada bulan Juli lalu, Menteri Pertahanan Rusia Sergei Shoigu mengunjungi Pyongyang untuk menghadiri pameran senjata yang mencakup rudal balistik terlarang Korea Utara, dan mengatakan kedua negara sedang mendiskusikan kemungkinan latihan militer bersama.

Tidak hanya itu, Kim Jong Un dan Putin juga bertukar surat pada Agustus 2023 dan berjanji untuk saling meningkatkan hubungan antara kedua negara. Para analis di Seoul menilai Pyongyang dapat meminta teknologi satelit dan kapal selam nuklir sebagai imbalan atas peluru artileri yang dikirimkan ke Moskow."""

# The same topic, another story: the allies' reaction after the summit.
OTHER_STORY = """SEOUL – Kunjungan Pemimpin Tertinggi Korea Utara Kim Jong Un ke Rusia untuk bertemu Presiden Vladimir Putin membuat negara Barat dan sekutunya waspada.

Penasihat keamanan nasional Amerika Serikat, Korea Selatan, dan Jepang pada Kamis (14/9/2023) langsung bereaksi atas pertemuan itu. Ketiganya bersama-sama mengeluarkan peringatan mengenai potensi pelanggaran sanksi internasional oleh Korea Utara dan Rusia.

Menurut pernyataan yang dikeluarkan oleh kantor kepresidenan Korea Selatan, ketiga negara tersebut mengatakan akan ada "konsekuensi yang jelas" jika salah satu negara melanggar kewajiban mereka berdasarkan resolusi Dewan Keamanan Perserikatan Bangsa-Bangsa, khususnya yang berkaitan dengan perdagangan senjata dan kerja sama militer.

"Ketiga negara menyatakan keprihatinan yang mendalam atas diskusi antara kedua pemimpin, yang mencakup topik terkait kerja sama militer, termasuk pengembangan rudal balistik antarbenua, meskipun ada peringatan berulang kali dari komunitas internasional," kata pernyataan itu.

Intelijen Pertahanan Ukraina pada Rabu (13/9/2023) mengatakan bahwa kerja sama militer antara Rusia dan Korea Utara bukanlah hal baru. Andrii Yusov, perwakilan Intelijen Pertahanan, dalam sebuah wawancara dengan media pemerintah Ukraina menjelaskan permintaan Rusia terhadap proyektil untuk artileri dan peluncur roket sudah lama diketahui oleh pihak berwenang di Kyiv.

"Kita tidak bisa mengabaikan hal ini. Sayangnya, ini adalah faktor penting yang akan dirasakan di medan perang, tetapi ini bukanlah berita baru," terangnya.

Ketika ditanya apakah roket Korea Utara sudah dipasok ke Moskow, seorang pejabat kantor kepresidenan Korea Selatan menjawab bahwa Seoul telah lama mengonfirmasi senjata buatan Pyongyang digunakan oleh Rusia di medan perang Ukraina. Pemerintahan Biden juga yakin Korea Utara mengirimkan roket dan rudal infanteri untuk kelompok tentara bayaran Wagner pada tahun lalu.

Sementara itu, Jepang menyatakan akan memperketat pengawasan terhadap kapal-kapal yang diduga mengangkut muatan militer antara pelabuhan Rajin di Korea Utara dan pelabuhan Rusia di Timur Jauh."""


def wire_copy(text: str) -> str:
    """What another outlet makes of the wire story: own dateline, a few words changed, a sentence added."""
    edited = (
        text.replace("WASHINGTON –", "Bisnis.com, JAKARTA –")
        .replace("kepada para wartawan", "kepada wartawan")
        .replace("beberapa minggu terakhir", "beberapa pekan terakhir")
    )
    return edited.replace(
        "Di sisi lain,",
        "Gedung Putih belum merinci sanksi tambahan yang sedang disiapkan. Di sisi lain,",
    )


def with_leftovers(text: str) -> str:
    """The same story where the extractor kept a related-link line and the editor credit."""
    first, rest = text.split("\n\n", 1)
    return f"{first}\n\nBaca juga: Kim Jong Un Tiba di Rusia dengan Kereta Lapis Baja\n\n{rest}\n\n(Susi Susanti)"


# --- fingerprints (pure) -------------------------------------------------------------------------


def test_story_texts_are_a_few_hundred_words():
    assert 350 <= len(STORY.split()) <= 600
    assert 250 <= len(OTHER_STORY.split()) <= 600


def test_content_hash_ignores_case_and_spacing_only():
    assert content_hash(STORY) == content_hash("  " + STORY.upper().replace("\n\n", " \n "))
    assert content_hash(STORY) != content_hash(STORY.replace("Selasa", "Rabu"))
    assert len(content_hash(STORY)) == 64
    assert normalise(" A\t b\n\nC ") == "a b c"


def test_shingles_are_word_triples_without_punctuation():
    assert shingles("Kim Jong-Un, bertemu Putin.") == ["kim jong un", "jong un bertemu", "un bertemu putin"]
    assert shingles("Dua kata") == ["dua kata"]
    assert shingles("") == []


def test_simhash_fits_a_signed_bigint_and_is_stable_for_equal_text():
    values = [simhash(STORY), simhash(OTHER_STORY), simhash(STORY.upper()), simhash("")]
    assert all(-(2**63) <= v < 2**63 for v in values)
    assert values[0] == values[2]  # casefolded before shingling
    assert values[3] == 0


def reference_simhash(text: str) -> int:
    """The textbook SimHash, one vote per shingle and bit: what the fast vote count must equal."""
    votes = [0] * 64
    for shingle in set(shingles(text)):
        value = int.from_bytes(hashlib.blake2b(shingle.encode("utf-8"), digest_size=8).digest(), "big")
        for bit in range(64):
            votes[bit] += 1 if value >> bit & 1 else -1
    unsigned = sum(1 << bit for bit in range(64) if votes[bit] > 0)
    return unsigned - (1 << 64) if unsigned >= 1 << 63 else unsigned


def test_simhash_counts_the_votes_of_every_bit_as_the_textbook_algorithm_does():
    texts = [STORY, OTHER_STORY, wire_copy(STORY), with_leftovers(STORY), "satu dua", "satu dua tiga empat"]
    assert [simhash(text) for text in texts] == [reference_simhash(text) for text in texts]


def test_simhash_is_the_same_in_another_process_with_another_hash_seed():
    code = "import sys; from pantau.base.fingerprints import simhash; print(simhash(sys.stdin.read()))"
    out = subprocess.run(
        [sys.executable, "-c", code],
        input=STORY,
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONHASHSEED": "12345", "PATH": ""},
        cwd=ROOT,
    )
    assert int(out.stdout) == simhash(STORY)


def test_hamming_counts_differing_bits_of_signed_values():
    assert hamming(0, 0) == 0
    assert hamming(0, -1) == 64
    assert hamming(-(2**63), 0) == 1
    assert hamming(0b1011, 0b0001) == 2
    assert hamming(simhash(STORY), simhash(OTHER_STORY)) == hamming(simhash(OTHER_STORY), simhash(STORY))


def test_pipeline_fills_fingerprints_from_the_text():
    item = build_article(text=STORY)
    assert DeduplicatePipeline().process_item(item) is item
    assert item.content_hash == content_hash(STORY)
    assert item.simhash == simhash(STORY)


# --- story clusters in the archive ---------------------------------------------------------------


def fingerprinted(**fields):
    return DeduplicatePipeline().process_item(build_article(**fields))


@pytest.fixture(scope="module")
def clusters(db):
    """Store the original and its variants once; tests read the results."""
    okezone_url = "https://news.okezone.com/read/2023/09/05/18/2878128/as-ancam-korea-utara"
    items = {
        "original": fingerprinted(number=2878128, canonical_url=okezone_url, text=STORY),
        # AMP view whose canonical link was missing: another URL, but the same site id.
        "amp": fingerprinted(
            number=2878128,
            canonical_url=okezone_url.replace("/read/", "/amp/"),
            text=STORY,
            html="<html amp><body><amp-img></amp-img><p>...</p></body></html>",
        ),
        # Republished by Kompas under its own template: other boilerplate, same clean text.
        "republished": fingerprinted(
            number=7001,
            site="kompas",
            site_article_id="20230905-064500126",
            canonical_url="https://www.kompas.com/global/read/2023/09/05/064500126/as-ancam-korut",
            html="<html><nav>Kompas.com+</nav><article>...</article><footer>Baca juga</footer></html>",
            text=STORY,
        ),
        "leftovers": fingerprinted(
            number=7002, site="detik", site_article_id="d-6912345", text=with_leftovers(STORY)
        ),
        "wire": fingerprinted(number=7003, site="bisnis", site_article_id="1690001", text=wire_copy(STORY)),
        "other": fingerprinted(number=7004, site="detik", site_article_id="d-6920000", text=OTHER_STORY),
    }
    with db.connection() as conn:
        return {name: store_article(conn, item) for name, item in items.items()}


def test_original_starts_its_own_cluster(clusters):
    original = clusters["original"]
    assert original.outcome == "new"
    assert original.cluster_id == original.article_id
    assert original.duplicate_of is None


def test_amp_copy_with_the_same_site_id_is_the_same_row(clusters, db):
    assert clusters["amp"].article_id == clusters["original"].article_id
    assert clusters["amp"].outcome == "unchanged"
    with db.connection() as conn:
        count = conn.execute("SELECT count(*) FROM articles WHERE site_article_id = '2878128'").fetchone()
    assert count == (1,)


@pytest.mark.parametrize("copy", ["republished", "leftovers", "wire"])
def test_copies_on_other_outlets_join_the_original_cluster(clusters, copy):
    result = clusters[copy]
    assert result.outcome == "new"
    assert result.article_id != clusters["original"].article_id
    assert result.cluster_id == clusters["original"].cluster_id
    assert result.duplicate_of is not None


def test_exact_copy_clusters_with_the_original_by_content_hash(clusters):
    assert clusters["republished"].duplicate_of == clusters["original"].article_id


def test_another_story_on_the_same_topic_gets_its_own_cluster(clusters, db):
    other = clusters["other"]
    assert other.outcome == "new"
    assert other.cluster_id == other.article_id
    assert other.duplicate_of is None
    with db.connection() as conn:
        stored = get_article(conn, other.article_id)
    assert stored is not None
    assert stored["cluster_id"] == other.article_id
