"""The participant's pages on a phone (390×844): the first result and the first
recommendation show without scrolling (filters behind one button), and the
detail page puts the place and map before a long list of dates. On a desktop
the filters start open. Screenshots in artifacts/screenshots/<test>/."""

import re

import pytest
from playwright.sync_api import expect

from opportunities.services import signup_create
from people.models import User
from tests.browser.conftest import DESKTOP, PHONE, fits_the_screen, log_in
from tests.builders import make_opportunity, make_participant, make_partner, make_session, make_user
from tests.participant.conftest import days_from_now

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _world():
    user = make_user(role=User.Role.PARTICIPANT, username="layout_phone", first_name="佐藤")
    participant = make_participant(user=user, display_name="佐藤", readiness=2)
    farm = make_partner(name="さんぶ農園")
    opportunities = [
        make_opportunity(
            partner=farm,
            title=f"畑の草取りと収穫の手伝い その{n}",
            description="畑で草を取り、野菜を収穫します。" * 3,
            min_readiness=1,
        )
        for n in range(1, 8)
    ]
    # A busy week ahead: five sign-ups, so "my schedule" on the home page is long.
    for n, opportunity in enumerate(opportunities[:5]):
        session = make_session(opportunity=opportunity, starts_at=days_from_now(1 + n))
        signup_create(session=session, participant=participant, by=user)
    return participant, opportunities


def _inside_viewport(page, locator) -> bool:
    box = locator.bounding_box()
    viewport = page.viewport_size
    return (
        box is not None
        and box["y"] >= 0
        and box["y"] + box["height"] <= viewport["height"]
        and box["x"] + box["width"] <= viewport["width"]
    )


def test_first_result_and_first_recommendation_show_on_a_phone(open_page):
    _world()
    page, screens = open_page(PHONE)
    log_in(page, "layout_phone", "/opportunities/")
    first = page.locator("#results article[data-opportunity-code]").first
    assert _inside_viewport(page, first.locator("h3"))
    expect(page.locator("details.more-filters")).not_to_have_attribute("open", "")
    expect(page.get_by_label("種類")).to_be_hidden()
    assert fits_the_screen(page)
    page.screenshot(path=str(screens.shot("browse-phone")).replace(".png", "-viewport.png"))

    # One tap shows the filters; choosing one updates the results (htmx).
    page.locator("details.more-filters > summary").click()
    expect(page.get_by_label("種類")).to_be_visible()
    screens.shot("filters-open-phone")

    page.goto("/")
    expect(page.get_by_role("heading", name="あなたへのおすすめ")).to_be_visible()
    recommended = page.locator("main > article[data-opportunity-code]").first
    assert _inside_viewport(page, recommended.locator("h3"))
    assert fits_the_screen(page)
    page.screenshot(path=str(screens.shot("home-phone")).replace(".png", "-viewport.png"))


def test_filters_start_open_on_a_desktop(open_page):
    _world()
    page, screens = open_page(DESKTOP)
    log_in(page, "layout_phone", "/opportunities/")
    expect(page.locator("details.more-filters")).to_have_attribute("open", "")
    expect(page.get_by_label("種類")).to_be_visible()
    page.get_by_label("種類").select_option("volunteering")
    expect(page).to_have_url(re.compile(r"kind=volunteering"))
    expect(page.locator("#results article[data-opportunity-code]").first).to_be_visible()
    screens.shot("browse-desktop")


def test_detail_shows_place_and_map_before_many_dates(open_page):
    _participant, opportunities = _world()
    opportunity = opportunities[6]
    sessions = [
        make_session(opportunity=opportunity, starts_at=days_from_now(1 + n)) for n in range(12)
    ]
    page, screens = open_page(PHONE)
    log_in(page, "layout_phone", f"/opportunities/{opportunity.code}/")
    place = page.locator("#place-map")
    dates = page.locator("#sessions")
    assert place.bounding_box()["y"] < dates.bounding_box()["y"]
    # Eight dates, and the rest one tap away.
    expect(page.locator("#sessions li.session-row:visible")).to_have_count(8)
    more = page.locator("details.more-sessions > summary")
    expect(more).to_contain_text("あと4件")
    assert fits_the_screen(page)
    screens.shot("detail-phone")
    more.click()
    expect(page.locator(f"#session-{sessions[11].pk}")).to_be_visible()
    screens.shot("detail-phone-all-dates")

    page.set_viewport_size(DESKTOP)
    page.reload()
    # Wide screen: the place stands beside the description, in the right-hand column.
    place_box, dates_box = place.bounding_box(), dates.bounding_box()
    assert place_box["x"] > dates_box["x"] + dates_box["width"] - 1
    screens.shot("detail-desktop")
