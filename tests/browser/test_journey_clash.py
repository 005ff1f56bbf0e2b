"""Issue 10's clash journey in real Chromium: a participant tries to sign up for
a session at the same time as one she already has, and the page tells her which
one, at phone and desktop sizes (screenshots in artifacts/screenshots/<test>/)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from opportunities.models import Signup
from people.models import User
from tests.browser.conftest import DESKTOP, PHONE, fits_the_screen, log_in
from tests.builders import make_opportunity, make_participant, make_partner, make_session, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_participant_sees_which_session_clashes(open_page, viewport):
    username = f"sato_clash_{viewport['width']}"
    user = make_user(role=User.Role.PARTICIPANT, username=username, first_name="佐藤")
    participant = make_participant(user=user, display_name="佐藤", readiness=2)
    monday = (timezone.localtime() + timedelta(days=7)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    booked = make_session(
        opportunity=make_opportunity(partner=make_partner(name="さんぶ農園"), title="畑の草取り"),
        starts_at=monday,
        ends_at=monday + timedelta(hours=4),
    )
    Signup.objects.create(session=booked, participant=participant, status="confirmed")
    target = make_opportunity(partner=make_partner(name="成東ブックカフェ"), title="古本の整理")
    clashing = make_session(
        opportunity=target,
        starts_at=monday + timedelta(hours=3),
        ends_at=monday + timedelta(hours=6),
    )

    page, screens = open_page(viewport)
    log_in(page, username, f"/opportunities/{target.code}/")
    row = page.locator(f"li[data-session-id='{clashing.pk}']")
    expect(row).to_be_visible()
    screens.shot("before")

    row.get_by_role("button", name="申し込む").click()
    expected = (
        f"同じ時間に「畑の草取り」（{monday.year}/{monday.month}/{monday.day} 10:00）"
        "の予定があります。"
    )
    expect(page.get_by_text(expected)).to_be_visible()
    assert fits_the_screen(page)
    screens.shot("clash-message")
    assert not Signup.objects.filter(session=clashing).exists()
