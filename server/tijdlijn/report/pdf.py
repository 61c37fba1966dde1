"""The report as PDF: the HTML page typeset by WeasyPrint, with every URL fetch refused."""

from __future__ import annotations

import logging

from .content import Report
from .html import render_html

# Eleven "Step n" lines per PDF at INFO: noise in a server log (they hold no content).
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


def render_pdf(report: Report) -> bytes:
    """Blocking and CPU-bound (a second or so): call it from a worker thread in a server."""
    # Imported here: WeasyPrint loads Pango through cffi, which costs time and memory that
    # only a PDF download needs.
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    # An empty set of allowed protocols: the report refers to nothing outside itself, so a
    # URL that slipped into the text can never make the server fetch anything.
    fetcher = URLFetcher(allowed_protocols=set())
    document = HTML(string=render_html(report), url_fetcher=fetcher, base_url=None)
    pdf: bytes = document.write_pdf()  # weasyprint has no type hints
    return pdf
