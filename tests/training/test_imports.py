"""Spreadsheet imports: happy paths, idempotent re-imports, Shift_JIS/BOM/XLSX
input, and every importer's rejection path (nothing written)."""

import io
from datetime import date, time

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from core.clock import at
from core.importing import import_file
from core.spreadsheets import read_rows
from opportunities.imports import opportunity_importer, partner_importer
from opportunities.models import Opportunity, Partner, Session
from people.imports import participant_importer
from people.models import ParticipantProfile, ReadinessAssessment, Supporter
from tests.training.builders import make_opportunity, make_participant, make_partner
from training.imports import attendance_importer, fee_rule_importer
from training.models import Attendance, AuditEntry, FeeRule

pytestmark = pytest.mark.django_db

PARTNERS = """code,name,name_kana,category,municipality,address,lat,lon,offers
P001,さんぶ農園,さんぶのうえん,medical_welfare,山武市,山武市松尾町1-1,35.6,140.4,place;work_acceptance
P002,カフェ・ほっと,かふぇほっと,restaurant,東金市,,,,place;cafeteria;cool_station
"""


def csv_bytes(text: str, encoding="utf-8") -> bytes:
    return text.replace("\n", "\r\n").encode(encoding)


def xlsx_bytes(text: str) -> bytes:
    wb = Workbook()
    for line in text.strip().splitlines():
        wb.active.append(line.split(","))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.mark.parametrize(
    "data,name",
    [
        (csv_bytes(PARTNERS), "p.csv"),
        (b"\xef\xbb\xbf" + csv_bytes(PARTNERS), "p.csv"),
        (csv_bytes(PARTNERS, "cp932"), "p.csv"),
        (csv_bytes(PARTNERS, "shift_jis"), "P.CSV"),
        (xlsx_bytes(PARTNERS), "p.xlsx"),
    ],
    ids=["utf8", "utf8-bom", "cp932", "shift_jis", "xlsx"],
)
def test_partners_import_reads_every_encoding_and_is_idempotent(data, name):
    report = import_file(partner_importer, data=data, filename=name)
    assert report.ok, report.errors
    assert (report.created, report.updated, report.unchanged) == (2, 0, 0)
    farm = Partner.objects.get(code="P001")
    assert farm.name == "さんぶ農園" and farm.lat == 35.6
    assert farm.offer_codes == ["place", "work_acceptance"]
    assert Partner.objects.get(code="P002").offer_codes == ["place", "cafeteria", "cool_station"]
    again = import_file(partner_importer, data=data, filename=name)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_cp932_only_characters_survive():
    # ①, ㈱ and 髙 exist in cp932 (Excel's Shift_JIS) but not in plain Shift_JIS.
    text = PARTNERS.replace("カフェ・ほっと", "㈱髙橋商店①")
    report = import_file(partner_importer, data=csv_bytes(text, "cp932"), filename="p.csv")
    assert report.ok
    assert Partner.objects.filter(name="㈱髙橋商店①").exists()


def test_read_rows_numbers_rows_as_the_spreadsheet_does():
    sheet = read_rows(csv_bytes("code,name\nA,x\n\nB,y\n"), "x.csv")
    assert [(r.number, r["code"]) for r in sheet.rows] == [(2, "A"), (4, "B")]


def test_bad_partner_file_is_rejected_whole_with_a_message_per_row():
    text = PARTNERS + "P003,,,bakery,山武市,,91,140,place;sauna\nP001,重複,,public,山武市,,,,\n"
    report = import_file(partner_importer, data=csv_bytes(text), filename="p.csv")
    assert not report.ok and not report.written
    by_row = {}
    for e in report.errors:
        by_row.setdefault(e.row, []).append(e.message)
    assert set(by_row) == {4, 5}
    assert any("name" in m for m in by_row[4]) and any("bakery" in m for m in by_row[4])
    assert any("lat" in m for m in by_row[4]) and any("sauna" in m for m in by_row[4])
    assert any("2行目と重複" in m for m in by_row[5])
    assert Partner.objects.count() == 0


def test_missing_columns_and_wrong_file_type_are_reported():
    report = import_file(partner_importer, data=csv_bytes("code,name\nA,B\n"), filename="p.csv")
    assert "category" in report.errors[0].message and report.errors[0].row == 0
    report = import_file(partner_importer, data=b"x", filename="p.pdf")
    assert ".csv" in report.errors[0].message


def test_preview_writes_nothing_but_counts():
    report = import_file(partner_importer, data=csv_bytes(PARTNERS), filename="p.csv", dry_run=True)
    assert report.ok and report.created == 2 and not report.written
    assert Partner.objects.count() == 0


PARTICIPANTS = """code,display_name,name_kana,municipality,lat,lon,readiness,self_description,skills,interests
U001,佐藤,さとう,山武市,35.6,140.4,2,朝は苦手です,草取り;袋詰め,農業;料理
U002,鈴木,すずき,東金市,,,,,,
"""


def test_participants_import_records_readiness_only_when_it_changes():
    report = import_file(
        participant_importer, data=csv_bytes(PARTICIPANTS, "cp932"), filename="u.csv"
    )
    assert report.ok, report.errors
    sato = ParticipantProfile.objects.get(code="U001")
    assert (sato.readiness, sato.skills, sato.interests) == (
        2,
        ["草取り", "袋詰め"],
        ["農業", "料理"],
    )
    assert ReadinessAssessment.objects.filter(participant=sato).count() == 1
    again = import_file(participant_importer, data=csv_bytes(PARTICIPANTS), filename="u.csv")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert ReadinessAssessment.objects.count() == 1
    moved = import_file(
        participant_importer,
        data=csv_bytes(PARTICIPANTS.replace(",2,朝", ",3,朝")),
        filename="u.csv",
    )
    assert (moved.updated, moved.unchanged) == (1, 1)
    sato.refresh_from_db()
    assert sato.readiness == 3 and ReadinessAssessment.objects.filter(participant=sato).count() == 2


def test_bad_participant_file_writes_nothing():
    text = PARTICIPANTS + "U003,高橋,,山武市,35,,7,,,\n"
    report = import_file(participant_importer, data=csv_bytes(text), filename="u.csv")
    messages = [str(e) for e in report.errors]
    assert any(m.startswith("4行目") and "readiness" in m for m in messages)
    assert any(m.startswith("4行目") and "lat と lon" in m for m in messages)
    assert ParticipantProfile.objects.count() == 0 and ReadinessAssessment.objects.count() == 0


OPPORTUNITIES = """code,partner_code,title,description,kind,employment_type,min_readiness,capacity,skills
O001,P001,野菜の収穫,畑で収穫,farm_welfare,,2,4,草取り;収穫
O002,P001,倉庫の軽作業,,intermediate_employment,non_employment,4,2,
"""


def test_opportunities_import_takes_the_partner_location_and_is_idempotent():
    make_partner(code="P001", municipality="山武市", address="松尾町1-1", lat=35.6, lon=140.4)
    report = import_file(opportunity_importer, data=csv_bytes(OPPORTUNITIES), filename="o.csv")
    assert report.ok, report.errors
    harvest = Opportunity.objects.get(code="O001")
    assert (harvest.municipality, harvest.lat, harvest.skills, harvest.status) == (
        "山武市",
        35.6,
        ["草取り", "収穫"],
        "open",
    )
    assert Opportunity.objects.get(code="O002").employment_type == "non_employment"
    again = import_file(opportunity_importer, data=xlsx_bytes(OPPORTUNITIES), filename="o.xlsx")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_bad_opportunity_file_writes_nothing():
    make_partner(code="P001")
    text = (
        OPPORTUNITIES
        + "O003,P999,x,,volunteering,,1,1,\nO004,P001,y,,intermediate_employment,,4,1,\nO005,P001,z,,volunteering,employment,1,1,\n"
    )
    report = import_file(opportunity_importer, data=csv_bytes(text), filename="o.csv")
    rows = {e.row for e in report.errors}
    assert rows == {4, 5, 6}
    assert any("P999" in e.message for e in report.errors)
    assert Opportunity.objects.count() == 0


ATTENDANCE = """date,start,end,partner_code,opportunity_code,instructor,person_code,role,status
2026-05-11,10:00,12:00,P001,O001,田中,U001,trainee,present
2026-05-11,10:00,12:00,P001,O001,田中,U002,trainee,absent
2026-05-11,10:00,12:00,P001,O001,田中,V100,supporter,present
2026-05-11,10:00,12:00,P001,O001,田中,U002,supporter,present
2026-05-12,10:00,12:00,P001,O001,,,,cancelled
"""


@pytest.fixture
def attendance_world():
    farm = make_partner(code="P001")
    opp = make_opportunity(partner=farm, code="O001")
    make_participant(code="U001")
    make_participant(code="U002")
    return opp


def test_attendance_import_creates_sessions_supporters_and_cancellations(attendance_world):
    data = csv_bytes(ATTENDANCE, "cp932")
    report = import_file(attendance_importer, data=data, filename="a.csv")
    assert [e.row for e in report.errors] == [5]  # U002 twice in one session
    assert Session.objects.count() == 0
    fixed = ATTENDANCE.replace("U002,supporter", "U003,supporter")
    report = import_file(attendance_importer, data=csv_bytes(fixed, "cp932"), filename="a.csv")
    assert report.ok, report.errors
    held = Session.objects.get(starts_at=at(date(2026, 5, 11), time(10)))
    assert (held.status, held.instructor_name) == ("held", "田中")
    assert Session.objects.get(starts_at=at(date(2026, 5, 12), time(10))).status == "cancelled"
    assert Supporter.objects.filter(code__in=["V100", "U003"]).count() == 2  # not participants
    sup = Attendance.objects.get(supporter__code="V100")
    assert (sup.role, sup.minutes) == ("supporter", 120)
    assert Attendance.objects.get(participant__code="U002").minutes == 0
    again = import_file(attendance_importer, data=csv_bytes(fixed), filename="a.csv")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 5)
    assert Attendance.objects.count() == 4 and Session.objects.count() == 2


def test_attendance_correction_by_reimport_is_audited(attendance_world):
    import_file(
        attendance_importer,
        data=csv_bytes(ATTENDANCE.replace("U002,supporter", "U003,supporter")),
        filename="a.csv",
    )
    corrected = ATTENDANCE.replace("U002,supporter", "U003,supporter").replace(
        "U002,trainee,absent", "U002,trainee,present"
    )
    report = import_file(attendance_importer, data=csv_bytes(corrected), filename="a.csv")
    assert (report.updated, report.unchanged) == (1, 4)
    entry = AuditEntry.objects.get(action="attendance_corrected")
    assert entry.before["status"] == "absent" and entry.after == {
        "status": "present",
        "minutes": 120,
        "role": "trainee",
    }


def test_bad_attendance_file_writes_nothing(attendance_world):
    text = ATTENDANCE.replace("U002,supporter", "U003,supporter") + (
        "2026-05-13,10:00,09:00,P001,O001,,U001,trainee,present\n"
        "2026-05-14,10:00,12:00,P002,O001,,U001,trainee,present\n"
        "2026-05-15,10:00,12:00,P001,O001,,U999,trainee,present\n"
        "2026-05-16,10:00,12:00,P001,O001,,U001,trainee,late\n"
        "2026-05-12,10:00,12:00,P001,O001,,U001,trainee,present\n"
    )
    report = import_file(attendance_importer, data=csv_bytes(text), filename="a.csv")
    assert {e.row for e in report.errors} == {7, 8, 9, 10, 11}
    assert (
        Session.objects.count() == 0
        and Attendance.objects.count() == 0
        and Supporter.objects.count() == 0
    )


FEE_RULES = """code,name,payee,basis,rate_yen,monthly_cap_yen,budget_yen,fiscal_year,kinds
DAY26,指導料（日額）,partner,day,2500,,125000,2026,supported_work;farm_welfare
SUP26,サポーター謝金,supporter,hour,1000,20000,500000,2026,
"""


def test_fee_rules_import_and_reimport():
    report = import_file(fee_rule_importer, data=xlsx_bytes(FEE_RULES), filename="f.xlsx")
    assert report.ok, report.errors
    day = FeeRule.objects.get(code="DAY26")
    assert (day.valid_from, day.valid_to, day.kinds, day.monthly_cap_yen) == (
        date(2026, 4, 1),
        date(2027, 3, 31),
        ["farm_welfare", "supported_work"],
        None,
    )
    assert FeeRule.objects.get(code="SUP26").monthly_cap_yen == 20_000
    again = import_file(fee_rule_importer, data=csv_bytes(FEE_RULES), filename="f.csv")
    assert again.unchanged == 2


def test_bad_fee_rules_file_writes_nothing():
    text = (
        FEE_RULES
        + "X,x,supporter,day,100,,,2026,\nY,y,partner,hour,100,,,2026,\nZ,z,partner,day,-5,,,26,gardening\n"
    )
    report = import_file(fee_rule_importer, data=csv_bytes(text), filename="f.csv")
    assert {e.row for e in report.errors} == {4, 5, 6}
    assert FeeRule.objects.count() == 0


def test_import_commands_print_errors_and_write_nothing(tmp_path, capsys):
    bad = tmp_path / "partners.csv"
    bad.write_bytes(csv_bytes(PARTNERS + "P003,x,,nowhere,山武市,,,,\n", "cp932"))
    with pytest.raises(CommandError):
        call_command("import_partners", str(bad))
    assert "4行目" in capsys.readouterr().err
    assert Partner.objects.count() == 0
    good = tmp_path / "partners.csv"
    good.write_bytes(csv_bytes(PARTNERS, "cp932"))
    call_command("import_partners", str(good))
    assert "新規 2件" in capsys.readouterr().out
    for command, name, text in (
        ("import_participants", "u.csv", PARTICIPANTS),
        ("import_opportunities", "o.csv", OPPORTUNITIES),
        ("import_fee_rules", "f.csv", FEE_RULES),
        ("import_attendance", "a.csv", ATTENDANCE.replace("U002,supporter", "U003,supporter")),
    ):
        path = tmp_path / name
        path.write_bytes(csv_bytes(text))
        call_command(command, str(path))
    assert Attendance.objects.count() == 4 and FeeRule.objects.count() == 2


def test_attendance_xlsx_with_real_date_and_time_cells(attendance_world):
    """Excel stores dates and times as typed cells, not text."""
    from datetime import datetime

    wb = Workbook()
    ws = wb.active
    ws.append(
        [
            "date",
            "start",
            "end",
            "partner_code",
            "opportunity_code",
            "instructor",
            "person_code",
            "role",
            "status",
        ]
    )
    excel_day = datetime(2026, 5, 11)  # noqa: DTZ001 - Excel cells hold naive values
    ws.append(
        [excel_day, time(9, 30), time(11, 45), "P001", "O001", "田中", "U001", "trainee", "present"]
    )
    ws.append(
        [date(2026, 5, 12), "9:30", "11:45", "P001", "O001", None, "U001", "trainee", "absent"]
    )
    buf = io.BytesIO()
    wb.save(buf)
    report = import_file(attendance_importer, data=buf.getvalue(), filename="a.xlsx")
    assert report.ok, report.errors
    first = Attendance.objects.get(session__starts_at=at(date(2026, 5, 11), time(9, 30)))
    assert (first.status, first.minutes) == ("present", 135)
    assert Session.objects.get(starts_at=at(date(2026, 5, 12), time(9, 30))).ends_at == at(
        date(2026, 5, 12), time(11, 45)
    )
