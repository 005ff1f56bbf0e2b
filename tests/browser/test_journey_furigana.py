"""やさしい日本語: a participant turns furigana on from the menu, sees readings
(<ruby>) over the kanji of opportunity titles and of the interface, keeps them
from page to page, and turns them off again. Phone and desktop; screenshots in
artifacts/screenshots/<test>/."""

import pytest
from playwright.sync_api import expect

from people.models import User
from tests.browser.conftest import DESKTOP, PHONE, fits_the_screen, log_in
from tests.builders import make_opportunity, make_participant, make_partner, make_session, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_participant_turns_on_furigana_and_reads_titles_with_readings(open_page, viewport):
    user = make_user(role=User.Role.PARTICIPANT, username="easy_ja", first_name="グエン")
    make_participant(user=user, display_name="グエン", readiness=2)
    opportunity = make_opportunity(
        partner=make_partner(name="さんぶ農園"), title="畑作業と図書館の本の整理", min_readiness=1
    )
    make_session(opportunity=opportunity)

    page, screens = open_page(viewport)
    log_in(page, "easy_ja", "/opportunities/")
    card = page.locator(f"article[data-opportunity-code='{opportunity.code}']")
    expect(card.locator("h3")).to_have_text("畑作業と図書館の本の整理")
    expect(page.locator("ruby")).to_have_count(0)
    screens.shot("off")

    switch = page.get_by_role("button", name="やさしい日本語")
    expect(switch).to_have_attribute("aria-pressed", "false")
    switch.click()
    page.wait_for_url("**/opportunities/")
    expect(page.get_by_role("button", name="やさしい日本語")).to_have_attribute(
        "aria-pressed", "true"
    )
    title = card.locator("h3")
    expect(title.locator("ruby").first).to_be_visible()
    assert title.locator("rt").all_inner_texts() == [
        "はたけ",
        "さぎょう",
        "としょ",
        "かん",
        "ほん",
        "せいり",
    ]
    # The interface too: the heading and the menu.
    expect(page.locator("h1 ruby rt").first).to_have_text("かつどう")
    assert fits_the_screen(page)
    screens.shot("on-list")

    # It stays on from page to page, the detail page included.
    card.get_by_role("link").click()
    expect(page.locator("h1 ruby").first).to_be_visible()
    expect(page.locator("#place h2 rt")).to_have_text("ばしょ")
    assert fits_the_screen(page)
    screens.shot("on-detail")

    page.get_by_role("button", name="やさしい日本語").click()
    expect(page.get_by_role("button", name="やさしい日本語")).to_have_attribute(
        "aria-pressed", "false"
    )
    expect(page.locator("ruby")).to_have_count(0)
    screens.shot("off-again")
