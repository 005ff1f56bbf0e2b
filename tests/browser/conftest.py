"""Real Chromium, driven by Playwright's sync API, against Django's live server.

Chromium is Debian's (``apt-get install chromium fonts-ipafont-gothic``);
``playwright install`` is not used. Set CHROMIUM_PATH to use another binary.
Screenshots of every step go to artifacts/screenshots/<test>/<NN>-<step>.png.
"""

import os
import re
from pathlib import Path
from urllib.parse import urlparse

import pytest

# Playwright's sync API runs an asyncio event loop in the test thread, and
# Django refuses ORM calls from a thread with a running loop. The test thread
# still calls the ORM synchronously and alone (to build data and check it),
# so the guard is safe to lift here, and only here.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
PASSWORD = "pass-for-tests"


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: apt-get install chromium fonts-ipafont-gothic"
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


class Screens:
    """Numbered screenshots of one test's steps."""

    def __init__(self, page, test_name: str):
        self.page = page
        self.dir = ARTIFACTS / re.sub(r"[^\w.-]+", "_", test_name)
        self.dir.mkdir(parents=True, exist_ok=True)
        for old in self.dir.glob("*.png"):
            old.unlink()
        self.n = 0

    def shot(self, step: str) -> Path:
        self.n += 1
        path = self.dir / f"{self.n:02d}-{step}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def open_page(chromium, live_server, request):
    """``open_page(viewport)`` → (page, screens). External requests (map tiles)
    are refused so the tests are hermetic; uncaught page errors fail the test."""
    contexts, errors = [], []
    host = urlparse(live_server.url).netloc

    def make(viewport=PHONE, *, javascript=True):
        context = chromium.new_context(
            viewport=viewport,
            locale="ja-JP",
            timezone_id="Asia/Tokyo",
            base_url=live_server.url,
            java_script_enabled=javascript,
        )
        context.set_default_timeout(10_000)
        context.route(
            "**/*",
            lambda route: (
                route.continue_() if urlparse(route.request.url).netloc == host else route.abort()
            ),
        )
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        # hx-confirm asks with window.confirm: the person says yes.
        page.on("dialog", lambda dialog: dialog.accept())
        return page, Screens(page, request.node.name)

    yield make
    for context in contexts:
        context.close()
    assert errors == [], f"JavaScript errors on the page: {errors}"


def log_in(page, username: str, next_url: str = "/") -> None:
    page.goto(f"/accounts/login/?next={next_url}")
    page.get_by_label("ユーザー名").fill(username)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_url(f"**{next_url}")


def fits_the_screen(page) -> bool:
    """Nothing wider than the viewport: no sideways scrolling on a phone."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def big_enough_to_tap(locator, minimum: int = 44) -> bool:
    """At least 44×44 CSS pixels, the usual minimum for a finger."""
    box = locator.bounding_box()
    return box is not None and box["width"] >= minimum and box["height"] >= minimum
