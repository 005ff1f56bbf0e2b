"""The activity ledger (training.ledger): the import (``import_activities``,
the page's ImportJob) follows the all-or-nothing rules of the other imports,
a second import updates instead of duplicating, writes are audited and
guarded, the monthly totals equal direct sums, the dashboard reads the new
activities, and the demo seed is deterministic and idempotent."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum
from openpyxl import Workbook

from core.errors import Conflict, NotAllowed
from core.importing import MAX_SHOWN_ERRORS, import_file
from devtools.demo_ledger import demo_seed_ledger
from people.models import User
from tests.training.builders import make_partner, make_user
from training.import_jobs import import_job_confirm, import_job_start
from training.ledger import (
    activity_record_delete,
    activity_record_save,
    ledger_monthly_totals,
    ledger_records,
)
from training.ledger_imports import ACTIVITY_COLUMNS, activity_importer
from training.models import ActivityRecord, AuditEntry, ImportJob
from training.selectors import programme_actuals

pytestmark = pytest.mark.django_db

HEADER = ",".join(ACTIVITY_COLUMNS)
GOOD_ROWS = [
    "2026-06-01,P001,place_visit,3,3,,月曜の居場所",
    "2026-06-13,P001,cafeteria,1,24,,",
    "2026-06-02,P001,food_donation,2,2,120.5,スーパーから",
    "2026-06-05,P001,food_distribution,4,9,35.0,",
    "2026-07-10,P002,cool_station,1,5,,",
]


@pytest.fixture(autouse=True)
def summer(time_machine):
    time_machine.move_to("2026-08-20 10:00 +09:00")


@pytest.fixture
def partners():
    return make_partner(code="P001"), make_partner(code="P002")


def csv_bytes(*rows: str, header: str = HEADER, encoding: str = "utf-8") -> bytes:
    return ("\r\n".join([header, *rows]) + "\r\n").encode(encoding)


def run(data: bytes, filename: str = "a.csv", **kw):
    return import_file(activity_importer, data=data, filename=filename, **kw)


def test_import_writes_every_activity_and_a_second_import_changes_nothing(partners):
    report = run(csv_bytes(*GOOD_ROWS))
    assert report.errors == [] and report.written
    assert (report.created, report.updated, report.unchanged) == (5, 0, 0)
    donation = ActivityRecord.objects.get(activity="food_donation")
    assert donation.partner.code == "P001" and donation.held_on == date(2026, 6, 2)
    assert (donation.count, donation.persons, donation.weight_kg) == (2, 2, Decimal("120.5"))
    assert donation.note == "スーパーから" and donation.counterpart_type == ""
    assert ActivityRecord.objects.get(activity="place_visit").weight_kg is None
    assert AuditEntry.objects.filter(action="activity_record_created").count() == 5

    again = run(csv_bytes(*GOOD_ROWS))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 5)
    assert ActivityRecord.objects.count() == 5
    assert AuditEntry.objects.count() == 5


def test_reimporting_a_corrected_file_updates_the_line_instead_of_adding_one(partners):
    run(csv_bytes(*GOOD_ROWS))
    corrected = [*GOOD_ROWS]
    corrected[2] = "2026-06-02,P001,food_donation,2,2,130.0,スーパーから（訂正）"
    report = run(csv_bytes(*corrected))
    assert (report.created, report.updated, report.unchanged) == (0, 1, 4)
    assert ActivityRecord.objects.count() == 5
    donation = ActivityRecord.objects.get(activity="food_donation")
    assert donation.weight_kg == Decimal("130.0")
    entry = AuditEntry.objects.get(action="activity_record_changed")
    assert entry.before["weight_kg"] == "120.5" and entry.after["weight_kg"] == "130.0"


def test_the_optional_counterpart_column_keeps_donors_apart(partners):
    header = HEADER + ",counterpart_type"
    report = run(
        csv_bytes(
            "2026-06-02,P001,food_donation,1,1,80.0,,farm",
            "2026-06-02,P001,food_donation,3,3,12.0,,individual",
            header=header,
        )
    )
    assert report.errors == [] and report.created == 2
    assert sorted(ActivityRecord.objects.values_list("counterpart_type", "weight_kg")) == [
        ("farm", Decimal("80.0")),
        ("individual", Decimal("12.0")),
    ]


@pytest.mark.parametrize(
    "row, message",
    [
        ("2026/13/01,P001,place_visit,1,1,,", "YYYY-MM-DD"),
        ("2026-08-21,P001,place_visit,1,1,,", "2026-08-20 までの日付"),  # tomorrow
        ("1999-12-31,P001,place_visit,1,1,,", "2000-01-01 から"),
        ("2026-06-01,P999,place_visit,1,1,,", "P999"),
        ("2026-06-01,,place_visit,1,1,,", "partner_code が空"),
        ("2026-06-01,P001,food_bank,1,1,,", "activity の値「food_bank」"),
        ("2026-06-01,P001,place_visit,0,1,,", "count は1以上"),
        ("2026-06-01,P001,place_visit,1.5,1,,", "count は整数"),
        ("2026-06-01,P001,place_visit,1,-1,,", "persons は0以上"),
        ("2026-06-01,P001,place_visit,1,,,", "persons が空"),
        ("2026-06-01,P001,place_visit,1,1,5.0,", "食品の寄付受入・配布のときだけ"),
        ("2026-06-01,P001,food_donation,1,1,,", "重さ（kg）を入力してください"),
        ("2026-06-01,P001,food_donation,1,1,-3,", "0以上"),
        ("2026-06-01,P001,food_donation,1,1,1.25,", "小数点以下1桁"),
        ("2026-06-01,P001,food_donation,1,1,abc,", "weight_kg は数値"),
        ("2026-06-01,P001,food_donation,1,1,NaN,", "weight_kg は数値"),
        ("2026-06-01,P001,food_donation,1,1,2000000,", "0以上"),
    ],
)
def test_each_rule_rejects_the_file_and_writes_nothing(partners, row, message):
    report = run(csv_bytes(GOOD_ROWS[0], row))
    assert not report.written
    assert any(e.row == 3 and message in e.message for e in report.errors), report.errors
    assert ActivityRecord.objects.count() == 0  # not even the good first row
    assert AuditEntry.objects.count() == 0


@pytest.mark.parametrize(
    "extra, message",
    [
        ("2026-06-01,P001,place_visit,1,1,,,farm", "食品の寄付受入・配布のときだけ選べます"),
        ("2026-06-01,P001,food_donation,1,1,2.0,,neighbour", "counterpart_type の値"),
    ],
)
def test_counterpart_rules_reject_the_file(partners, extra, message):
    report = run(csv_bytes(extra, header=HEADER + ",counterpart_type"))
    assert not report.written and any(message in e.message for e in report.errors)
    assert ActivityRecord.objects.count() == 0


def test_the_same_line_twice_in_a_file_is_an_error(partners):
    report = run(csv_bytes(GOOD_ROWS[0], GOOD_ROWS[1], GOOD_ROWS[0]))
    assert [(e.row, "2行目と重複" in e.message) for e in report.errors] == [(4, True)]
    assert ActivityRecord.objects.count() == 0


def test_a_missing_column_is_a_file_error(partners):
    report = run(csv_bytes("2026-06-01,P001,place_visit,1,1,", header=HEADER.replace(",note", "")))
    assert [e.row for e in report.errors] == [0] and "note" in report.errors[0].message
    assert ActivityRecord.objects.count() == 0


def test_shift_jis_bom_and_xlsx_files_are_read(partners):
    row = "2026-06-01,P001,place_visit,1,2,,居場所で将棋"
    assert run(csv_bytes(row, encoding="cp932")).created == 1
    bom = b"\xef\xbb\xbf" + csv_bytes("2026-06-08,P001,place_visit,1,2,,")
    assert run(bom).created == 1
    book = Workbook()
    sheet = book.active
    sheet.append(ACTIVITY_COLUMNS)
    sheet.append([date(2026, 6, 15), "P001", "food_distribution", 3, 7, 21.5, "箱で配布"])
    buffer = io.BytesIO()
    book.save(buffer)
    report = run(buffer.getvalue(), filename="a.xlsx")
    assert report.errors == [] and report.created == 1
    assert ActivityRecord.objects.get(activity="food_distribution").weight_kg == Decimal("21.5")
    assert ActivityRecord.objects.get(held_on=date(2026, 6, 1)).note == "居場所で将棋"


def test_the_error_list_is_capped(partners):
    rows = [f"2026-06-01,P001,place_visit,{i}x,1,," for i in range(MAX_SHOWN_ERRORS + 20)]
    report = run(csv_bytes(*rows))
    assert len(report.errors) == MAX_SHOWN_ERRORS + 1
    assert "ほかに20件のエラー" in report.errors[-1].message
    assert report.error_count == MAX_SHOWN_ERRORS + 20
    assert ActivityRecord.objects.count() == 0


def test_dry_run_checks_and_writes_nothing(partners):
    report = run(csv_bytes(*GOOD_ROWS), dry_run=True)
    assert report.created == 5 and not report.written
    assert ActivityRecord.objects.count() == 0 and AuditEntry.objects.count() == 0


def test_the_command_imports_dry_runs_and_refuses(partners, tmp_path, capsys):
    good = tmp_path / "good.csv"
    good.write_bytes(csv_bytes(*GOOD_ROWS))
    call_command("import_activities", str(good), "--dry-run")
    assert "（確認のみ）新規 5件" in capsys.readouterr().out
    assert ActivityRecord.objects.count() == 0
    call_command("import_activities", str(good))
    assert ActivityRecord.objects.count() == 5
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes("2026-06-01,P001,place_visit,1,1,3.0,"))
    with pytest.raises(CommandError, match="1件のエラー"):
        call_command("import_activities", str(bad))
    assert ActivityRecord.objects.count() == 5


def test_the_import_page_lists_the_ledger_and_runs_it_as_a_job(
    client, partners, django_capture_on_commit_callbacks
):
    secretariat = make_user(role="secretariat")
    client.force_login(secretariat)
    page = client.get("/secretariat/imports/").content.decode()
    assert 'value="activities"' in page and HEADER in page
    with django_capture_on_commit_callbacks(execute=True):
        job = import_job_start(
            kind="activities", filename="a.csv", data=csv_bytes(*GOOD_ROWS), by=secretariat
        )
    job.refresh_from_db()
    assert job.status == "done" and job.report["created"] == 5
    assert ActivityRecord.objects.count() == 0  # a preview writes nothing
    with django_capture_on_commit_callbacks(execute=True):
        write = import_job_confirm(job=job, by=secretariat)
    write.refresh_from_db()
    assert write.status == ImportJob.Status.DONE and write.report["written"] is True
    assert ActivityRecord.objects.count() == 5
    assert set(AuditEntry.objects.values_list("actor", flat=True)) == {secretariat.pk}


def values(partner, **kw):
    return {
        "partner": partner,
        "activity": "food_donation",
        "held_on": date(2026, 6, 3),  # a Wednesday: the demo has no lines then
        "counterpart_type": "farm",
        "count": 1,
        "persons": 1,
        "weight_kg": Decimal("50.0"),
        "note": "",
        **kw,
    }


def test_a_second_line_with_the_same_key_is_refused_unless_importing(partners):
    farm, _other = partners
    activity_record_save(values=values(farm))
    with pytest.raises(Conflict, match="すでに登録されています"):
        activity_record_save(values=values(farm, persons=5))
    record, outcome = activity_record_save(values=values(farm, persons=5), upsert=True)
    assert outcome == "updated" and record.persons == 5
    assert ActivityRecord.objects.count() == 1


def test_editing_a_line_onto_another_lines_key_is_refused(partners):
    farm, _other = partners
    first, _ = activity_record_save(values=values(farm))
    second, _ = activity_record_save(values=values(farm, counterpart_type="business"))
    with pytest.raises(Conflict):
        activity_record_save(values=values(farm), record=second)
    second.refresh_from_db()
    assert second.counterpart_type == "business"


def test_partner_staff_write_only_their_own_organisations_lines(partners):
    farm, other = partners
    staff = make_user(role=User.Role.PARTNER_STAFF, partner=farm)
    mine, _ = activity_record_save(values=values(farm), by=staff)
    assert mine.entered_by == staff
    with pytest.raises(NotAllowed):
        activity_record_save(values=values(other), by=staff)
    theirs, _ = activity_record_save(values=values(other))
    with pytest.raises(NotAllowed):
        activity_record_delete(record=theirs, by=staff)
    with pytest.raises(NotAllowed):  # nor move their own line to another partner
        activity_record_save(values=values(other, held_on=date(2026, 6, 9)), record=mine, by=staff)
    assert ActivityRecord.objects.count() == 2


def test_deleting_a_line_keeps_it_in_the_audit_log(partners):
    farm, _other = partners
    record, _ = activity_record_save(values=values(farm))
    pk = record.pk
    activity_record_delete(record=record)
    assert not ActivityRecord.objects.filter(pk=pk).exists()
    entry = AuditEntry.objects.get(action="activity_record_deleted")
    assert entry.target_id == str(pk) and entry.before["weight_kg"] == "50.0"
    assert entry.after is None and entry.action_label == "活動実績を削除"


def test_the_database_refuses_a_weight_on_a_non_food_line(partners):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        ActivityRecord.objects.create(
            partner=partners[0], activity="cafeteria", held_on=date(2026, 6, 1), weight_kg=1
        )


def test_monthly_totals_equal_direct_sums_and_the_dashboard_reads_them(partners):
    from opportunities.models import Partner

    Partner.objects.update(
        offers_place=True, offers_cafeteria=True, offers_food_bank=True, offers_cool_station=True
    )
    demo_seed_ledger(date(2025, 4, 1), date(2026, 8, 19))
    farm = partners[0]
    # Two donors on one day: two lines, one operating day.
    activity_record_save(values=values(farm, counterpart_type="farm"))
    activity_record_save(values=values(farm, counterpart_type="individual", persons=4))
    activity_record_save(
        values=values(farm, activity="food_distribution", counterpart_type="household", count=3)
    )
    activity_record_save(
        values=values(
            farm, activity="cafeteria", counterpart_type="", weight_kg=None, count=2, persons=30
        )
    )
    totals = ledger_monthly_totals(fiscal_year=2026)
    fy_lines = ActivityRecord.objects.filter(held_on__gte=date(2026, 4, 1))
    assert fy_lines.count() > 0
    for activity in ActivityRecord.Activity.values:
        lines = fy_lines.filter(activity=activity)
        direct = lines.aggregate(c=Sum("count"), p=Sum("persons"), w=Sum("weight_kg"))
        year = totals["year"][activity]
        assert year["count"] == (direct["c"] or 0)
        assert year["persons"] == (direct["p"] or 0)
        assert year["weight_kg"] == (direct["w"] or 0)
        assert year["tonnes"] * 1000 == (direct["w"] or 0)  # exact, no rounding
        assert year["tonnes"] == sum(m["activities"][activity]["tonnes"] for m in totals["months"])
        assert year["days"] == lines.values("partner", "held_on").distinct().count()
        assert year["count"] == sum(m["activities"][activity]["count"] for m in totals["months"])
    june = totals["months"][2]
    assert june["month"] == date(2026, 6, 1)
    june_donations = fy_lines.filter(activity="food_donation", held_on__month=6)
    assert june["activities"]["food_donation"]["days"] == (
        june_donations.values("partner", "held_on").distinct().count()
    )

    actuals = programme_actuals(fiscal_year=2026)
    assert (
        actuals["places_persons"]
        == fy_lines.filter(activity="place_visit").aggregate(n=Sum("persons"))["n"]
    )
    assert actuals["cafeteria_sessions"] == totals["year"]["cafeteria"]["count"]
    assert actuals["cafeteria_persons"] == totals["year"]["cafeteria"]["persons"]
    food = fy_lines.filter(activity__in=["food_donation", "food_distribution"])
    assert actuals["food_bank_days"] == food.values("partner", "held_on").distinct().count()
    assert actuals["food_bank_persons"] == food.aggregate(n=Sum("persons"))["n"]

    # The filters narrow the totals and the list alike.
    only_farm = ledger_monthly_totals(fiscal_year=2026, partner=farm, activity="cafeteria")
    assert [a for a, _label in only_farm["activities"]] == ["cafeteria"]
    assert (
        only_farm["year"]["cafeteria"]["count"]
        == (fy_lines.filter(partner=farm, activity="cafeteria").aggregate(n=Sum("count"))["n"])
    )
    june_farm = ledger_records(fiscal_year=2026, month=date(2026, 6, 20), partner=farm)
    assert set(june_farm) == set(fy_lines.filter(partner=farm, held_on__month=6))
    assert june_farm.filter(held_on=date(2026, 6, 3)).count() == 4


def test_the_demo_ledger_is_deterministic_idempotent_and_a_few_tonnes(partners):
    from opportunities.models import Partner

    Partner.objects.update(offers_food_bank=True, offers_place=True, offers_cool_station=True)
    added = demo_seed_ledger(date(2025, 8, 1), date(2026, 8, 19))
    assert added > 100
    snapshot = list(
        ActivityRecord.objects.order_by("pk").values_list(
            "partner", "activity", "held_on", "counterpart_type", "count", "persons", "weight_kg"
        )
    )
    assert demo_seed_ledger(date(2025, 8, 1), date(2026, 8, 19)) == 0
    assert (
        list(
            ActivityRecord.objects.order_by("pk").values_list(
                "partner",
                "activity",
                "held_on",
                "counterpart_type",
                "count",
                "persons",
                "weight_kg",
            )
        )
        == snapshot
    )
    donated = ActivityRecord.objects.filter(activity="food_donation").aggregate(w=Sum("weight_kg"))[
        "w"
    ]
    handed = ActivityRecord.objects.filter(activity="food_distribution").aggregate(
        w=Sum("weight_kg")
    )["w"]
    # Per food bank and year: a tonne or so in, somewhat less out.
    assert Decimal(300) < donated / 2 < Decimal(2500)
    assert Decimal(100) < handed / 2 < donated / 2


def test_the_admin_saves_and_deletes_through_the_ledger(client, partners):
    farm, _other = partners
    admin_user = make_user(role="secretariat", is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    add = "/admin/training/activityrecord/add/"
    assert client.get(add).status_code == 200
    form = {
        "held_on": "2026-06-03",
        "partner": farm.pk,
        "activity": "cafeteria",
        "counterpart_type": "",
        "count": "1",
        "persons": "18",
        "weight_kg": "2.0",
        "note": "",
    }
    refused = client.post(add, form)
    assert refused.status_code == 200
    assert "重さ（kg）は食品の寄付受入・配布のときだけ入力できます。" in refused.content.decode()
    assert ActivityRecord.objects.count() == 0
    assert client.post(add, {**form, "weight_kg": ""}).status_code == 302
    record = ActivityRecord.objects.get()
    assert record.entered_by == admin_user and record.persons == 18
    assert client.get("/admin/training/activityrecord/").status_code == 200
    client.post(f"/admin/training/activityrecord/{record.pk}/delete/", {"post": "yes"})
    assert ActivityRecord.objects.count() == 0
    assert list(AuditEntry.objects.order_by("pk").values_list("action", flat=True)) == [
        "activity_record_created",
        "activity_record_deleted",
    ]
