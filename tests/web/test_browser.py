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
