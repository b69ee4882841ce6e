"""What the spiders read off a Scrapy response or failure: is it HTML, its text, what went wrong."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeGuard

from scrapy.http import TextResponse
from scrapy.spidermiddlewares.httperror import HttpError

if TYPE_CHECKING:
    from scrapy.http import Request, Response
    from twisted.python.failure import Failure


def is_html(response: Response) -> TypeGuard[TextResponse]:
    """An HTML page: a text response whose Content-Type (if any) is HTML or XHTML.

    Scrapy sniffs a body without control characters as text whatever its declared type, so a PDF
    served as application/pdf can arrive as a TextResponse; the declared type decides here.
    """
    declared = (response.headers.get(b"Content-Type") or b"text/html").split(b";")[0].strip().lower()
    return isinstance(response, TextResponse) and declared in (b"text/html", b"application/xhtml+xml")


def page_text(response: TextResponse) -> str:
    """The page decoded as a browser would: its declared charset, else UTF-8, else windows-1252.

    Scrapy guesses an undeclared charset with charset_normalizer, which reads an Indonesian
    windows-1252 page as cp1250 ("Crčme Brűlée"); WHATWG's fallback for the id locale is windows-1252.
    """
    if response._declared_encoding() is not None:  # Content-Type header, BOM or <meta charset>
        return response.text
    try:
        return response.body.decode("utf-8")
    except UnicodeDecodeError:
        return response.body.decode("cp1252", errors="replace")


def failed_request(failure: Failure) -> Request:
    """The request an errback's failure is about (Scrapy sets it on the failure)."""
    request: Request = failure.request  # type: ignore[attr-defined]  # set by Scrapy, not by Twisted
    return request


def describe(failure: Failure) -> str:
    """One line on why a request failed: `HTTP 503`, or the exception's type and message."""
    if isinstance(failure.value, HttpError):
        return f"HTTP {failure.value.response.status}"
    return f"{type(failure.value).__name__}: {failure.value}"
