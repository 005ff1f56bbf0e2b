"""The grant report: five sheets, figures equal to direct queries, totals equal
to the sums of their rows, the same bytes from the same data (XLSX and PDF),
the command's errors and the secretariat download."""

import io
import shutil
import subprocess
import time
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, Q, Sum
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from core.clock import fiscal_year_bounds
from opportunities.models import Partner
from reports import grant_report
from reports.grant_report import SHEET_NAMES, build
from tests.reports.world import FY, build_report_world
from tests.training.builders import make_user
from training.models import ActivityRecord, FeeRule, PayoutLine
from training.selectors import dashboard_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_report_world()


@pytest.fixture
def workbook(world):
    return load_workbook(io.BytesIO(build(fiscal_year=FY, fmt="xlsx")))


def table(ws, title: str) -> tuple[list, list[list], list | None]:
    """(header, rows, total row) of the table under ``title`` in a sheet."""
    values = [list(r) for r in ws.iter_rows(values_only=True)]
    start = next(i for i, r in enumerate(values) if r[0] == title)
    header = values[start + 1]
    width = len([h for h in header if h is not None])
    header = header[:width]
    rows, total = [], None
    for r in (row[:width] for row in values[start + 2 :]):
        if all(v is None for v in r) or all(v is None for v in r[1:]):
            break  # a blank line or a note ends the table
        if r[0] == "合計":
            total = r
            break
        rows.append(r)
    return header, rows, total


def _num(v) -> Decimal:
    return Decimal(str(v))


def test_the_report_has_the_five_sheets_in_order(workbook):
    assert workbook.sheetnames == list(SHEET_NAMES)
    assert SHEET_NAMES == ("実施状況", "協力機関", "参加者の変化", "フードバンク", "指導料・謝金")


def test_every_total_is_the_sum_of_its_rows(workbook):
    checked = 0
    for ws in workbook.worksheets:
        titles = [
            r[0] for r in ws.iter_rows(values_only=True) if r[0] and r[1:] == (None,) * (len(r) - 1)
        ]
        for title in titles:
            try:
                header, rows, total = table(ws, title)
            except (StopIteration, IndexError):
                continue
            if total is None:
                continue
            for col in range(1, len(total)):
                if isinstance(total[col], int | float):
                    assert _num(total[col]) == sum(_num(r[col] or 0) for r in rows), (
                        ws.title,
                        title,
                        col,
                    )
                    checked += 1
    assert checked >= 14
    # The by-month tables: the last column is the sum of the twelve months.
    ws = workbook["実施状況"]
    for title in ("月別の延べ人数", "月別の稼働日数"):
        header, rows, _total = table(ws, title)
        assert header[-1] == "合計" and len(header) == 14
        for r in rows:
            assert r[-1] == sum(r[1:13])


def test_food_bank_matches_the_ledger(workbook):
    _header, rows, total = table(workbook["フードバンク"], "食品の寄付受入と配布（月別）")
    assert len(rows) == 12 and rows[0][0] == "4月" and rows[-1][0] == "3月"
    april, december, march = rows[0], rows[8], rows[11]
    assert april[1:4] == [3, 150.5, 0.1505]
    assert april[4:7] == [15, 80.2, 0.0802]
    assert december[1:3] == [4, 12.3]
    assert march[4:6] == [9, 45.0]
    first, last = fiscal_year_bounds(FY)
    for activity, col in (("food_donation", 1), ("food_distribution", 4)):
        direct = ActivityRecord.objects.filter(
            held_on__gte=first, held_on__lte=last, activity=activity
        ).aggregate(n=Sum("count"), kg=Sum("weight_kg"))
        assert total[col] == direct["n"]
        assert _num(total[col + 1]) == direct["kg"]
        assert _num(total[col + 2]) == direct["kg"] / 1000  # tonnes
    assert total[1:] == [7, 162.8, 0.1628, 24, 125.2, 0.1252]


def test_fees_match_the_payout_runs(workbook):
    _header, rows, total = table(
        workbook["指導料・謝金"], "謝金ルール別の予算と支払（承認済み・支払済みの月次支払）"
    )
    by_code = {r[0]: r for r in rows}
    assert set(by_code) == set(
        FeeRule.objects.filter(fiscal_year=FY).values_list("code", flat=True)
    )
    farm = by_code["R-FARM"]
    assert farm[3:9] == [100_000, 7_500, 20_000, 27_500, 72_500, 27.5]  # the draft is left out
    assert by_code["R-NONE"][3] is None and by_code["R-NONE"][5] == 3_000
    direct = PayoutLine.objects.filter(run__rule__fiscal_year=FY).aggregate(
        approved=Sum("amount_yen", filter=Q(run__status="approved")),
        paid=Sum("amount_yen", filter=Q(run__status="paid")),
    )
    assert total[4] == direct["approved"] and total[5] == direct["paid"]
    assert total[6] == direct["approved"] + direct["paid"]
    assert total[3] == 100_000


def test_partners_match_direct_counts(workbook):
    _header, rows, total = table(workbook["協力機関"], "分類別の協力機関数と年度中の増加")
    by_label = {r[0]: r for r in rows}
    assert by_label["飲食店"][1:] == [1, 1, 2]  # FARM before the year, NEW in it
    assert by_label["教育機関"][1:] == [1, 0, 1]  # LATE joined after the year
    first, _last = fiscal_year_bounds(FY)
    start, end = grant_report._fy_instants(FY)
    assert total[3] == Partner.objects.filter(created_at__lt=end).count()
    assert total[2] == Partner.objects.filter(created_at__gte=start, created_at__lt=end).count()
    assert all(r[1] + r[2] == r[3] for r in rows)


def test_activities_match_the_dashboard_and_the_ledger(workbook):
    ws = workbook["実施状況"]
    _h, targets, _t = table(ws, "目標と実績（事業ダッシュボードと同じ数え方）")
    dashboard = dashboard_rows(fiscal_year=FY)
    assert [r[2] for r in targets] == [r["actual"] for r in dashboard]
    _h, per_activity, _t = table(ws, "活動別の実績（年度計）")
    by_label = {r[0]: r for r in per_activity}
    first, last = fiscal_year_bounds(FY)
    direct = {
        row["activity"]: row
        for row in ActivityRecord.objects.filter(held_on__gte=first, held_on__lte=last)
        .values("activity")
        .annotate(persons=Sum("persons"), count=Sum("count"), sites=Count("partner", distinct=True))
    }
    assert by_label["子ども食堂"][1:] == [1, 1, 30, 1]
    assert by_label["居場所の来所"][3] == direct["place_visit"]["persons"] == 12
    assert by_label["食品の配布"][4] == direct["food_distribution"]["count"] == 24
    # Universal employment: A, B, C, D at the farm (present only), E volunteered.
    ue = by_label["ユニバーサル就労（訓練）"]
    assert ue[1:] == [1, 6, 6, 6]
    ue_dashboard = {r["metric"]: r["actual"] for r in dashboard}
    assert ue[2] == ue_dashboard["ue_days"] and ue[3] == ue_dashboard["ue_person_days"]
    _h, monthly, _t = table(ws, "月別の延べ人数")
    assert {r[0]: r[-1] for r in monthly}["ユニバーサル就労（訓練）"] == 6


def test_the_progression_sheet_is_suppressed(workbook):
    ws = workbook["参加者の変化"]
    _h, headline, _t = table(ws, "年度の参加者（全体）")
    assert headline[0][1] == 5
    assert headline[2][1] == "—"  # moved up: would give suppressed cells away
    _h, flow, total = table(ws, "ステップの変化（行：年度初め、列：年度末）")
    assert flow[1][4] == "<5" and flow[0][1] == 0
    assert set(total[1:]) == {"—"}


def test_text_from_people_cannot_become_a_formula(world):
    FeeRule.objects.filter(code="R-NONE").update(name="=cmd|'/c calc'!A1")
    wb = load_workbook(io.BytesIO(build(fiscal_year=FY, fmt="xlsx")))
    names = [r[1] for r in wb["指導料・謝金"].iter_rows(values_only=True)]
    assert "'=cmd|'/c calc'!A1" in names


@pytest.mark.parametrize("fmt", ["xlsx", "pdf"])
def test_the_same_data_gives_the_same_bytes(world, fmt):
    first = build(fiscal_year=FY, fmt=fmt)
    time.sleep(2.1)  # zip entries keep time in 2-second steps; PDFs in seconds
    second = build(fiscal_year=FY, fmt=fmt)
    assert first == second
    if fmt == "xlsx":
        props = load_workbook(io.BytesIO(first)).properties
        assert props.modified.year == FY + 1 and props.created == props.modified
    else:
        assert first.startswith(b"%PDF")
        assert b"2026033123595" in first  # the creation date is the end of the year


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler not installed")
def test_the_pdf_has_the_five_sections_in_japanese(world, tmp_path):
    path = tmp_path / "r.pdf"
    path.write_bytes(build(fiscal_year=FY, fmt="pdf"))
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    for name in SHEET_NAMES:
        assert name in text
    assert "162.8" in text and "27,500" in text


# ---------------------------------------------------------------- the command


def test_command_writes_the_file_with_progress(world, tmp_path):
    out = io.StringIO()
    path = tmp_path / "report.xlsx"
    call_command("grant_report", "--fiscal-year", str(FY), "--output", str(path), stdout=out)
    assert load_workbook(path).sheetnames == list(SHEET_NAMES)
    assert path.read_bytes() == build(fiscal_year=FY, fmt="xlsx")
    for name in SHEET_NAMES:
        assert f"「{name}」を集計しました。" in out.getvalue()
    assert [p.name for p in tmp_path.iterdir()] == ["report.xlsx"]  # no temporary left


@pytest.mark.parametrize("name", ["report.csv", "report", "report.xlsx.txt"])
def test_command_refuses_an_unknown_extension(tmp_path, name):
    with pytest.raises(CommandError, match="拡張子は .xlsx か .pdf"):
        call_command("grant_report", "--fiscal-year", "2025", "--output", str(tmp_path / name))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("year", ["abc", "1999", "2101", "20.5", ""])
def test_command_refuses_a_bad_year(tmp_path, year):
    with pytest.raises(CommandError, match="年度は2000〜2100の整数"):
        call_command("grant_report", "--fiscal-year", year, "--output", str(tmp_path / "r.pdf"))
    assert list(tmp_path.iterdir()) == []


def test_command_keeps_an_existing_file_unless_forced(world, tmp_path):
    path = tmp_path / "r.pdf"
    path.write_bytes(b"keep me")
    with pytest.raises(CommandError, match="--force"):
        call_command("grant_report", "--fiscal-year", str(FY), "--output", str(path))
    assert path.read_bytes() == b"keep me"
    call_command(
        "grant_report",
        "--fiscal-year",
        str(FY),
        "--output",
        str(path),
        "--force",
        stdout=io.StringIO(),
    )
    assert path.read_bytes().startswith(b"%PDF")


def test_command_refuses_a_missing_folder(tmp_path):
    with pytest.raises(CommandError, match="フォルダ"):
        call_command(
            "grant_report", "--fiscal-year", "2025", "--output", str(tmp_path / "no" / "r.pdf")
        )


# ---------------------------------------------------------------- the page


def test_secretariat_downloads_both_formats(world):
    client = Client()
    client.force_login(make_user(role="secretariat"))
    page = client.get(reverse("secretariat:report"), {"fy": FY})
    assert page.status_code == 200
    assert reverse("secretariat:report_download", args=["xlsx"]) in page.content.decode()
    xlsx = client.get(reverse("secretariat:report_download", args=["xlsx"]), {"fy": FY})
    assert xlsx.status_code == 200
    assert xlsx["Content-Disposition"] == f'attachment; filename="grant-report-{FY}.xlsx"'
    assert xlsx.content == build(fiscal_year=FY, fmt="xlsx")
    pdf = client.get(reverse("secretariat:report_download", args=["pdf"]), {"fy": FY})
    assert pdf["Content-Type"] == "application/pdf" and pdf.content == build(
        fiscal_year=FY, fmt="pdf"
    )
    assert (
        client.get(reverse("secretariat:report_download", args=["csv"]), {"fy": FY}).status_code
        == 404
    )
    bad = client.get(reverse("secretariat:report_download", args=["xlsx"]), {"fy": "abc"})
    assert bad.status_code == 400 and bad["Content-Type"].startswith("text/html")


def test_the_report_is_japanese_whatever_the_language_of_the_download(world):
    client = Client()
    client.force_login(make_user(role="secretariat", language="en"))
    client.cookies["django_language"] = "en"
    response = client.get(
        reverse("secretariat:report_download", args=["xlsx"]),
        {"fy": FY},
        headers={"accept-language": "en"},
    )
    assert response.content == build(fiscal_year=FY, fmt="xlsx")
    ws = load_workbook(io.BytesIO(response.content))["協力機関"]
    header, _rows, total = table(ws, "分類別の協力機関数と年度中の増加")
    assert header[0] == "分類" and total[0] == "合計"  # not "Category" / "Total"


def test_only_the_secretariat_downloads(world):
    client = Client(raise_request_exception=False)
    client.force_login(make_user(role="coach"))
    assert client.get(reverse("secretariat:report")).status_code == 403
    assert client.get(reverse("secretariat:report_download", args=["xlsx"])).status_code == 403
