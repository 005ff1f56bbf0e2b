"""The activity ledger in Chromium: partner staff record a food donation on a
phone (a bad weight first, then a good one) and remove a line after the
confirmation page; the secretariat sees every partner's lines and the monthly
totals. Screenshots on a phone and a desktop."""

from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from people.models import User
from tests.browser.conftest import DESKTOP, PHONE, fits_the_screen, log_in
from tests.builders import make_partner, make_user
from training.ledger import activity_record_save
from training.models import ActivityRecord

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def seed():
    bank = make_partner(code="FB1", name="フードバンク山武", offers_food_bank=True)
    cafe = make_partner(code="CF1", name="こども食堂ひまわり", offers_cafeteria=True)
    lines = [
        (bank, "food_donation", date(2026, 5, 12), "farm", 2, 2, Decimal("150.5")),
        (bank, "food_distribution", date(2026, 6, 5), "household", 6, 14, Decimal("84.0")),
        (cafe, "cafeteria", date(2026, 5, 9), "", 1, 22, None),
        (cafe, "cafeteria", date(2026, 6, 13), "", 1, 25, None),
        (bank, "place_visit", date(2026, 6, 1), "", 3, 3, None),
    ]
    for partner, activity, day, counterpart, count, persons, kg in lines:
        activity_record_save(
            values={
                "partner": partner,
                "activity": activity,
                "held_on": day,
                "counterpart_type": counterpart,
                "count": count,
                "persons": persons,
                "weight_kg": kg,
                "note": "",
            }
        )
    return bank, cafe


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_partner_staff_record_and_remove_ledger_lines(open_page, time_machine, viewport):
    time_machine.move_to("2026-08-20 10:00 +09:00", tick=True)
    bank, _cafe = seed()
    make_user(role=User.Role.PARTNER_STAFF, username="fb_staff", partner=bank)
    page, shots = open_page(viewport)
    log_in(page, "fb_staff", "/partner/activities/")
    expect(page.locator("#activity-records li.row")).to_have_count(3)  # the bank's own lines
    assert fits_the_screen(page)
    shots.shot("list")

    page.get_by_role("link", name="実績を記録する").click()
    page.get_by_label("実施日").fill("2026-08-18")
    page.get_by_label("活動").select_option("food_donation")
    page.get_by_label("寄付元・配布先の種類").select_option("business")
    page.get_by_label("回数・件数").fill("1")
    page.get_by_label("人数").fill("1")
    page.get_by_label("重さ（kg）").fill("12.25")
    page.get_by_role("button", name="保存する").click()
    expect(page.locator(".errorlist")).to_contain_text("小数点以下1桁まで")
    assert fits_the_screen(page)
    shots.shot("form-error")
    page.get_by_label("重さ（kg）").fill("12.5")
    page.get_by_role("button", name="保存する").click()
    expect(page.locator(".messages")).to_contain_text("活動実績を登録しました。")
    expect(page.locator("#activity-records li.row").first).to_contain_text("食品の寄付受入")
    shots.shot("saved")
    assert ActivityRecord.objects.get(held_on=date(2026, 8, 18)).weight_kg == Decimal("12.5")

    page.locator("#activity-records li.row").first.get_by_role("link", name="削除").click()
    expect(page.get_by_role("heading", name="この実績を削除しますか？")).to_be_visible()
    shots.shot("delete-confirm")
    page.get_by_role("button", name="削除する").click()
    expect(page.locator(".messages")).to_contain_text("活動実績を削除しました。")
    assert not ActivityRecord.objects.filter(held_on=date(2026, 8, 18)).exists()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_secretariat_sees_all_lines_and_monthly_totals(open_page, time_machine, viewport):
    time_machine.move_to("2026-08-20 10:00 +09:00", tick=True)
    seed()
    make_user(role=User.Role.SECRETARIAT, username="sec_ledger")
    page, shots = open_page(viewport)
    log_in(page, "sec_ledger", "/secretariat/activities/?fy=2026")
    expect(page.locator("#activity-records tbody tr")).to_have_count(5)
    donation = page.locator('#monthly-totals tbody[data-activity="food_donation"] tr.total')
    expect(donation.locator('[data-total="tonnes"]')).to_have_text("0.1505")
    cafeteria = page.locator('#monthly-totals tbody[data-activity="cafeteria"] tr.total')
    expect(cafeteria.locator('[data-total="persons"]')).to_have_text("47")
    shots.shot("ledger")
    page.get_by_label("活動").select_option("cafeteria")
    page.get_by_role("button", name="表示").click()
    expect(page.locator("#activity-records tbody tr")).to_have_count(2)
    shots.shot("filtered")
