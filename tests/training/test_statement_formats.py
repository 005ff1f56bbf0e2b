"""Statement downloads (issue 10): the command's CSV is a contract other
systems read, pinned byte for byte; the pages' CSV has Japanese headers and a
total line (also `payouts export --headers ja`); XLSX cells hold numbers."""

import io
from datetime import date, time

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from tests.training.builders import (
    attend,
    make_opportunity,
    make_partner,
    make_rule,
    make_session,
)
from training.exports import export_csv, export_xlsx
from training.services import payout_run_compute

pytestmark = pytest.mark.django_db

# Today's format, byte for byte: BOM, English header, CRLF, no total line.
PINNED_CSV = (
    "\ufeffpayee_code,payee_name,units,gross_yen,amount_yen,note\r\n"
    "A001,さんぶ農園,3,7500,5000,月額上限により減額\r\n"
    'B002,"カフェ,ほっと",1,2500,2500,\r\n'
    "C003,'=HYPERLINK(1),1,2500,2500,\r\n"
).encode()


@pytest.fixture
def run():
    farm = make_partner(code="A001", name="さんぶ農園")
    opp = make_opportunity(partner=farm, title="野菜の収穫と袋詰め")
    for d in (11, 12, 13):
        attend(make_session(opportunity=opp, day=date(2026, 5, d)))
    cafe = make_partner(code="B002", name="カフェ,ほっと")
    attend(make_session(opportunity=make_opportunity(partner=cafe), day=date(2026, 5, 20)))
    odd = make_partner(code="C003", name="=HYPERLINK(1)")
    attend(make_session(opportunity=make_opportunity(partner=odd), day=date(2026, 5, 21)))
    rule = make_rule(code="FY2026-DAY", rate_yen=2_500, monthly_cap_yen=5_000)
    return payout_run_compute(rule=rule, month=date(2026, 5, 1))


def test_the_command_csv_keeps_todays_format_byte_for_byte(run, tmp_path):
    out = tmp_path / "s.csv"
    call_command(
        "payouts", "export", "--rule", "FY2026-DAY", "--month", "2026-05", "--output", str(out)
    )
    assert out.read_bytes() == PINNED_CSV
    assert export_csv(run) == PINNED_CSV


def test_the_command_with_japanese_headers_matches_the_page_download(
    run, tmp_path, secretariat, client
):
    out = tmp_path / "ja.csv"
    call_command(
        "payouts",
        "export",
        "--rule",
        "FY2026-DAY",
        "--month",
        "2026-05",
        "--headers",
        "ja",
        "--output",
        str(out),
    )
    text = out.read_bytes().decode("utf-8-sig")
    lines = text.split("\r\n")
    assert lines[0] == "支払先コード,支払先,数量,単価×数量（円）,支払額（円）,備考"
    assert lines[1] == "A001,さんぶ農園,3,7500,5000,月額上限により減額"
    assert lines[4] == ",合計,,,10000,"
    client.force_login(secretariat)
    page = client.get(reverse("secretariat:payout_run_export", args=[run.pk, "csv"]))
    assert page.content == out.read_bytes()


def test_xlsx_cells_hold_numbers_with_a_yen_format_and_text_stays_formula_safe(run):
    ws = load_workbook(io.BytesIO(export_xlsx(run))).active
    rows = list(ws.iter_rows(min_row=2))
    first = rows[0]
    assert [c.value for c in first] == ["A001", "さんぶ農園", 3, 7500, 5000, "月額上限により減額"]
    assert isinstance(first[2].value, int) and isinstance(first[4].value, int)
    assert "¥" in first[3].number_format and "¥" in first[4].number_format
    assert rows[2][1].value == "'=HYPERLINK(1)" and rows[2][1].data_type == "s"
    total = [r for r in rows if r[1].value == "合計"][0]
    assert total[4].value == 10_000 and "¥" in total[4].number_format


def test_xlsx_hours_are_numbers(tmp_path):
    from people.models import Supporter
    from tests.training.builders import make_participant

    supporter = Supporter.objects.create(code="S9", name="山田")
    s = make_session(
        opportunity=make_opportunity(partner=make_partner()),
        day=date(2026, 5, 11),
        start=time(9),
        end=time(11),
    )
    attend(s, make_participant())
    from training.models import Attendance

    Attendance.objects.create(
        session=s, supporter=supporter, role="supporter", status="present", minutes=95
    )
    rule = make_rule(code="HOUR", payee="supporter", basis="hour", rate_yen=1_000)
    run = payout_run_compute(rule=rule, month=date(2026, 5, 1))
    ws = load_workbook(io.BytesIO(export_xlsx(run))).active
    row = [c.value for c in next(ws.iter_rows(min_row=2, max_row=2))]
    assert row[:5] == ["S9", "山田", 1.5, 1500, 1500]
