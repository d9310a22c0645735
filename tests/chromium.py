"""Debian's Chromium for the browser tests, launched once per test module.

Import `browser` into a test module (and name it in `__all__`) to use the fixture. Never
downloads a browser: `make test` installs Debian's package when /usr/bin/chromium is missing.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps dialling Google on this closed network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# How long `expect` waits for a check to hold (Playwright's default is 5 s): patience for a
# busy machine, not an expected speed; a check returns as soon as it holds.
EXPECT_PATIENCE_MS = 30_000


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    expect.set_options(timeout=EXPECT_PATIENCE_MS)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def sign_in(page: Page, email: str, password: str) -> None:
    """Sign in through the login form, as a person does (Enter submits the login form, not
    the header's search), and wait for the newsroom."""
    page.goto("/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.press("#password", "Enter")
    page.wait_for_url("**/admin")
