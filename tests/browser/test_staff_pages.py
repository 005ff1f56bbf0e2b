"""Issue 10 in real Chromium: partner staff record a walk-in on the roster
(beside the waitlist), and the secretariat moves a participant to another
coach; phone and desktop. Screenshots in artifacts/screenshots/<test>/."""

import pytest
from playwright.sync_api import expect

from opportunities.models import Signup
from people.models import User
from tests.browser.conftest import DESKTOP, PHONE, fits_the_screen, log_in
from tests.builders import (
    make_opportunity,
    make_participant,
    make_partner,
    make_session,
    make_user,
    started_an_hour_ago,
)
from training.models import Attendance

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_staff_record_a_walk_in(open_page, size):
    farm = make_partner(name="さんぶ農園")
    staff = make_user(
        role=User.Role.PARTNER_STAFF,
        username=f"farm_{size}",
        partner=farm,
        last_name="田中",
        first_name="健一",
    )
    session = make_session(
        opportunity=make_opportunity(partner=farm, title="朝市の準備"),
        starts_at=started_an_hour_ago(),
        capacity=1,
    )
    Signup.objects.create(
        session=session,
        participant=make_participant(display_name="待っている人"),
        status=Signup.Status.WAITLISTED,
    )
    walker = make_participant(code=f"W{size[:2]}01", display_name="飛込花子")
    page, screens = open_page(PHONE if size == "phone" else DESKTOP)
    log_in(page, staff.username, f"/partner/sessions/{session.pk}/")
    expect(page.locator("#waitlist")).to_contain_text("待っている人")
    screens.shot("roster")

    # A stranger to this partner: the code they bring together with their name.
    page.get_by_label("参加者コードまたは名前").fill(f"{walker.code} 飛込")
    page.get_by_role("button", name="探す").click()
    expect(page.locator("#walk-in-results")).to_contain_text("飛込花子")
    assert fits_the_screen(page)
    screens.shot("search")
    page.locator("#walk-in-results").get_by_role("button", name="出席として記録").click()
    expect(page.locator(f"#p-{walker.code}")).to_contain_text("飛び入り")
    assert fits_the_screen(page)
    screens.shot("recorded")
    assert Attendance.objects.filter(session=session, participant=walker).exists()


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_secretariat_moves_a_participant_to_another_coach(open_page, size):
    make_user(role=User.Role.SECRETARIAT, username=f"sec_{size}", last_name="高橋")
    old = make_user(role=User.Role.COACH, last_name="山田", first_name="太郎")
    new = make_user(role=User.Role.COACH, last_name="鈴木", first_name="花子")
    person = make_participant(coach=old, display_name="移る人")
    page, screens = open_page(PHONE if size == "phone" else DESKTOP)
    log_in(page, f"sec_{size}", "/secretariat/people/")
    expect(page.locator("#people")).to_contain_text("山田 太郎")
    assert fits_the_screen(page)
    screens.shot("people")
    page.goto(f"/secretariat/people/caseload/?coach={old.pk}")
    page.get_by_label("移る人").check()
    page.get_by_label("引き継ぎ先").select_option(str(new.pk))
    page.get_by_role("button", name="担当を引き継ぐ").click()
    expect(page.get_by_text("1人の担当を鈴木 花子に変更しました。")).to_be_visible()
    assert fits_the_screen(page)
    screens.shot("moved")
    person.refresh_from_db()
    assert person.coach == new
