"""The progression pages in real Chromium under the Content-Security-Policy:
the flow chart is drawn by the static script from the JSON island (exact on the
secretariat page, without the suppressed cells on the coach page), the report
page offers its two downloads, and nothing is wider than a phone."""

import pytest

from tests.browser.conftest import DESKTOP, PHONE, fits_the_screen, log_in
from tests.browser.test_csp_pages import violations, watched
from tests.builders import make_user
from tests.reports.world import FY, build_progression_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_secretariat_and_coach_progression_pages(open_page):
    coach = make_user(role="coach", username="coach_prog")
    secretariat = make_user(role="secretariat", username="jimu_prog")
    build_progression_world(coach=coach)
    page, shots, console = watched(open_page, DESKTOP)
    log_in(page, secretariat.username, "/secretariat/")
    for viewport, size in ((DESKTOP, "desktop"), (PHONE, "phone")):
        page.set_viewport_size(viewport)
        page.goto(f"/secretariat/progression/?fy={FY}")
        page.wait_for_function("() => window.Chart && Chart.getChart('progression-chart')")
        # Start step 2 → end step 4 is one person: exact for the secretariat.
        data = page.evaluate("Chart.getChart('progression-chart').data.datasets.map(d => d.data)")
        assert data[3][1] == 1
        assert page.locator("#flow-table tbody tr[data-step='2'] td").nth(3).inner_text() == "1"
        assert fits_the_screen(page)
        shots.shot(f"secretariat-progression-{size}")
        assert violations(page) == []
        page.goto(f"/secretariat/report/?fy={FY}")
        assert page.get_by_role("button", name="Excelでダウンロード").is_visible()
        assert page.get_by_role("button", name="PDFでダウンロード").is_visible()
        assert fits_the_screen(page)
        shots.shot(f"secretariat-report-{size}")
        assert violations(page) == []

    page.context.clear_cookies()
    page.set_viewport_size(PHONE)
    log_in(page, coach.username, "/coach/")
    page.goto(f"/coach/progression/?fy={FY}")
    page.wait_for_function("() => window.Chart && Chart.getChart('progression-chart')")
    data = page.evaluate("Chart.getChart('progression-chart').data.datasets.map(d => d.data)")
    assert data[3][1] is None  # suppressed: not drawn, not sent
    assert page.locator("#flow-table tbody tr[data-step='2'] td").nth(3).inner_text() == "<5"
    assert page.locator("#suppression-note").is_visible()
    assert fits_the_screen(page)
    shots.shot("coach-progression-phone")
    assert violations(page) == []
    assert console == []
