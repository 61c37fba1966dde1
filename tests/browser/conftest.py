"""Browser tests: every test here drives real Chromium pages against a live server."""

from __future__ import annotations

# Until tests/conftest.py lists "tests.support.browser" in pytest_plugins.
from tests.support.browser import browser, open_tab, playwright_instance  # noqa: F401
