"""Spreadsheet imports obey the same rules as the pages and never crash on a
bad file: no attendance for days to come or implausible dates, cancellations
go through session_cancel (sign-ups are told), no silent un-cancelling, broken
bytes are row or file errors, and the list of errors is capped everywhere."""

import io
from datetime import time, timedelta

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from core.clock import at
from core.importing import MAX_SHOWN_ERRORS, import_file
from opportunities.imports import partner_importer
from opportunities.models import Opportunity, Partner, Session, Signup
from opportunities.services import signup_create
from people.models import ParticipantProfile, Supporter, User
from tests.builders import make_participant as make_signed_participant
from tests.builders import make_user
from tests.training.builders import make_opportunity, make_participant, make_partner
from training.imports import ATTENDANCE_COLUMNS, attendance_importer
from training.models import Attendance, FeeRule

pytestmark = pytest.mark.django_db

HEADER = ",".join(ATTENDANCE_COLUMNS)
PARTNERS_HEADER = "code,name,name_kana,category,municipality,address,lat,lon,offers"
PARTNER_ROW = "P001,さんぶ農園,,commerce,山武市,,,,place"


def csv_bytes(text: str, encoding="utf-8") -> bytes:
    return text.replace("\n", "\r\n").encode(encoding)


def counts() -> dict:
    models = (Partner, Opportunity, ParticipantProfile, Supporter, Session, Signup, Attendance)
    return {m.__name__: m.objects.count() for m in (*models, FeeRule)}


@pytest.fixture
def world():
    farm = make_partner(code="P001")
    opp = make_opportunity(partner=farm, code="O001")
    make_participant(code="U001")
    return opp


def attendance_csv(*rows: str) -> bytes:
    return csv_bytes("\n".join([HEADER, *rows]) + "\n")


def test_attendance_for_a_day_to_come_is_a_row_error_and_writes_nothing(world):
    ahead = (timezone.localdate() + timedelta(days=30)).isoformat()
    before = counts()
    report = import_file(
        attendance_importer,
        data=attendance_csv(f"{ahead},10:00,12:00,P001,O001,,U001,trainee,present"),
        filename="a.csv",
    )
    assert [(e.row, e.message) for e in report.errors] == [
        (2, "まだ来ていない日の出欠は記録できません。")
    ]
    assert counts() == before and not report.written
    # Later today is fine, as on the roster page.
    today = timezone.localdate().isoformat()
    report = import_file(
        attendance_importer,
        data=attendance_csv(f"{today},23:00,23:30,P001,O001,,U001,trainee,present"),
        filename="a.csv",
    )
    assert report.ok, report.errors


@pytest.mark.parametrize("day", ["0001-01-01", "1999-12-31", "2101-01-01", "9999-12-31"])
def test_implausible_dates_are_row_errors(world, day):
    before = counts()
    for status, person in (("present", "U001,trainee"), ("cancelled", ",")):
        report = import_file(
            attendance_importer,
            data=attendance_csv(f"{day},10:00,12:00,P001,O001,,{person},{status}"),
            filename="a.csv",
        )
        assert [e.row for e in report.errors] == [2]
        assert "2000-01-01" in report.errors[0].message and day in report.errors[0].message
    assert counts() == before


@pytest.fixture
def signed_up(world, django_capture_on_commit_callbacks):
    """A session in ten days with two confirmed sign-ups."""
    day = timezone.localdate() + timedelta(days=10)
    session = Session.objects.create(
        opportunity=world, starts_at=at(day, time(10)), ends_at=at(day, time(12)), capacity=5
    )
    people = [make_signed_participant(user=make_user(role=User.Role.PARTICIPANT)) for _ in range(2)]
    with django_capture_on_commit_callbacks(execute=True):
        for person in people:
            signup_create(session=session, participant=person, by=person.user)
    mail.outbox.clear()
    return session, people


def test_cancelled_row_goes_through_session_cancel_and_tells_the_sign_ups(
    signed_up, django_capture_on_commit_callbacks
):
    session, people = signed_up
    day = timezone.localtime(session.starts_at).date().isoformat()
    data = attendance_csv(f"{day},10:00,12:00,P001,O001,,,,cancelled")
    preview = import_file(attendance_importer, data=data, filename="a.csv", dry_run=True)
    assert preview.ok and preview.updated == 1
    session.refresh_from_db()
    assert session.status == "scheduled" and mail.outbox == []  # a preview tells nobody
    with django_capture_on_commit_callbacks(execute=True):
        report = import_file(attendance_importer, data=data, filename="a.csv")
    assert report.ok, report.errors
    session.refresh_from_db()
    assert session.status == "cancelled"
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.user.email for p in people)
    assert all("中止" in m.subject for m in mail.outbox)


def test_a_held_session_cannot_be_cancelled_by_import(world):
    import_file(
        attendance_importer,
        data=attendance_csv("2026-05-11,10:00,12:00,P001,O001,,U001,trainee,present"),
        filename="a.csv",
    )
    before = counts()
    report = import_file(
        attendance_importer,
        data=attendance_csv("2026-05-11,10:00,12:00,P001,O001,,,,cancelled"),
        filename="a.csv",
    )
    assert [e.row for e in report.errors] == [2]
    assert "O001" in report.errors[0].message and "2026-05-11 10:00" in report.errors[0].message
    assert "実施済み" in report.errors[0].message
    assert Session.objects.get().status == "held" and counts() == before


@pytest.mark.parametrize("dry_run", [True, False])
def test_an_import_never_uncancels_a_session(world, dry_run):
    first = import_file(
        attendance_importer,
        data=attendance_csv("2026-05-12,10:00,12:00,P001,O001,,,,cancelled"),
        filename="a.csv",
    )
    assert first.ok and Session.objects.get().status == "cancelled"
    before = counts()
    report = import_file(
        attendance_importer,
        data=attendance_csv(
            "2026-05-11,10:00,12:00,P001,O001,,U001,trainee,present",
            "2026-05-12,10:00,12:00,P001,O001,,U001,trainee,present",
            "2026-05-12,10:00,12:00,P001,O001,,V100,supporter,present",
        ),
        filename="a.csv",
        dry_run=dry_run,
    )
    assert [e.row for e in report.errors] == [3, 4]
    message = report.errors[0].message
    assert "O001" in message and "2026-05-12 10:00" in message and "中止" in message
    assert not report.written and counts() == before  # row 2 was fine, yet nothing is written
    assert Session.objects.get().status == "cancelled"


def test_a_too_long_supporter_code_is_a_row_error_not_a_crash(world):
    before = counts()
    report = import_file(
        attendance_importer,
        data=attendance_csv(f"2026-05-11,10:00,12:00,P001,O001,,{'V' * 25},supporter,present"),
        filename="a.csv",
    )
    assert [e.row for e in report.errors] == [2] and "20文字" in report.errors[0].message
    assert counts() == before


# Broken files: each one is an error with a row or for the file, never a traceback.

BOM = b"\xef\xbb\xbf"


def _bad_files() -> dict[str, tuple[bytes, str]]:
    partners_ok = f"{PARTNERS_HEADER}\n{PARTNER_ROW}\n"
    return {
        "bom-then-cp932": (BOM + csv_bytes(partners_ok, "cp932"), "UTF-8 の印（BOM）"),
        "cell-over-csv-limit": (
            csv_bytes(f"{PARTNERS_HEADER}\nP001,{'あ' * 131_073},,commerce,山武市,,,,\n"),
            "長すぎるセル",
        ),
        "cell-over-excel-limit": (
            csv_bytes(f"{PARTNERS_HEADER}\nP001,{'あ' * 40_000},,commerce,山武市,,,,\n"),
            "2行目: name が長すぎます",
        ),
        "nul-byte": (
            csv_bytes(f"{PARTNERS_HEADER}\nP0\x0001,さんぶ農園,,commerce,山武市,,,,\n"),
            "2行目: code に NUL 文字",
        ),
    }


@pytest.mark.parametrize("kind", list(_bad_files()))
def test_broken_partner_files_are_errors_and_write_nothing(kind):
    data, expected = _bad_files()[kind]
    before = counts()
    report = import_file(partner_importer, data=data, filename="p.csv")
    assert not report.ok and not report.written
    assert any(expected in str(e) for e in report.errors), report.errors
    assert counts() == before


COMMANDS = {
    "import_partners": PARTNERS_HEADER,
    "import_participants": "code,display_name,name_kana,municipality,lat,lon,readiness,self_description,skills,interests",
    "import_opportunities": "code,partner_code,title,description,kind,employment_type,min_readiness,capacity,skills",
    "import_attendance": HEADER,
    "import_fee_rules": "code,name,payee,basis,rate_yen,monthly_cap_yen,budget_yen,fiscal_year,kinds",
}


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize("kind", ["bom-then-cp932", "cell-over-csv-limit", "nul-byte"])
def test_every_import_command_reports_broken_files_without_a_traceback(
    tmp_path, capsys, command, kind
):
    header = COMMANDS[command]
    width = header.count(",")
    first = "2026-05-11" if command == "import_attendance" else "X1"
    row = {
        "bom-then-cp932": f"{first},㈱髙橋{',' * width}",
        "cell-over-csv-limit": f"{first},{'x' * 131_073}{',' * width}",
        "nul-byte": f"{first},a\x00b{',' * width}",
    }[kind]
    data = csv_bytes(f"{header}\n{row}\n", "cp932")
    if kind == "bom-then-cp932":
        data = BOM + data
    path = tmp_path / "bad.csv"
    path.write_bytes(data)
    before = counts()
    with pytest.raises(CommandError, match="何も取り込みませんでした"):
        call_command(command, str(path))
    err = capsys.readouterr().err
    assert {"bom-then-cp932": "BOM", "cell-over-csv-limit": "長すぎる", "nul-byte": "NUL"}[
        kind
    ] in err
    assert "Traceback" not in err
    assert counts() == before


def test_xlsx_long_cell_is_a_row_error_and_a_bom_inside_a_cell_is_dropped():
    make_partner(code="P001", name="さんぶ農園")
    wb = Workbook()
    ws = wb.active
    ws.append(PARTNERS_HEADER.split(","))
    ws.append(["P002", "あ" * 40_000, "", "commerce", "山武市"])  # openpyxl keeps 32,767
    buf = io.BytesIO()
    wb.save(buf)
    before = counts()
    report = import_file(partner_importer, data=buf.getvalue(), filename="p.xlsx")
    assert [e.row for e in report.errors] == [2] and "200" in report.errors[0].message
    assert counts() == before

    wb = Workbook()
    ws = wb.active
    ws.append(PARTNERS_HEADER.split(","))
    ws.append(["\ufeffP001", "さんぶ農園", "", "commerce", "山武市", "", "", "", ""])
    ws.append(["P003", "\ufeffカフェ\ufeff", "", "commerce", "山武市", "", "", "", ""])
    buf = io.BytesIO()
    wb.save(buf)
    report = import_file(partner_importer, data=buf.getvalue(), filename="p.xlsx")
    assert report.ok, report.errors
    assert report.created == 1 and Partner.objects.count() == 2  # P001 matched its row
    assert Partner.objects.get(code="P003").name == "カフェ"
    assert not Partner.objects.filter(code__contains="\ufeff").exists()


def test_a_bom_inside_a_csv_cell_is_dropped():
    make_partner(code="P001", name="さんぶ農園", category="commerce", municipality="山武市")
    text = f"{PARTNERS_HEADER}\n\ufeffP001,さんぶ農園,,commerce,山武市,,,,place\n"
    report = import_file(partner_importer, data=BOM + csv_bytes(text), filename="p.csv")
    assert report.ok, report.errors
    assert Partner.objects.count() == 1 and Partner.objects.get().offers_place


# The list of errors is capped, with a line saying how many more there were.


def _many_bad_partner_rows(n: int) -> bytes:
    rows = [f"X{i:04d},名前{i},,nowhere,山武市,,,," for i in range(n)]
    return csv_bytes("\n".join([PARTNERS_HEADER, *rows]) + "\n")


def test_report_keeps_the_first_errors_and_says_how_many_more():
    report = import_file(partner_importer, data=_many_bad_partner_rows(120), filename="p.csv")
    assert report.error_count == 120
    assert len(report.errors) == MAX_SHOWN_ERRORS + 1
    assert [e.row for e in report.errors[:MAX_SHOWN_ERRORS]] == list(range(2, 52))
    assert report.errors[-1].row == 0 and "ほかに70件" in report.errors[-1].message


def test_command_prints_at_most_the_first_errors_and_exits_with_1(tmp_path, capsys):
    path = tmp_path / "p.csv"
    path.write_bytes(_many_bad_partner_rows(3000))
    # manage.py prints a CommandError's message to stderr and exits with its
    # returncode (BaseCommand.run_from_argv); call_command raises it instead.
    with pytest.raises(CommandError) as raised:
        call_command("import_partners", str(path))
    assert raised.value.returncode == 1
    lines = capsys.readouterr().err.strip().splitlines() + [str(raised.value)]
    assert len(lines) == MAX_SHOWN_ERRORS + 2  # 50 rows, "2950 more", the summary
    assert lines[0].startswith("2行目") and lines[MAX_SHOWN_ERRORS - 1].startswith("51行目")
    assert "ほかに2950件" in lines[MAX_SHOWN_ERRORS]
    assert "3000件のエラー" in lines[-1] and "何も取り込みませんでした" in lines[-1]
    assert Partner.objects.count() == 0


def test_import_page_caps_errors_and_survives_broken_files(
    client, secretariat, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(secretariat)
    url = reverse("secretariat:import_upload")

    def job_page(data: bytes):
        upload = SimpleUploadedFile("p.csv", data)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, {"kind": "partners", "file": upload})
        assert response.status_code == 302
        return client.get(response["Location"])

    page = job_page(_many_bad_partner_rows(120)).content.decode()
    assert "120件のエラーがあります" in page and "ほかに70件" in page
    assert page.count("行目: ") == MAX_SHOWN_ERRORS
    assert "121行目" not in page
    for kind, (data, expected) in _bad_files().items():
        response = job_page(data)
        assert response.status_code == 200, kind
        assert expected.split(": ")[-1] in response.content.decode(), kind
    assert Partner.objects.count() == 0


def test_fiscal_dates_still_import_for_ordinary_years(world):
    report = import_file(
        attendance_importer,
        data=attendance_csv(
            "2000-01-01,10:00,12:00,P001,O001,,U001,trainee,present",
            f"{timezone.localdate().year}-01-02,10:00,12:00,P001,O001,,,,cancelled",
        ),
        filename="a.csv",
    )
    assert report.ok, report.errors
