"""Statements: CSV with a BOM, XLSX, and a PDF whose Japanese text extracts."""

import csv
import io
import os
import subprocess
from datetime import date

import pytest
from django.core.management import call_command
from openpyxl import load_workbook
from pypdf import PdfReader

from tests.training.builders import attend, make_opportunity, make_partner, make_rule, make_session
from training.exports import export_csv, export_pdf, export_xlsx
from training.services import payout_run_compute

pytestmark = pytest.mark.django_db


@pytest.fixture
def run():
    farm = make_partner(code="A001", name="さんぶ農園")
    opp = make_opportunity(partner=farm, title="野菜の収穫と袋詰め")
    for d in (11, 12, 13):
        attend(make_session(opportunity=opp, day=date(2026, 5, d)))
    cafe = make_partner(code="B002", name="カフェ・ほっと")
    attend(
        make_session(
            opportunity=make_opportunity(partner=cafe, title="喫茶の接客補助"),
            day=date(2026, 5, 20),
        )
    )
    rule = make_rule(
        code="FY2026-DAY", name="就労訓練指導料（日額）", rate_yen=2_500, monthly_cap_yen=5_000
    )
    return payout_run_compute(rule=rule, month=date(2026, 5, 1))


def test_csv_has_a_bom_and_the_agreed_columns(run):
    data = export_csv(run)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["payee_code", "payee_name", "units", "gross_yen", "amount_yen", "note"]
    assert rows[1] == ["A001", "さんぶ農園", "3", "7500", "5000", "月額上限により減額"]
    assert rows[2] == ["B002", "カフェ・ほっと", "1", "2500", "2500", ""]


def test_xlsx_holds_the_same_lines(run):
    ws = load_workbook(io.BytesIO(export_xlsx(run))).active
    values = list(ws.iter_rows(values_only=True))
    assert values[1] == ("A001", "さんぶ農園", 3, 7500, 5000, "月額上限により減額")


def _pypdf_text(page) -> str:
    # fpdf2 embeds the OpenType (CFF) Noto font as a CIDFontType0 whose
    # two-byte codes are declared in an embedded CMap stream; pypdf reads
    # those codes one byte at a time and yields a NUL before each character.
    # The ToUnicode map itself is right (poppler's pdftotext reads it cleanly,
    # see the next test), so the NULs are dropped here.
    return page.extract_text().replace("\x00", "")


def test_pdf_has_one_page_per_payee_with_extractable_japanese(run, tmp_path):
    pdf = export_pdf(run)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 2
    first = _pypdf_text(reader.pages[0])
    for text in (
        "支払明細書",
        "さんぶ農園",
        "2026年05月01日",
        "2026年05月31日",
        "¥5,000",
        "野菜の収穫と袋詰め",
        "2026-05-12",
        "就労訓練指導料（日額）",
    ):
        assert text in first, text
    second = _pypdf_text(reader.pages[1])
    assert "カフェ・ほっと" in second and "¥2,500" in second and "さんぶ農園" not in second
    if os.environ.get("KEEP_STATEMENT_PDF"):  # for looking at it: pdftoppm -png
        with open(os.environ["KEEP_STATEMENT_PDF"], "wb") as fh:
            fh.write(pdf)


def test_payouts_command_runs_approves_and_exports(run, tmp_path):
    out = tmp_path / "stmt.csv"
    call_command("payouts", "approve", "--rule", "FY2026-DAY", "--month", "2026-05")
    call_command("payouts", "mark-paid", "--rule", "FY2026-DAY", "--month", "2026-05")
    call_command(
        "payouts",
        "export",
        "--rule",
        "FY2026-DAY",
        "--month",
        "2026-05",
        "--format",
        "csv",
        "--output",
        str(out),
    )
    assert out.read_bytes().startswith(b"\xef\xbb\xbfpayee_code")
    run.refresh_from_db()
    assert run.status == "paid"


def test_pdf_japanese_extracts_with_pdftotext(run, tmp_path):
    path = tmp_path / "stmt.pdf"
    path.write_bytes(export_pdf(run))
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    assert "支払明細書" in text and "さんぶ農園 様（A001）" in text and "カフェ・ほっと" in text
    assert "お支払額: ¥5,000" in text


def test_supporter_statement_lists_minutes_and_hours(tmp_path):
    from tests.training.builders import make_supporter

    sup = make_supporter(code="S001", name="山本")
    attend(make_session(day=date(2026, 5, 11)), sup, minutes=50)
    rule = make_rule(
        code="SUP", name="サポーター謝金", payee="supporter", basis="hour", rate_yen=1_000
    )
    run = payout_run_compute(rule=rule, month=date(2026, 5, 1))
    rows = list(csv.reader(io.StringIO(export_csv(run).decode("utf-8-sig"))))
    assert rows[1] == ["S001", "山本", "0.75", "750", "750", ""]
    text = _pypdf_text(PdfReader(io.BytesIO(export_pdf(run))).pages[0])
    assert "山本" in text and "50分（3×15分）" in text and "¥750" in text


@pytest.mark.parametrize(
    "name",
    ['=HYPERLINK("http://x","請求")', "+81-3-1234", "-1+1", "@SUM(A1)", "\t=1+1"],
)
def test_a_name_that_looks_like_a_formula_stays_text(name):
    partner = make_partner(code="F001", name=name)
    attend(
        make_session(
            opportunity=make_opportunity(partner=partner, title="畑の手伝い"),
            day=date(2026, 5, 11),
        )
    )
    run = payout_run_compute(
        rule=make_rule(code="FY2026-DAY", name="指導料", rate_yen=2_500), month=date(2026, 5, 1)
    )

    rows = list(csv.reader(io.StringIO(export_csv(run).decode("utf-8-sig"))))
    assert rows[1][:2] == ["F001", "'" + name]  # still readable, never run
    assert rows[1][3:5] == ["2500", "2500"]  # amounts stay numbers

    cells = list(load_workbook(io.BytesIO(export_xlsx(run))).active.iter_rows(min_row=2))[0]
    assert cells[1].value == "'" + name and cells[1].data_type == "s"  # text, not a formula
    assert cells[3].value == 2500 and cells[3].data_type == "n"
