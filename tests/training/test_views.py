"""Secretariat pages: access, payout review and actions, downloads, imports
with preview, targets and the dashboard."""

from datetime import date, time

import pytest
from django.urls import reverse

from devtools.demo_training import demo_seed_fee_rules_and_targets
from opportunities.models import Partner
from tests.training.builders import (
    attend,
    make_opportunity,
    make_partner,
    make_rule,
    make_session,
    make_user,
)
from training.models import AuditEntry, FeeRule, PayoutRun, ProgrammeTarget
from training.selectors import programme_actuals
from training.services import payout_run_compute

pytestmark = pytest.mark.django_db

PAGES = [
    ("secretariat:dashboard", []),
    ("secretariat:targets_edit", []),
    ("secretariat:fee_rule_list", []),
    ("secretariat:payout_run_list", []),
    ("secretariat:training_days", []),
    ("secretariat:import_upload", []),
    ("secretariat:audit_log", []),
]


@pytest.fixture
def run():
    opp = make_opportunity(partner=make_partner(code="A001", name="さんぶ農園"), title="野菜の収穫")
    attend(make_session(opportunity=opp, day=date(2026, 5, 11)))
    attend(make_session(opportunity=opp, day=date(2026, 5, 12)))
    return payout_run_compute(rule=make_rule(code="DAY", budget_yen=5_000), month=date(2026, 5, 1))


@pytest.mark.parametrize("role", ["participant", "coach", "partner_staff"])
def test_pages_are_forbidden_to_everyone_but_the_secretariat(client, role, run):
    kw = {"partner": make_partner()} if role == "partner_staff" else {}
    client.force_login(make_user(role=role, **kw))
    urls = [reverse(name, args=args) for name, args in PAGES] + [
        reverse("secretariat:payout_run_detail", args=[run.pk]),
        reverse("secretariat:payout_run_export", args=[run.pk, "csv"]),
    ]
    for url in urls:
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("secretariat:payout_run_approve", args=[run.pk])).status_code == 403
    run.refresh_from_db()
    assert run.status == "draft"


def test_anonymous_users_are_sent_to_login(client):
    response = client.get(reverse("secretariat:dashboard"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_every_page_renders_for_the_secretariat(client, secretariat, run):
    client.force_login(secretariat)
    for name, args in PAGES:
        assert client.get(reverse(name, args=args)).status_code == 200, name


def test_run_review_approve_pay_and_download(client, secretariat, run):
    client.force_login(secretariat)
    page = client.get(reverse("secretariat:payout_run_detail", args=[run.pk])).content.decode()
    assert "さんぶ農園" in page and "¥5,000" in page and "予算を使い切りました" in page
    line = run.lines.get()
    fragment = client.get(
        reverse("secretariat:payout_line_sessions", args=[run.pk, line.pk]),
        headers={"HX-Request": "true"},
    )
    text = fragment.content.decode()
    assert "野菜の収穫" in text and "2026-05-12" in text and "<html" not in text
    # Without htmx the same link opens the run page with the line's sessions.
    plain = client.get(
        reverse("secretariat:payout_line_sessions", args=[run.pk, line.pk]), follow=True
    )
    assert "2026-05-11" in plain.content.decode()

    client.post(reverse("secretariat:payout_run_approve", args=[run.pk]))
    run.refresh_from_db()
    assert run.status == "approved" and run.approved_by == secretariat
    response = client.post(reverse("secretariat:payout_run_recompute", args=[run.pk]), follow=True)
    assert "承認済みのため再計算できません" in response.content.decode()
    client.post(reverse("secretariat:payout_run_mark_paid", args=[run.pk]))
    run.refresh_from_db()
    assert run.status == "paid"
    csv_response = client.get(reverse("secretariat:payout_run_export", args=[run.pk, "csv"]))
    assert csv_response.content.decode("utf-8-sig").startswith("支払先コード,")
    pdf = client.get(reverse("secretariat:payout_run_export", args=[run.pk, "pdf"]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_compute_from_the_list_page(client, secretariat):
    rule = make_rule(code="DAY")
    attend(make_session(day=date(2026, 6, 3)))
    client.force_login(secretariat)
    response = client.post(
        reverse("secretariat:payout_run_compute"), {"rule": rule.pk, "month": "2026-06"}
    )
    run = PayoutRun.objects.get(rule=rule, month=date(2026, 6, 1))
    assert response.status_code == 302 and run.total_yen == 2_500
    bad = client.post(
        reverse("secretariat:payout_run_compute"),
        {"rule": rule.pk, "month": "2025-06"},
        follow=True,
    )
    assert "年度" in bad.content.decode()


PARTNERS = "code,name,name_kana,category,municipality,address,lat,lon,offers\r\nP001,さんぶ農園,,commerce,山武市,,,,place\r\n"


def test_upload_previews_then_imports_and_rejects_bad_files(
    client, secretariat, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(secretariat)
    url = reverse("secretariat:import_upload")
    bad = SimpleUploadedFile("p.csv", (PARTNERS + "P002,,,bad,山武市,,,,\r\n").encode("cp932"))
    with django_capture_on_commit_callbacks(execute=True):
        job_url = client.post(url, {"kind": "partners", "file": bad})["Location"]
    page = client.get(job_url).content.decode()
    assert "3行目" in page and "何も取り込んでいません" in page and "この内容で取り込む" not in page
    good = SimpleUploadedFile("p.csv", PARTNERS.encode("cp932"))
    with django_capture_on_commit_callbacks(execute=True):
        job_url = client.post(url, {"kind": "partners", "file": good})["Location"]
    page = client.get(job_url).content.decode()
    assert "新規 1件" in page and "P001 さんぶ農園" in page
    assert Partner.objects.count() == 0  # preview only
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(job_url + "confirm/")
    response = client.get(response["Location"])
    assert "取り込みました" in response.content.decode()
    assert Partner.objects.get(code="P001").name == "さんぶ農園"


def test_targets_are_editable_and_the_dashboard_shows_them_as_a_table(client, secretariat):
    demo_seed_fee_rules_and_targets(fiscal_year=2026)
    demo_seed_fee_rules_and_targets(fiscal_year=2026)  # idempotent
    assert ProgrammeTarget.objects.filter(fiscal_year=2026).count() == 8
    client.force_login(secretariat)
    client.post(
        reverse("secretariat:targets_edit") + "?fy=2026", {"ue_days": "120", "places_sites": "40"}
    )
    assert ProgrammeTarget.objects.get(fiscal_year=2026, metric="ue_days").target == 120
    opp = make_opportunity(kind="supported_work")
    attend(make_session(opportunity=opp, day=date(2026, 5, 11)))
    attend(make_session(opportunity=opp, day=date(2026, 5, 11), start=time(14), end=time(15)))
    page = client.get(reverse("secretariat:dashboard") + "?fy=2026").content.decode()
    assert 'data-metric="ue_days"' in page and "120" in page
    assert "vendor/chart.js/dist/chart.umd.js" in page and 'id="chart-data"' in page
    actuals = programme_actuals(fiscal_year=2026)
    assert actuals["ue_days"] == 1 and actuals["ue_person_days"] == 2


def test_fee_rule_form_creates_edits_and_protects_approved_terms(client, secretariat, run):
    client.force_login(secretariat)
    data = {
        "code": "SUP",
        "name": "サポーター謝金",
        "payee": "supporter",
        "basis": "day",
        "rate_yen": "1000",
        "fiscal_year": "2026",
    }
    page = client.post(reverse("secretariat:fee_rule_new"), data).content.decode()
    assert "1時間あたり" in page and not FeeRule.objects.filter(code="SUP").exists()
    client.post(
        reverse("secretariat:fee_rule_new"), {**data, "basis": "hour", "budget_yen": "500000"}
    )
    sup = FeeRule.objects.get(code="SUP")
    assert (sup.valid_from, sup.valid_to, sup.budget_yen) == (
        date(2026, 4, 1),
        date(2027, 3, 31),
        500_000,
    )
    # The run's rule, approved: its rate may no longer change, its budget may.
    from training.services import payout_run_approve

    payout_run_approve(run=run, by=secretariat)
    rule = run.rule
    edit = {
        "code": rule.code,
        "name": rule.name,
        "payee": "partner",
        "basis": "day",
        "rate_yen": "3000",
        "fiscal_year": "2026",
        "budget_yen": "9000",
    }
    page = client.post(
        reverse("secretariat:fee_rule_edit", args=[rule.code]), edit
    ).content.decode()
    assert "承認済みの支払がある" in page
    client.post(
        reverse("secretariat:fee_rule_edit", args=[rule.code]), {**edit, "rate_yen": "2500"}
    )
    rule.refresh_from_db()
    assert (rule.rate_yen, rule.budget_yen) == (2_500, 9_000)
    assert (
        AuditEntry.objects.filter(action="fee_rule_changed", target_id=str(rule.pk))
        .get()
        .before["budget_yen"]
        == 5_000
    )


def test_demo_seed_is_idempotent_and_fills_the_dashboard(time_machine):
    time_machine.move_to("2026-08-20 10:00 +09:00")
    cafe = make_partner(code="C1", offers_cafeteria=True, offers_food_bank=True)
    opp = make_opportunity(partner=cafe, kind="supported_work")
    attend(make_session(opportunity=opp, day=date(2026, 6, 3)))
    note = demo_seed_fee_rules_and_targets()
    assert "謝金ルール3件" in note
    assert FeeRule.objects.filter(fiscal_year=2026).count() == 3
    runs = PayoutRun.objects.filter(
        month__in=[date(2026, 5, 1), date(2026, 6, 1), date(2026, 7, 1)]
    )
    assert runs.count() == 9
    assert PayoutRun.objects.get(rule__code="FY2026-DAY", month=date(2026, 6, 1)).total_yen == 2_500
    again = demo_seed_fee_rules_and_targets()
    assert "新規0件" in again and PayoutRun.objects.count() == 9
    actuals = programme_actuals(fiscal_year=2026)
    # The demo ledger covers a year: 2nd and 4th Saturdays of April–July, and 8 August.
    assert actuals["cafeteria_sessions"] == 9
    # Donations on some Tuesdays and distributions on some Fridays, April–August.
    assert actuals["food_bank_days"] > 10 and actuals["ue_days"] == 1


def test_monthly_programme_figures_follow_the_fiscal_year():
    from training.selectors import programme_monthly

    opp = make_opportunity(kind="farm_welfare")
    attend(
        make_session(opportunity=opp, day=date(2026, 4, 1), start=time(0, 10), end=time(1, 0))
    )  # April in Tokyo
    attend(make_session(opportunity=opp, day=date(2027, 3, 31)))
    attend(
        make_session(opportunity=make_opportunity(kind="volunteering"), day=date(2026, 5, 2))
    )  # not training
    months = programme_monthly(fiscal_year=2026)
    assert [m["month"] for m in months][0] == date(2026, 4, 1) and len(months) == 12
    assert [m["ue_days"] for m in months] == [1] + [0] * 10 + [1]
