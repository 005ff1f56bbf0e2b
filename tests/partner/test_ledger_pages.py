"""Partner staff keep their organisation's activity ledger on /partner/activities/:
they see, add, correct and remove only their own lines (another organisation's
line is a 404 and stays as it was), bad input is a Japanese sentence and saves
nothing, and removal asks first."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from people.models import User
from tests.builders import make_partner, make_user
from training.ledger import activity_record_save
from training.models import ActivityRecord, AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def summer(time_machine):
    time_machine.move_to("2026-08-20 10:00 +09:00")


@pytest.fixture
def other_partner():
    return make_partner(name="となりの食堂")


def line(partner, **kw) -> ActivityRecord:
    values = {
        "partner": partner,
        "activity": "cafeteria",
        "held_on": date(2026, 6, 13),
        "counterpart_type": "",
        "count": 1,
        "persons": 20,
        "weight_kg": None,
        "note": "",
        **kw,
    }
    return activity_record_save(values=values)[0]


def form(**kw) -> dict:
    return {
        "held_on": "2026-08-01",
        "activity": "food_donation",
        "counterpart_type": "farm",
        "count": "2",
        "persons": "2",
        "weight_kg": "45.5",
        "note": "お米",
        **kw,
    }


def test_the_list_shows_only_the_own_organisations_lines_a_page_at_a_time(
    client, partner, partner_staff, other_partner
):
    for day in range(1, 32):
        line(partner, held_on=date(2026, 7, day), activity="place_visit", persons=day)
    theirs = line(other_partner, note="となりのメモ")
    client.force_login(partner_staff)
    response = client.get(reverse("partner_activity_list"))
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count("data-record=") == 30 and "2026-07-31" in page
    assert "となりのメモ" not in page and f'data-record="{theirs.pk}"' not in page
    second = client.get(reverse("partner_activity_list"), {"page": 2}).content.decode()
    assert second.count("data-record=") == 1 and "2026-07-01" in second
    # The navigation leads here.
    assert (
        reverse("partner_activity_list")
        in client.get(reverse("partner_dashboard")).content.decode()
    )


def test_another_organisations_line_is_a_404_and_stays_as_it_was(
    client, partner_staff, other_partner
):
    theirs = line(other_partner)
    client.force_login(partner_staff)
    edit = reverse("partner_activity_edit", args=[theirs.pk])
    delete = reverse("partner_activity_delete", args=[theirs.pk])
    assert client.get(edit).status_code == 404
    assert client.post(edit, form(activity="cafeteria", weight_kg="")).status_code == 404
    assert client.get(delete).status_code == 404
    assert client.post(delete).status_code == 404
    theirs.refresh_from_db()
    assert (theirs.persons, theirs.activity) == (20, "cafeteria")
    assert ActivityRecord.objects.count() == 1


def test_staff_add_a_line_for_their_own_organisation(client, partner, partner_staff):
    client.force_login(partner_staff)
    assert client.get(reverse("partner_activity_new")).status_code == 200
    response = client.post(reverse("partner_activity_new"), form(partner="999"))
    assert response.status_code == 302
    record = ActivityRecord.objects.get()
    assert record.partner == partner and record.entered_by == partner_staff
    assert (record.activity, record.counterpart_type, record.weight_kg) == (
        "food_donation",
        "farm",
        Decimal("45.5"),
    )
    assert AuditEntry.objects.get().action == "activity_record_created"


@pytest.mark.parametrize(
    "change, message",
    [
        ({"activity": "cafeteria"}, "重さ（kg）は食品の寄付受入・配布のときだけ入力できます。"),
        ({"weight_kg": ""}, "重さ（kg）を入力してください"),
        ({"held_on": "2026-08-21"}, "これから先の日付の実績は登録できません"),
        ({"held_on": "2026-02-30"}, "実施日は YYYY-MM-DD の形で入力してください。"),
        ({"count": "0"}, "回数・件数は1以上にしてください。"),
        ({"weight_kg": "1.25"}, "重さ（kg）は小数点以下1桁までで入力してください。"),
        ({"activity": "food_bank"}, "活動の種類を一覧から選んでください。"),
    ],
)
def test_bad_input_is_a_sentence_and_saves_nothing(client, partner_staff, change, message):
    client.force_login(partner_staff)
    response = client.post(reverse("partner_activity_new"), form(**change))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert ActivityRecord.objects.count() == 0


def test_a_line_already_there_is_refused_with_a_sentence(client, partner, partner_staff):
    line(
        partner,
        activity="food_donation",
        held_on=date(2026, 8, 1),
        counterpart_type="farm",
        weight_kg=Decimal("10.0"),
    )
    client.force_login(partner_staff)
    response = client.post(reverse("partner_activity_new"), form())
    assert response.status_code == 400
    assert "すでに登録されています" in response.content.decode()
    assert ActivityRecord.objects.get().weight_kg == Decimal("10.0")


def test_staff_correct_their_own_line(client, partner, partner_staff):
    mine = line(partner)
    client.force_login(partner_staff)
    edit = reverse("partner_activity_edit", args=[mine.pk])
    page = client.get(edit).content.decode()
    assert 'value="2026-06-13"' in page and 'value="20"' in page
    response = client.post(
        edit,
        form(
            activity="cafeteria",
            held_on="2026-06-13",
            weight_kg="",
            persons="25",
            counterpart_type="",
        ),
    )
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.persons == 25
    entry = AuditEntry.objects.get(action="activity_record_changed")
    assert (entry.before["persons"], entry.after["persons"]) == (20, 25)
    assert entry.actor == partner_staff


def test_removal_asks_first_then_removes(client, partner, partner_staff):
    mine = line(partner)
    client.force_login(partner_staff)
    delete = reverse("partner_activity_delete", args=[mine.pk])
    confirm = client.get(delete)
    assert confirm.status_code == 200 and "この実績を削除しますか？" in confirm.content.decode()
    assert ActivityRecord.objects.filter(pk=mine.pk).exists()
    assert client.post(delete).status_code == 302
    assert not ActivityRecord.objects.filter(pk=mine.pk).exists()
    assert AuditEntry.objects.filter(action="activity_record_deleted").count() == 1


@pytest.mark.parametrize("role", [User.Role.SECRETARIAT, User.Role.PARTICIPANT, User.Role.COACH])
def test_only_partner_staff_use_these_pages(client, role):
    client.force_login(make_user(role=role))
    assert client.get(reverse("partner_activity_list")).status_code == 403
    assert client.post(reverse("partner_activity_new"), form()).status_code == 403
    assert ActivityRecord.objects.count() == 0
