"""A real browser on a real server: Debian's Chromium, driven by Playwright, loading pages
from the production server (`tests.server`) on a store of the seed and the 22 shared records.

Chromium is the machine's (`make chromium` installs Debian's package where it is missing);
Playwright's own browser builds are never downloaded. Every run starts from a fresh
profile folder. Without Chromium the tests skip, saying so.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from tests.conftest import REAL_RECORDS, SEED, requires_shared
from tests.server import import_records, production_server

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1200, "height": 900}


@pytest.fixture(scope="session")
def server_url(tmp_path_factory) -> str:
    """The production server's base URL, its store holding the seed and the shared records."""
    requires_shared()
    store_url = f"sqlite:///{tmp_path_factory.mktemp('browser')}/trials.sqlite3"
    import_records(store_url, [SEED, *REAL_RECORDS])
    with production_server(store_url) as url:
        yield url


@pytest.fixture(scope="package")
def browser():
    """A headless Chromium with a profile of its own, closed at the end."""
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium not found at {CHROMIUM}: `make chromium` installs Debian's")
    with sync_playwright() as playwright, tempfile.TemporaryDirectory() as profile:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=str(CHROMIUM), headless=True, args=FLAGS,
            viewport=VIEWPORT)
        yield context
        context.close()


@pytest.fixture
def page(browser):
    """A new tab, closed after the test."""
    tab = browser.new_page()
    yield tab
    tab.close()
