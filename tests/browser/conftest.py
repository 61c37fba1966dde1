"""Browser tests: every test here drives real Chromium pages against a live server.

The fixtures come from tests/support/browser.py. They are imported here rather than listed in
tests/conftest.py's pytest_plugins, so only this package loads Playwright, and the browser
(package-scoped) is started once for this package.
"""

from __future__ import annotations

from tests.support.browser import browser, open_tab, playwright_instance  # noqa: F401
