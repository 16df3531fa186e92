"""Browser tests: Playwright for Python driving Debian's chromium against the live test server.

They skip, saying why, only where no chromium is installed; `.ci/run` installs it (`apt-get install -y chromium`).
Screenshots go to var/screenshots/ (RAPPORT_SCREENSHOTS overrides) so a person can look at what the test saw.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("RAPPORT_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SCREENSHOTS = Path(os.environ.get("RAPPORT_SCREENSHOTS", Path(__file__).resolve().parents[2] / "var" / "screenshots"))
PASSWORD = "a-long-test-password"


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no chromium at {CHROMIUM}: `apt-get install -y chromium` to run the browser tests")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio loop on this thread; the test's own ORM calls are still
    # synchronous, so Django's guard against ORM use inside a running loop does not apply to them.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, live_server: Any, transactional_db: None) -> Iterator[Any]:
    context = browser.new_context(base_url=live_server.url, locale="en-GB", viewport={"width": 1280, "height": 860})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def phone_page(browser: Any, live_server: Any, transactional_db: None) -> Iterator[Any]:
    context = browser.new_context(
        base_url=live_server.url, locale="en-GB", viewport={"width": 390, "height": 844}, is_mobile=True,
        has_touch=True,
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def shot(page: Any, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def sign_in(page: Any, username: str, password: str = PASSWORD) -> None:
    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")
    # The page's scripts are deferred: wait until they run, so keyboard shortcuts and HTMX are wired.
    page.wait_for_function("window.rapportToast !== undefined && window.htmx !== undefined")


def settled(page: Any) -> None:
    """Wait until HTMX has finished a swap, its settle step included.

    HTMX focuses a swapped-in ``autofocus`` field when it settles (20 ms after the swap); a fill that starts
    before then can see its text typed into the field that takes the focus instead of the one it aimed at.
    """
    page.wait_for_function("!document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")
