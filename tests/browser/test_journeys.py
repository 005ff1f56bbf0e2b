"""The three journeys of issue 4 in real Chromium, with a screenshot per step
(artifacts/screenshots/<test>/). Locators are roles with the visible Japanese
text, scoped by the pages' data-* attributes."""

import pytest
from playwright.sync_api import expect

from opportunities.models import Opportunity, Signup
from opportunities.services import signup_create
from people.models import User
from tests.api.world import move_to_today
from tests.browser.conftest import DESKTOP, PHONE, big_enough_to_tap, fits_the_screen, log_in
from tests.builders import make_opportunity, make_participant, make_partner, make_session, make_user
from training.models import Attendance

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _participant(username: str, display_name: str, coach=None, readiness: int = 2):
    user = make_user(role=User.Role.PARTICIPANT, username=username, first_name=display_name)
    return make_participant(
        user=user,
        coach=coach,
        display_name=display_name,
        readiness=readiness,
        emergency_contact="母 090-1111-2222",
        support_notes="CANARY-SUPPORT-NOTE",
    )


def test_participant_on_a_phone_finds_signs_up_sees_schedule_and_cancels(open_page):
    farm = make_partner(name="さんぶ農園")
    books = make_partner(name="成東ブックカフェ", municipality="山武市")
    make_opportunity(partner=farm, title="畑の草取り", description="畑で草を取ります。")
    target = make_opportunity(
        partner=books,
        title="古本の整理と値付け",
        description="寄付された本を棚に並べ、値段のシールを貼ります。静かな作業です。",
        kind=Opportunity.Kind.VOLUNTEERING,
        min_readiness=1,
    )
    session = make_session(opportunity=target)
    participant = _participant("sato_phone", "佐藤")

    page, screens = open_page(PHONE)
    log_in(page, "sato_phone", "/opportunities/")
    screens.shot("search-page")

    page.get_by_role("searchbox", name="ことばでさがす").fill("本の整理")
    page.get_by_role("button", name="さがす").click()
    # htmx swaps the results in place; wait until they answer this query.
    expect(page.locator("#results")).to_contain_text("「本の整理」に近い順")
    card = page.locator(f"article[data-opportunity-code='{target.code}']")
    expect(card).to_be_visible()
    assert (
        page.locator("article[data-opportunity-code]").first.get_attribute("data-opportunity-code")
        == target.code
    )
    assert fits_the_screen(page)
    screens.shot("search-results")

    card.get_by_role("link", name="古本の整理と値付け").click()
    expect(page.get_by_role("heading", level=1, name="古本の整理と値付け")).to_be_visible()
    row = page.locator(f"li[data-session-id='{session.pk}']")
    assert fits_the_screen(page)
    screens.shot("opportunity-detail")

    assert big_enough_to_tap(row.get_by_role("button", name="申し込む"))
    row.get_by_role("button", name="申し込む").click()
    expect(row.get_by_text("申し込み済み")).to_be_visible()
    screens.shot("signed-up")
    signup = Signup.objects.get(participant=participant, session=session)
    assert signup.status == Signup.Status.CONFIRMED

    row.get_by_role("link", name="わたしの予定を見る").click()
    expect(page.get_by_role("heading", level=1, name="わたしの予定")).to_be_visible()
    item = page.locator(f"li[data-signup-id='{signup.pk}']")
    expect(item.get_by_role("link", name="古本の整理と値付け")).to_be_visible()
    assert fits_the_screen(page)
    screens.shot("my-schedule")

    assert big_enough_to_tap(item.get_by_role("button", name="キャンセルする"))
    item.get_by_role("button", name="キャンセルする").click()  # window.confirm is accepted
    expect(item.get_by_role("status")).to_contain_text("キャンセルしました")
    expect(item.get_by_role("link", name="もう一度申し込む")).to_be_visible()
    screens.shot("cancelled")
    signup.refresh_from_db()
    assert signup.status == Signup.Status.CANCELLED


def test_coach_approves_a_next_step_request(open_page):
    coach = make_user(role=User.Role.COACH, username="coach_browser", first_name="山田")
    participant = _participant("suzuki_next", "鈴木", coach=coach, readiness=2)
    shop = make_partner(name="九十九里直売所")
    next_step = make_opportunity(partner=shop, title="直売所の品出し", min_readiness=3)
    session = make_session(opportunity=next_step)
    request = signup_create(session=session, participant=participant, by=participant.user)
    assert request.status == Signup.Status.REQUESTED

    page, screens = open_page(DESKTOP)
    log_in(page, "coach_browser", "/coach/")
    item = page.locator(f"li[data-signup-id='{request.pk}']")
    expect(item).to_contain_text("鈴木")
    expect(item).to_contain_text("直売所の品出し")
    screens.shot("caseload-with-request")

    item.get_by_role("button", name="承認する").click()
    expect(page.get_by_role("status").filter(has_text="承認しました")).to_be_visible()
    screens.shot("approved")
    request.refresh_from_db()
    assert request.status == Signup.Status.CONFIRMED and request.decided_by == coach

    page.get_by_role("link", name="鈴木").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("鈴木")
    screens.shot("participant-page")


def _attendance_world():
    partner = make_partner(name="松尾ふれあい食堂")
    staff = make_user(role=User.Role.PARTNER_STAFF, username="staff_browser", partner=partner)
    opportunity = make_opportunity(partner=partner, title="子ども食堂の配膳", min_readiness=1)
    session = make_session(opportunity=opportunity)
    people = [_participant("takahashi_att", "高橋"), _participant("ito_att", "伊藤")]
    for person in people:
        signup_create(session=session, participant=person, by=person.user)
    # They signed up while it was ahead; now it is today's session, under way.
    return staff, move_to_today(session), people


def test_partner_staff_take_attendance_on_a_phone(open_page):
    staff, session, (takahashi, ito) = _attendance_world()

    page, screens = open_page(PHONE)
    log_in(page, "staff_browser", "/partner/")
    today = page.locator(f"#today li[data-session-id='{session.pk}']")
    expect(today).to_contain_text("子ども食堂の配膳")
    assert fits_the_screen(page)
    screens.shot("dashboard")

    today.get_by_role("link", name="名簿・出欠").click()
    expect(page.get_by_role("heading", level=1, name="名簿・出欠")).to_be_visible()
    first = page.locator(f"li[data-participant-code='{takahashi.code}']")
    second = page.locator(f"li[data-participant-code='{ito.code}']")
    expect(first).to_contain_text("母 090-1111-2222")  # emergency contact, for staff
    expect(page.locator("body")).not_to_contain_text("CANARY-SUPPORT-NOTE")
    assert fits_the_screen(page)
    screens.shot("roster")

    for label in ("出席", "欠席", "連絡あり欠席"):
        assert big_enough_to_tap(first.get_by_role("button", name=label, exact=True))
    first.get_by_role("button", name="出席").click()
    expect(first).to_have_attribute("data-status", "present")
    second.get_by_role("button", name="欠席", exact=True).click()
    expect(second).to_have_attribute("data-status", "absent")
    screens.shot("attendance-taken")

    page.reload()
    expect(page.locator(f"li[data-participant-code='{takahashi.code}']")).to_have_attribute(
        "data-status", "present"
    )
    screens.shot("after-reload")
    recorded = dict(
        Attendance.objects.filter(session=session).values_list("participant__code", "status")
    )
    assert recorded == {takahashi.code: "present", ito.code: "absent"}
    assert Attendance.objects.get(session=session, participant=takahashi).minutes == 180


def test_attendance_works_with_javascript_off(open_page):
    staff, session, (takahashi, _ito) = _attendance_world()

    page, screens = open_page(PHONE, javascript=False)
    log_in(page, "staff_browser", f"/partner/sessions/{session.pk}/")
    row = page.locator(f"li[data-participant-code='{takahashi.code}']")
    row.get_by_role("button", name="連絡あり欠席").click()
    expect(page.locator(f"li[data-participant-code='{takahashi.code}']")).to_have_attribute(
        "data-status", "excused"
    )
    screens.shot("excused-without-javascript")
    assert Attendance.objects.get(session=session, participant=takahashi).status == "excused"
