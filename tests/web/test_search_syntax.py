"""The web view's search explains a query it cannot run (the query language: storage.search_query)."""

from __future__ import annotations

import httpx


def test_the_web_view_explains_a_query_of_only_common_words(web_url):
    with httpx.Client(base_url=web_url, timeout=10) as http:
        page = http.get("/", params={"q": "dan yang di"})
        api = http.get("/api/search", params={"q": "dan yang di"})
    assert page.status_code == 400
    assert "only common words" in page.text
    assert api.status_code == 400
    assert "only common words" in api.json()["error"]
