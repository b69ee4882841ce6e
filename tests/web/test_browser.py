"""The web view in a real browser: Debian's headless Chromium, driven by Playwright, on loopback."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # a real browser

CHROMIUM = Path("/usr/bin/chromium")
# Never a browser download: Playwright drives the system's Chromium, offline and sandbox-free (root).
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.is_file():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/test.sh (as root it installs Debian's chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


def test_search_page_renders_and_a_search_works(browser, web_url, archive):
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(web_url + "/search")
    assert page.title() == "Search · pantau"
    page.fill("input[name=q]", "persenjataan")
    page.select_option("select[name=site]", "okezone")
    page.click("button[type=submit]")
    page.wait_for_selector("li.hit")
    titles = page.locator("li.hit a.title").all_inner_texts()
    assert "Korea Utara Kirim Persenjataan ke Rusia Lewat Pelabuhan Rajin" in titles
    assert all("Intelijen" not in title for title in titles)  # detik's copy is filtered out
    assert page.locator("li.hit mark").first.inner_text().lower() == "persenjataan"
    # The hostile story's title is text, not markup: no <img> got into the DOM.
    assert page.locator("li.hit img").count() == 0
    page.click(f"a[href='/articles/{archive['pasokan']}']")
    page.wait_for_selector("article h1")
    assert "Other copies (2)" in page.content()
    assert errors == []
    page.close()


def test_home_renders_its_chart_and_stories(browser, web_url, archive):
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    outside: list[str] = []
    page.on("request", lambda req: None if req.url.startswith(web_url) else outside.append(req.url))
    page.goto(web_url + "/?days=90")
    assert page.locator("figure.chart svg a.day").count() == 90
    titles = page.locator("li.story a.title").all_inner_texts()
    assert titles.count("Korea Utara Kirim Persenjataan ke Rusia Lewat Pelabuhan Rajin") == 1
    assert "also reported by" in page.locator("li.story").filter(has_text="Pelabuhan Rajin").inner_text()
    assert page.locator("select[name=topic] option").all_inner_texts() == ["nk-russia-arms"]
    assert page.locator("a.feed").get_attribute("href") == "/feeds/nk-russia-arms.atom"
    assert outside == []
    assert errors == []
    page.close()


def test_a_facet_click_narrows_the_search(browser, web_url, archive):
    page = browser.new_page()
    page.goto(web_url + "/?q=amunisi")
    before = page.locator("p.count").inner_text()
    page.click("aside.facets a:text-is('Kompas')")
    page.wait_for_selector("aside.facets li.chosen")
    assert page.locator("p.count").inner_text() == "1 story matches"
    assert before != "1 story matches"
    assert page.locator("li.hit .meta").first.inner_text().startswith("Kompas")
    page.close()


def test_a_story_page_shows_its_copies(browser, web_url, archive):
    page = browser.new_page()
    page.goto(web_url + f"/articles/{archive['pasokan']}")
    rows = page.locator("table.copies tbody tr").all_inner_texts()
    assert len(rows) == 2
    assert rows[0].startswith("detik")
    assert rows[1].startswith("Kompas")
    assert page.locator("section.change del").count() >= 1
    page.close()
