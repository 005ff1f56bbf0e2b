"""Text typed by partner staff is shown as text in real Chromium, in the page
and in the map popup (issue 9: the popup used to read the partner's name as HTML)."""

import pytest

from tests.builders import make_opportunity, make_partner

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAYLOAD = '<img src=x onerror="window.__xss = (window.__xss || 0) + 1">'


def test_a_partner_name_with_markup_never_runs_on_the_opportunity_page(open_page):
    partner = make_partner(name=PAYLOAD, lat=35.63, lon=140.41)
    opportunity = make_opportunity(partner=partner, title="畑の草取り", lat=35.63, lon=140.41)
    page, shots = open_page()
    page.goto(f"/opportunities/{opportunity.code}/")
    marker = page.locator("#place-map .leaflet-marker-icon")
    marker.click(force=True)  # opens the popup, where the name used to become HTML
    popup = page.locator("#place-map .leaflet-popup-content")
    popup.wait_for()
    shots.shot("popup")
    assert popup.inner_text() == PAYLOAD  # shown, literally
    assert page.evaluate("window.__xss") is None  # and nothing ran
