"""Issue 10 in real Chromium: a participant edits her own profile at phone
and desktop sizes, and Emma (English) on a Japanese browser sees English
after login. Screenshots per step in artifacts/screenshots/<test>/."""

from datetime import time

import pytest
from playwright.sync_api import expect

from people.models import AvailabilitySlot, ParticipantProfile, User
from tests.browser.conftest import DESKTOP, PHONE, big_enough_to_tap, fits_the_screen, log_in
from tests.builders import make_participant, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _person(username: str, language: str = "ja") -> ParticipantProfile:
    user = make_user(role=User.Role.PARTICIPANT, username=username, language=language, email="")
    person = make_participant(
        user=user, display_name="佐藤 花", skills=["調理"], interests=["本"], max_travel_km=5
    )
    AvailabilitySlot.objects.create(participant=person, weekday=0, start=time(9), end=time(12))
    return person


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_participant_edits_her_profile(open_page, size):
    person = _person(f"hana_{size}")
    page, screens = open_page(PHONE if size == "phone" else DESKTOP)
    log_in(page, person.user.username, "/my/profile/")
    expect(page.get_by_role("heading", name="わたしのプロフィール", level=1)).to_be_visible()
    assert fits_the_screen(page)
    screens.shot("profile")

    # A mistake first: a slot that ends before it starts, and a wrong email.
    page.locator("#id_slots-1-weekday").select_option("2")
    page.locator("#id_slots-1-start").fill("15:00")
    page.locator("#id_slots-1-end").fill("13:00")
    page.get_by_label("メールアドレス").fill("hana-at-example")
    page.get_by_role("button", name="保存する").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("保存できませんでした。")
    expect(alert).to_contain_text("終わりの時刻は始まりの時刻より後にしてください。")
    expect(page.get_by_text("メールアドレスの形が正しくありません。")).to_be_visible()
    screens.shot("errors")
    assert ParticipantProfile.objects.get(pk=person.pk).availability.count() == 1

    # Then right: skills from the list, a word of her own, 2.5 km, a new slot.
    page.locator("#skills summary", has_text="外の仕事・体を動かす").click()
    page.locator("#skills").get_by_label("農作業").check()
    page.get_by_label("そのほかにできること").fill("薪割り")
    page.locator("#interests summary", has_text="自然・生きもの").click()
    page.locator("#interests").get_by_label("園芸").check()
    page.locator("#id_slots-1-end").fill("17:00")
    page.get_by_label("移動できる距離（km）").fill("2.5")
    page.get_by_label("メールアドレス").fill("hana@example.jp")
    page.get_by_label("活動の前日のお知らせ").uncheck()
    save = page.get_by_role("button", name="保存する")
    assert big_enough_to_tap(save)
    save.click()
    expect(page.get_by_role("status")).to_contain_text("プロフィールを保存しました。")
    screens.shot("saved")

    # The page shows what was saved.
    expect(page.locator("#skills").get_by_label("農作業")).to_be_checked()
    expect(page.get_by_label("そのほかにできること")).to_have_value("薪割り")
    expect(page.get_by_label("移動できる距離（km）")).to_have_value("2.5")
    expect(page.locator("#id_slots-1-weekday")).to_have_value("2")
    expect(page.get_by_label("活動の前日のお知らせ")).not_to_be_checked()
    fresh = ParticipantProfile.objects.get(pk=person.pk)
    assert fresh.skills == ["調理", "農作業", "薪割り"]
    assert fresh.interests == ["本", "園芸"]
    assert fresh.max_travel_km == 2.5
    assert fresh.notify_reminder is False
    assert fresh.user.email == "hana@example.jp"
    assert [(s.weekday, s.start, s.end) for s in fresh.availability.all()] == [
        (0, time(9), time(12)),
        (2, time(15), time(17)),
    ]
    assert fits_the_screen(page)


def test_emma_on_a_japanese_browser_sees_english_after_login(open_page):
    emma = _person("p_emma", language="en")
    page, screens = open_page(PHONE)  # the browser asks for ja-JP
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    screens.shot("before-login-japanese")
    log_in(page, "p_emma", "/my/profile/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("link", name="My schedule")).to_be_visible()
    # Her skills read in English on her profile.
    expect(page.locator("#skills").get_by_label("Cooking")).to_be_checked()
    screens.shot("after-login-english")

    # The switcher still overrides…
    page.locator("#language").select_option("ja")
    page.wait_for_load_state()
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.get_by_role("link", name="わたしの予定")).to_be_visible()
    screens.shot("switched-to-japanese")
    assert User.objects.get(pk=emma.user_id).language == "en"
