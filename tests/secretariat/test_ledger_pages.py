"""The secretariat's activity ledger on /secretariat/activities/: every
partner's lines with filters, monthly totals that equal direct sums, a CSV that
imports back unchanged, and entry, correction and removal (asked first) for
any partner; bad filters and bad input are Japanese sentences."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.urls import reverse

from core.importing import import_file
from people.models import User
from tests.builders import make_partner, make_user
from training.ledger import activity_record_save
from training.ledger_imports import activity_importer
from training.models import ActivityRecord, AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def summer(time_machine):
    time_machine.move_to("2026-08-20 10:00 +09:00")


@pytest.fixture
def ledger():
    bank = make_partner(code="FB1", name="フードバンク山武")
    cafe = make_partner(code="CF1", name="こども食堂ひまわり")

    def save(partner, activity, day, **kw):
        values = {
            "partner": partner,
            "activity": activity,
            "held_on": day,
            "counterpart_type": "",
            "count": 1,
            "persons": 0,
            "weight_kg": None,
            "note": "",
            **kw,
        }
        return activity_record_save(values=values)[0]

    save(
        bank,
        "food_donation",
        date(2026, 5, 12),
        counterpart_type="farm",
        count=2,
        persons=2,
        weight_kg=Decimal("150.5"),
    )
    save(
        bank,
        "food_donation",
        date(2026, 5, 12),
        counterpart_type="business",
        count=1,
        persons=1,
        weight_kg=Decimal("40.0"),
    )
    save(
        bank,
        "food_distribution",
        date(2026, 6, 5),
        counterpart_type="household",
        count=6,
        persons=14,
        weight_kg=Decimal("48.0"),
        note="箱で手渡し",
    )
    save(cafe, "cafeteria", date(2026, 5, 9), persons=22)
    save(cafe, "cafeteria", date(2026, 6, 13), persons=25)
    save(cafe, "cafeteria", date(2025, 6, 14), persons=99)  # the year before
    return bank, cafe


@pytest.fixture
def logged_in(client):
    client.force_login(make_user(role=User.Role.SECRETARIAT, username="jimu"))
    return client


def test_the_page_lists_every_partner_and_totals_equal_direct_sums(logged_in, ledger):
    response = logged_in.get(reverse("secretariat:activity_list"), {"fy": 2026})
    assert response.status_code == 200
    page = response.content.decode()
    assert "フードバンク山武" in page and "こども食堂ひまわり" in page
    assert page.count("data-record=") == 5  # not the year before
    totals = {row["value"]: row for row in response.context["totals"]}
    lines = ActivityRecord.objects.filter(held_on__gte=date(2026, 4, 1))
    for activity, row in totals.items():
        direct = lines.filter(activity=activity).aggregate(
            c=Sum("count"), p=Sum("persons"), w=Sum("weight_kg")
        )
        assert row["year"]["count"] == (direct["c"] or 0)
        assert row["year"]["persons"] == (direct["p"] or 0)
        assert row["year"]["weight_kg"] == (direct["w"] or 0)
        assert sum(t["persons"] for _m, t in row["months"]) == row["year"]["persons"]
    donation = totals["food_donation"]["year"]
    assert (donation["days"], donation["count"], donation["tonnes"]) == (1, 3, Decimal("0.1905"))
    assert totals["cafeteria"]["year"]["persons"] == 47
    assert 'data-total="tonnes">0.1905<' in page
    # The navigation leads here.
    assert (
        reverse("secretariat:activity_list")
        in logged_in.get(reverse("secretariat:dashboard")).content.decode()
    )


def test_filters_narrow_the_list_and_the_totals(logged_in, ledger):
    response = logged_in.get(
        reverse("secretariat:activity_list"),
        {"fy": 2026, "month": "2026-05", "partner": "FB1", "activity": "food_donation"},
    )
    assert response.status_code == 200
    assert response.content.decode().count("data-record=") == 2
    assert [row["value"] for row in response.context["totals"]] == ["food_donation"]
    by_month = logged_in.get(reverse("secretariat:activity_list"), {"fy": 2026, "month": "2026-06"})
    assert by_month.content.decode().count("data-record=") == 2


@pytest.mark.parametrize(
    "query, message",
    [
        ({"month": "2025-05"}, "月は表示中の年度の月から選んでください。"),
        ({"partner": "NOPE"}, "協力機関「NOPE」は見つかりません。"),
        ({"activity": "food_bank"}, "活動の種類を一覧から選んでください。"),
        ({"fy": "20x6"}, "年度は2000〜2100の整数で指定してください。"),
    ],
)
def test_a_bad_filter_is_a_message_not_an_error_page(logged_in, ledger, query, message):
    response = logged_in.get(reverse("secretariat:activity_list"), query)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_the_csv_has_the_import_columns_and_imports_back_unchanged(logged_in, ledger):
    response = logged_in.get(reverse("secretariat:activity_list"), {"fy": 2026, "format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    data = response.content
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(rows) == 5
    distribution = next(r for r in rows if r["activity"] == "food_distribution")
    assert distribution == {
        "date": "2026-06-05",
        "partner_code": "FB1",
        "activity": "food_distribution",
        "count": "6",
        "persons": "14",
        "weight_kg": "48.0",
        "note": "箱で手渡し",
        "counterpart_type": "household",
        "partner_name": "フードバンク山武",
    }
    report = import_file(activity_importer, data=data, filename="back.csv")
    assert report.errors == [] and (report.created, report.updated, report.unchanged) == (0, 0, 5)


def test_the_secretariat_adds_corrects_and_removes_lines_for_any_partner(logged_in, ledger):
    bank, cafe = ledger
    new = logged_in.post(
        reverse("secretariat:activity_new"),
        {
            "partner": cafe.pk,
            "held_on": "2026-07-20",
            "activity": "cool_station",
            "counterpart_type": "",
            "count": "1",
            "persons": "4",
            "weight_kg": "",
            "note": "",
        },
    )
    assert new.status_code == 302
    record = ActivityRecord.objects.get(activity="cool_station")
    assert record.partner == cafe and record.entered_by.username == "jimu"

    edit = reverse("secretariat:activity_edit", args=[record.pk])
    assert logged_in.get(edit).status_code == 200
    bad = logged_in.post(
        edit,
        {
            "partner": cafe.pk,
            "held_on": "2026-07-20",
            "activity": "cool_station",
            "count": "1",
            "persons": "4",
            "weight_kg": "3.0",
        },
    )
    assert bad.status_code == 400
    assert "重さ（kg）は食品の寄付受入・配布のときだけ入力できます。" in bad.content.decode()
    good = logged_in.post(
        edit,
        {
            "partner": bank.pk,
            "held_on": "2026-07-21",
            "activity": "cool_station",
            "count": "1",
            "persons": "6",
            "weight_kg": "",
        },
    )
    assert good.status_code == 302
    record.refresh_from_db()
    assert (record.partner, record.persons, record.held_on) == (bank, 6, date(2026, 7, 21))

    delete = reverse("secretariat:activity_delete", args=[record.pk])
    assert "この実績を削除しますか？" in logged_in.get(delete).content.decode()
    assert logged_in.post(delete).status_code == 302
    assert not ActivityRecord.objects.filter(pk=record.pk).exists()
    actions = list(
        AuditEntry.objects.filter(target_id=str(record.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        "activity_record_created",
        "activity_record_changed",
        "activity_record_deleted",
    ]
    audit = logged_in.get(reverse("secretariat:audit_log")).content.decode()
    assert "活動実績を削除" in audit


@pytest.mark.parametrize("role", [User.Role.PARTNER_STAFF, User.Role.COACH, User.Role.PARTICIPANT])
def test_only_the_secretariat_sees_the_page(client, ledger, role):
    client.force_login(make_user(role=role, partner=ledger[0] if role == "partner_staff" else None))
    assert client.get(reverse("secretariat:activity_list")).status_code == 403
    record = ActivityRecord.objects.first()
    assert client.post(reverse("secretariat:activity_delete", args=[record.pk])).status_code == 403
    assert ActivityRecord.objects.filter(pk=record.pk).exists()


def test_a_note_that_looks_like_a_formula_never_runs_in_the_csv(logged_in, ledger):
    ActivityRecord.objects.filter(activity="food_distribution").update(note="=HYPERLINK(1)")
    response = logged_in.get(reverse("secretariat:activity_list"), {"fy": 2026, "format": "csv"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert next(r for r in rows if r["activity"] == "food_distribution")["note"] == "'=HYPERLINK(1)"
