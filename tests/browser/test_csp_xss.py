"""Issue 9, the whole class: every text a person can type holds markup that
would run if a page or a map popup read it as HTML (tests/security/xss_world.py).
Each role visits every page that shows those texts in real Chromium, with the
Content-Security-Policy on. Nothing may run (``window.__xss`` stays undefined),
no markup may even become an element (so the policy is not what saved us), the
texts must be on the page as text, and the browser must report no violation
of the policy: the site's own pages need nothing it forbids."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, log_in
from tests.security.pages import pages_by_role
from tests.security.xss_world import build_xss_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Elements a payload would have made had it been parsed as HTML, and inline
# scripts that are not data islands.
INJECTED = """() => document.querySelectorAll(
  '[onerror], [onload], script:not([src]):not([type="application/json"])').length"""
# Every violation of the policy, whatever reports it (set up before any page script).
WATCH = """document.addEventListener("securitypolicyviolation", function (e) {
  (window.__csp = window.__csp || []).push(e.violatedDirective + " " + e.blockedURI);
}, true);"""


class Tour:
    def __init__(self, page, shots):
        self.page, self.shots = page, shots
        self.console: list[str] = []
        self.problems: list[str] = []
        page.context.add_init_script(WATCH)
        page.on(
            "console",
            lambda m: self.console.append(m.text) if "Content Security Policy" in m.text else None,
        )

    def check(self, where: str) -> None:
        page = self.page
        if page.evaluate("window.__xss") is not None:
            self.problems.append(f"{where}: a payload ran ({page.evaluate('window.__xss')})")
        if n := page.evaluate(INJECTED):
            self.problems.append(f"{where}: {n} elements made from typed markup or inline script")
        if violations := page.evaluate("window.__csp || []"):
            self.problems.append(f"{where}: policy violations {violations}")

    def visit(self, url: str) -> str:
        response = self.page.goto(url)
        assert response is not None
        if response.status != 200:
            self.problems.append(f"{url}: status {response.status}")
        if "'unsafe" in (csp := response.headers.get("content-security-policy", "")) or (
            "script-src 'self'" not in csp
        ):
            self.problems.append(f"{url}: Content-Security-Policy is {csp!r}")
        self.page.wait_for_load_state("load")
        self.check(url)
        # The text of the page and of its form fields (where a quote could break out).
        return self.page.evaluate(
            """() => document.body.textContent + Array.from(
                 document.querySelectorAll("input, textarea"), (e) => e.value).join(" ")"""
        )


def test_planted_markup_never_runs_for_any_role_on_any_page_or_popup(open_page, live_server):
    world = build_xss_world()
    texts = world.texts
    seen: set[str] = set()
    # Pages that must show (as text) the planted texts with these tags.
    shown = {
        "/map/": ["PN", "PM", "PA", "PO"],
        "/opportunities/": ["OT", "PN"],
        f"/opportunities/{world.opportunity.code}/": ["OT", "OD", "OB", "OC", "PN"],
        f"/partner/opportunities/{world.opportunity.code}/": ["OT", "IN1"],
        "/my/schedule/": ["OT"],
        f"/coach/participants/{world.participant.code}/": [
            "DN",
            "SD",
            "SK",
            "IN",
            "AN",
            "SU",
            "CF",
        ],
        "/partner/profile/": ["PN"],
        f"/partner/sessions/{world.today.pk}/": ["DN", "EC"],
        f"/partner/sessions/{world.past.pk}/": ["SN"],
        "/secretariat/fee-rules/": ["FR", "FS"],
        f"/secretariat/payouts/{world.partner_run.pk}/": ["PN"],
        f"/secretariat/payouts/{world.supporter_run.pk}/": ["SN"],
    }
    for role, urls in pages_by_role(world).items():
        page, shots = open_page(DESKTOP)
        tour = Tour(page, shots)
        if role != "anonymous":
            log_in(page, world.users()[role].username, "/")
        for url in urls:
            body = tour.visit(url)
            seen |= {tag for tag, text in texts.items() if text[:60] in body}
            # Long texts may be cut short on a page (truncatechars): their start is enough.
            missing = [t for t in shown.get(url, []) if texts[t][:60] not in body]
            assert not missing, f"{role} {url}: {missing} not shown as text"

        # The popups, where the partner's name once became HTML.
        tour.visit(f"/opportunities/{world.opportunity.code}/")
        page.locator("#place-map .leaflet-marker-icon").click(force=True)
        popup = page.locator("#place-map .leaflet-popup-content")
        expect(popup).to_have_text(texts["PN"])
        tour.check(f"{role}: the opportunity map's popup")
        tour.visit("/map/")
        marker = page.locator("#partner-map .leaflet-marker-icon").first
        marker.click(force=True)
        popup = page.locator("#partner-map .leaflet-popup-content")
        expect(popup).to_contain_text(texts["PN"])
        expect(popup).to_contain_text(texts["PA"])
        tour.check(f"{role}: the partner map's popup")
        shots.shot(f"{role}-map-popup")

        assert tour.problems == [], role
        assert tour.console == [], role
    # Every planted text was on some page, so none went untested.
    assert set(texts) - seen == set()
