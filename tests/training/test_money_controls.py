"""Controls around money (issue 9): four eyes on payment, stale drafts shown as
stale, and an audit log that a person can read and that names who acted."""

import getpass
from datetime import date

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from core.errors import Conflict, NotAllowed
from people.models import User
from tests.api.world import move_to_today
from tests.builders import make_user
from tests.training.builders import (
    attend,
    make_opportunity,
    make_participant,
    make_partner,
    make_rule,
    make_session,
)
from training.attendance import attendance_record
from training.models import AuditEntry, PayoutRun
from training.services import (
    payout_adjustment_add,
    payout_run_approve,
    payout_run_compute,
    payout_run_mark_paid,
)

pytestmark = pytest.mark.django_db
MAY, JUNE = date(2026, 5, 1), date(2026, 6, 1)


@pytest.fixture
def approved_run(secretariat):
    attend(make_session(opportunity=make_opportunity(partner=make_partner(code="A"))))
    run = payout_run_compute(rule=make_rule(), month=MAY, by=secretariat)
    return payout_run_approve(run=run, by=secretariat)


@override_settings(PAYOUT_FOUR_EYES=True)
def test_with_four_eyes_the_approver_cannot_also_mark_the_run_paid(approved_run, secretariat):
    with pytest.raises(NotAllowed, match="別の"):
        payout_run_mark_paid(run=approved_run, by=secretariat)
    with pytest.raises(NotAllowed, match="--user"):
        payout_run_mark_paid(run=approved_run, by=None)
    assert PayoutRun.objects.get(pk=approved_run.pk).status == "approved"

    colleague = make_user(role=User.Role.SECRETARIAT, username="kaikei")
    paid = payout_run_mark_paid(run=approved_run, by=colleague)
    assert (paid.status, paid.paid_by, paid.approved_by) == ("paid", colleague, secretariat)


def test_without_four_eyes_one_person_may_do_both(approved_run, secretariat):
    assert payout_run_mark_paid(run=approved_run, by=secretariat).status == "paid"


def test_a_later_draft_is_marked_stale_when_an_earlier_month_is_recomputed(client, secretariat):
    rule = make_rule()
    opp = make_opportunity(partner=make_partner(code="A"))
    attend(make_session(opportunity=opp, day=date(2026, 5, 11)))
    attend(make_session(opportunity=opp, day=date(2026, 6, 11)))
    payout_run_compute(rule=rule, month=MAY)
    june = payout_run_compute(rule=rule, month=JUNE)
    client.force_login(secretariat)
    detail = reverse("secretariat:payout_run_detail", args=[june.pk])
    assert b"data-stale" not in client.get(detail).content

    payout_run_compute(rule=rule, month=MAY)  # May again: June's figures are now old
    assert b"data-stale" in client.get(detail).content
    assert "要再計算" in client.get(reverse("secretariat:payout_run_list")).content.decode()

    payout_run_compute(rule=rule, month=JUNE)
    assert b"data-stale" not in client.get(detail).content


def test_the_audit_log_reads_as_words_not_data(client, approved_run, secretariat):
    client.force_login(secretariat)
    page = client.get(reverse("secretariat:audit_log")).content.decode()
    assert "状態</strong>: 下書き → 承認済み" in page
    assert "支払額合計</strong>: — → ¥2,500" in page
    assert "{&#x27;status" not in page and "{'status" not in page  # no raw dicts


def test_the_first_attendance_record_is_audited(secretariat):
    session = make_session(opportunity=make_opportunity(partner=make_partner(code="A")))
    move_to_today(session)
    participant = make_participant()
    attendance = attendance_record(
        session=session, participant=participant, status="present", by=secretariat
    )
    entry = AuditEntry.objects.get(action="attendance_recorded", target_id=str(attendance.pk))
    assert (entry.actor, entry.before, entry.after["status"]) == (secretariat, None, "present")


def test_a_command_without_user_records_the_operating_system_account(secretariat):
    attend(make_session(opportunity=make_opportunity(partner=make_partner(code="A"))))
    rule = make_rule(code="FY2026-DAY")
    payout_run_compute(rule=rule, month=MAY, by=secretariat)
    call_command("payouts", "approve", "--rule", "FY2026-DAY", "--month", "2026-05")
    entry = AuditEntry.objects.get(action="payout_run_approved")
    assert entry.actor is None
    assert entry.actor_label == f"manage.py ({getpass.getuser()})"


def test_the_admin_cannot_change_a_sessions_status(client):
    admin_user = make_user(role=User.Role.SECRETARIAT, username="root")
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    session = make_session(opportunity=make_opportunity(partner=make_partner(code="A")))
    client.force_login(admin_user)
    page = client.get(reverse("admin:opportunities_session_change", args=[session.pk]))
    assert page.status_code == 200
    assert b'name="status"' not in page.content  # shown, not editable


def test_a_manual_adjustment_needs_a_reason_and_lands_on_the_statement(client, secretariat):
    attend(make_session(opportunity=make_opportunity(partner=make_partner(code="A"))))
    make_partner(code="B", name="寺子屋")
    run = payout_run_compute(rule=make_rule(budget_yen=10_000), month=MAY, by=secretariat)
    client.force_login(secretariat)
    url = reverse("secretariat:payout_adjustment_add", args=[run.pk])

    client.post(url, {"payee_code": "B", "amount_yen": "3000", "reason": "  "})
    client.post(url, {"payee_code": "ZZZ", "amount_yen": "3000", "reason": "交通費"})
    assert run.manual_adjustments.count() == 0  # no reason, unknown payee: nothing added

    client.post(url, {"payee_code": "B", "amount_yen": "3000", "reason": "4月分の交通費の立替"})
    run.refresh_from_db()
    manual = run.lines.get(kind="manual")
    assert (manual.payee_code, manual.amount_yen, manual.reason) == (
        "B",
        3_000,
        "4月分の交通費の立替",
    )
    assert run.total_yen == 2_500 + 3_000
    csv_text = client.get(
        reverse("secretariat:payout_run_export", args=[run.pk, "csv"])
    ).content.decode("utf-8-sig")
    assert "B,寺子屋,0,3000,3000,手動調整：4月分の交通費の立替" in csv_text
    # The adjustment survives recomputation, and is audited with its reason.
    run = payout_run_compute(rule=run.rule, month=MAY, by=secretariat)
    assert run.total_yen == 5_500
    added = AuditEntry.objects.get(action="payout_adjustment_added")
    assert added.after == {"payee": "B", "amount_yen": 3_000, "reason": "4月分の交通費の立替"}

    adjustment = run.manual_adjustments.get()
    client.post(reverse("secretariat:payout_adjustment_remove", args=[run.pk, adjustment.pk]))
    run.refresh_from_db()
    assert (run.total_yen, run.lines.filter(kind="manual").count()) == (2_500, 0)


def test_an_approved_run_takes_no_manual_adjustment(approved_run, secretariat):
    with pytest.raises(Conflict):
        payout_adjustment_add(
            run=approved_run, payee_code="A", amount_yen=1_000, reason="追加", by=secretariat
        )
    assert approved_run.manual_adjustments.count() == 0


def test_the_admin_cannot_move_a_held_sessions_times(client):
    admin_user = make_user(role=User.Role.SECRETARIAT, username="root")
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    opportunity = make_opportunity(partner=make_partner(code="A"))
    held = attend(make_session(opportunity=opportunity)).session
    ahead = make_session(opportunity=opportunity, day=date(2099, 5, 11), status="scheduled")
    client.force_login(admin_user)
    url = "admin:opportunities_session_change"
    assert b'name="starts_at_0"' not in client.get(reverse(url, args=[held.pk])).content
    assert b'name="starts_at_0"' in client.get(reverse(url, args=[ahead.pk])).content


def test_the_audit_log_shows_a_refund_as_a_negative_amount(client, approved_run, secretariat):
    payout_run_compute(rule=approved_run.rule, month=JUNE, by=secretariat)
    run = PayoutRun.objects.get(month=JUNE)
    payout_adjustment_add(run=run, payee_code="A", amount_yen=-1_000, reason="返金", by=secretariat)
    client.force_login(secretariat)
    page = client.get(reverse("secretariat:audit_log")).content.decode()
    assert "金額</strong>: — → -¥1,000" in page
