"""The site under its Content-Security-Policy in real Chromium: what used to be
inline script (the dashboard's charts, the language menu, the print button, the
calendar URL's select-on-tap) now comes from static files and still works, and
no page of the tour (nor the admin or the API docs) trips the policy."""

import pytest
from playwright.sync_api import expect

from opportunities.services import calendar_feed_enable
from tests.browser.conftest import DESKTOP, PHONE, log_in
from tests.security.xss_world import build_xss_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WATCH = """document.addEventListener("securitypolicyviolation", function (e) {
  (window.__csp = window.__csp || []).push(e.violatedDirective + " " + e.blockedURI);
}, true);"""


def watched(open_page, viewport=DESKTOP):
    page, shots = open_page(viewport)
    page.context.add_init_script(WATCH)
    console: list[str] = []
    page.on(
        "console", lambda m: console.append(m.text) if "Content Security Policy" in m.text else None
    )
    return page, shots, console


def violations(page) -> list[str]:
    """What the current page reported (the list starts empty on each page)."""
    return page.evaluate("window.__csp || []")


def test_dashboard_charts_and_language_menu_work_under_the_policy(open_page):
    world = build_xss_world()
    page, shots, console = watched(open_page)
    log_in(page, world.secretariat.username, "/secretariat/")
    page.wait_for_load_state("load")
    # Both charts are drawn by the static script from the JSON island. (A function,
    # not an expression: Playwright would evaluate a string, which the policy forbids.)
    page.wait_for_function(
        "() => window.Chart && Chart.getChart('targets-chart') && Chart.getChart('monthly-chart')"
    )
    labels = page.evaluate(
        "Chart.getChart('targets-chart').data.datasets.map(d => d.label)"
        ".concat(Chart.getChart('monthly-chart').data.datasets.map(d => d.label))"
    )
    assert labels == ["目標", "実績", "稼働日数", "延べ人数"]
    # The budget meters are drawn without a style attribute.
    expect(page.locator("svg.meter rect").first).to_have_attribute("height", "10")
    shots.shot("dashboard-with-charts")
    assert violations(page) == []

    # The language menu switches at once, without a button (app.js).
    page.select_option("#language", "en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.wait_for_function("() => window.Chart && Chart.getChart('targets-chart')")
    assert page.evaluate("Chart.getChart('targets-chart').data.datasets[0].label") == "Target"
    shots.shot("dashboard-in-english")
    assert violations(page) == []
    page.select_option("#language", "ja")
    expect(page.locator("html")).to_have_attribute("lang", "ja")

    for url in ("/admin/", f"/admin/opportunities/partner/{world.partner.pk}/change/"):
        page.goto(url)
        page.wait_for_load_state("load")
        assert violations(page) == [], url
    assert console == []


def test_my_schedule_calendar_url_and_print_button_work_under_the_policy(open_page):
    world = build_xss_world()
    calendar_feed_enable(participant=world.participant)
    page, shots, console = watched(open_page, PHONE)
    log_in(page, world.participant.user.username, "/my/schedule/")
    field = page.locator("#feed-url")
    field.click()
    selected = page.evaluate(
        "(() => { const f = document.getElementById('feed-url');"
        " return f.value.substring(f.selectionStart, f.selectionEnd); })()"
    )
    assert selected == field.input_value() and "/calendar/" in selected
    # Revoking swaps the section in with htmx; the new field selects too.
    page.get_by_role("button", name="URLを作り直す").click()
    expect(page.locator("#calendar [role=status]")).to_contain_text("新しいURLを作りました")
    new_field = page.locator("#feed-url")
    assert new_field.input_value() != selected
    new_field.click()
    assert page.evaluate(
        "(() => { const f = document.getElementById('feed-url');"
        " return f.selectionStart === 0 && f.selectionEnd === f.value.length; })()"
    )
    shots.shot("calendar-url-selected")
    assert violations(page) == [] and console == []


def test_coach_print_button_and_api_docs_work_under_the_policy(open_page):
    world = build_xss_world()
    page, shots, console = watched(open_page)
    log_in(page, world.coach.username, f"/coach/participants/{world.participant.code}/")
    page.get_by_role("button", name="初回ログインコードを発行する").click()
    button = page.get_by_role("button", name="印刷する")
    expect(button).to_be_visible()
    # The static script calls window.print(); stand in for the dialog.
    page.evaluate("window.print = function () { window.__printed = true; }")
    button.click()
    assert page.evaluate("window.__printed") is True
    shots.shot("login-code-sheet")
    assert violations(page) == []

    page.goto("/api/docs")
    expect(page.locator(".swagger-ui .info")).to_be_visible()
    shots.shot("api-docs")
    assert violations(page) == []
    page.goto("/admin/login/")
    expect(page.locator("#login-form")).to_be_visible()
    assert violations(page) == [] and console == []
