"""Payout runs against the real database: what qualifies, caps, budgets,
adjustments, immutability and the audit log."""

from datetime import date, time

import pytest

from core.errors import Conflict
from opportunities.models import Session
from tests.training.builders import (
    attend,
    make_opportunity,
    make_participant,
    make_partner,
    make_rule,
    make_session,
    make_supporter,
)
from training.models import AuditEntry, PayoutLine, PayoutRun
from training.services import (
    attendance_correct,
    payout_run_approve,
    payout_run_compute,
    payout_run_mark_paid,
)

MAY = date(2026, 5, 1)
pytestmark = pytest.mark.django_db


def amounts(run):
    return [
        (line.payee_code, line.kind, line.units, line.amount_yen)
        for line in run.lines.order_by("position")
    ]


def test_session_basis_counts_each_qualifying_session():
    opp = make_opportunity(partner=make_partner(code="A"))
    for d in (11, 12, 12):
        s = make_session(
            opportunity=opp, day=date(2026, 5, d), start=time(9 + len(Session.objects.all()))
        )
        attend(s)
    run = payout_run_compute(rule=make_rule(basis="session", rate_yen=1_000), month=MAY)
    assert amounts(run) == [("A", "regular", 3, 3_000)]
    assert run.total_yen == 3_000


def test_day_basis_counts_two_sessions_on_the_same_day_once():
    partner = make_partner(code="A")
    morning = make_session(
        opportunity=make_opportunity(partner=partner),
        day=date(2026, 5, 11),
        start=time(9),
        end=time(11),
    )
    afternoon = make_session(
        opportunity=make_opportunity(partner=partner),
        day=date(2026, 5, 11),
        start=time(13),
        end=time(15),
    )
    other_day = make_session(opportunity=make_opportunity(partner=partner), day=date(2026, 5, 12))
    for s in (morning, afternoon, other_day):
        attend(s)
    run = payout_run_compute(rule=make_rule(basis="day", rate_yen=2_500), month=MAY)
    line = run.lines.get()
    assert (line.units, line.amount_yen) == (2, 5_000)
    assert sorted(line.session_ids) == sorted([morning.pk, afternoon.pk, other_day.pk])


def test_month_basis_pays_one_unit_per_month():
    opp = make_opportunity(partner=make_partner(code="A"))
    for d in (1, 15, 29):
        attend(make_session(opportunity=opp, day=date(2026, 5, d)))
    run = payout_run_compute(rule=make_rule(basis="month", rate_yen=10_000), month=MAY)
    assert amounts(run) == [("A", "regular", 1, 10_000)]


def test_hour_basis_rounds_each_attendance_down_to_quarter_hours():
    supporter = make_supporter(code="S1")
    s1 = make_session(day=date(2026, 5, 11))
    s2 = make_session(day=date(2026, 5, 12))
    attend(s1, supporter, minutes=50)  # 3 quarters
    attend(s2, supporter, minutes=29)  # 1 quarter
    helper = make_participant(code="U1")  # a participant helping as supporter
    from training.models import Attendance

    Attendance.objects.create(
        session=s1, participant=helper, role="supporter", status="present", minutes=0
    )  # 2 h session → 8
    rule = make_rule(payee="supporter", basis="hour", rate_yen=1_001)
    run = payout_run_compute(rule=rule, month=MAY)
    got = {line.payee_code: (line.units, line.amount_yen) for line in run.lines.all()}
    assert got == {"S1": (4, 1_001), "U1": (8, 2_002)}  # 1001 × 4 / 4; 1001 × 8 / 4


def test_cancelled_and_absent_only_sessions_do_not_qualify():
    opp = make_opportunity(partner=make_partner(code="A"))
    cancelled = make_session(opportunity=opp, day=date(2026, 5, 11), status="cancelled")
    attend(cancelled)
    absent_only = make_session(opportunity=opp, day=date(2026, 5, 12))
    attend(absent_only, status="absent")
    attend(absent_only, status="excused")
    supporter_only = make_session(opportunity=opp, day=date(2026, 5, 13))
    attend(supporter_only, make_supporter())
    run = payout_run_compute(rule=make_rule(basis="session", rate_yen=1_000), month=MAY)
    assert amounts(run) == []
    attend(make_session(opportunity=opp, day=date(2026, 5, 14)))
    run = payout_run_compute(rule=run.rule, month=MAY)
    assert amounts(run) == [("A", "regular", 1, 1_000)]


def test_kinds_limit_the_rule():
    attend(
        make_session(
            opportunity=make_opportunity(partner=make_partner(code="V"), kind="volunteering")
        )
    )
    attend(
        make_session(
            opportunity=make_opportunity(partner=make_partner(code="F"), kind="farm_welfare")
        )
    )
    run = payout_run_compute(
        rule=make_rule(basis="session", rate_yen=100, kinds=["farm_welfare"]), month=MAY
    )
    assert [line.payee_code for line in run.lines.all()] == ["F"]


def test_month_boundaries_are_local_tokyo_time():
    opp = make_opportunity(partner=make_partner(code="A"))
    # 00:30 JST on 1 June is still 31 May in UTC: it belongs to June.
    attend(make_session(opportunity=opp, day=date(2026, 6, 1), start=time(0, 30), end=time(1, 30)))
    # 23:30 JST on 31 May is 14:30 UTC: May.
    attend(
        make_session(opportunity=opp, day=date(2026, 5, 31), start=time(23, 0), end=time(23, 59))
    )
    rule = make_rule(basis="session", rate_yen=1_000)
    assert payout_run_compute(rule=rule, month=MAY).total_yen == 1_000
    assert payout_run_compute(rule=rule, month=date(2026, 6, 1)).total_yen == 1_000


def test_fiscal_year_boundary_refuses_months_outside_the_rule_year():
    rule = make_rule(fiscal_year=2026)
    from core.errors import DomainError

    with pytest.raises(DomainError):
        payout_run_compute(rule=rule, month=date(2026, 3, 1))  # FY2025
    payout_run_compute(rule=rule, month=date(2027, 3, 1))  # last month of FY2026
    with pytest.raises(DomainError):
        payout_run_compute(rule=rule, month=date(2027, 4, 1))


def test_monthly_cap_cuts_the_amount():
    opp = make_opportunity(partner=make_partner(code="A"))
    for d in range(1, 8):
        attend(make_session(opportunity=opp, day=date(2026, 5, d)))
    run = payout_run_compute(
        rule=make_rule(basis="day", rate_yen=2_500, monthly_cap_yen=10_000), month=MAY
    )
    line = run.lines.get()
    assert (line.units, line.gross_yen, line.amount_yen, line.cut_by_cap) == (
        7,
        17_500,
        10_000,
        True,
    )


def test_budget_runs_out_in_the_middle_of_a_month():
    """Budget 12,500 = 5 days. April spends 2; in May A (first session) wants 2
    days, B wants 2 but only 1 is left, C gets nothing."""
    rule = make_rule(basis="day", rate_yen=2_500, budget_yen=12_500)
    a, b, c = make_partner(code="A"), make_partner(code="B"), make_partner(code="C")
    oa, ob, oc = (make_opportunity(partner=p) for p in (a, b, c))
    attend(make_session(opportunity=oa, day=date(2026, 4, 10)))
    attend(make_session(opportunity=oa, day=date(2026, 4, 11)))
    # C's first session is later than B's, although C sorts first by code... no: by time.
    attend(make_session(opportunity=ob, day=date(2026, 5, 2)))
    attend(make_session(opportunity=ob, day=date(2026, 5, 20)))
    attend(make_session(opportunity=oa, day=date(2026, 5, 1)))
    attend(make_session(opportunity=oa, day=date(2026, 5, 3)))
    attend(make_session(opportunity=oc, day=date(2026, 5, 5)))
    april = payout_run_compute(rule=rule, month=date(2026, 4, 1))
    assert april.total_yen == 5_000
    may = payout_run_compute(rule=rule, month=MAY)
    lines = list(may.lines.order_by("position"))
    assert [(x.payee_code, x.amount_yen, x.cut_by_budget) for x in lines] == [
        ("A", 5_000, False),
        ("B", 2_500, True),
        ("C", 0, True),
    ]
    assert april.total_yen + may.total_yen == 12_500


def test_recomputing_a_draft_gives_identical_lines():
    opp = make_opportunity(partner=make_partner(code="A"))
    attend(make_session(opportunity=opp))
    rule = make_rule()
    first = amounts(payout_run_compute(rule=rule, month=MAY))
    again = payout_run_compute(rule=rule, month=MAY)
    assert amounts(again) == first
    assert PayoutRun.objects.count() == 1


def test_approved_and_paid_runs_never_change(secretariat):
    opp = make_opportunity(partner=make_partner(code="A"))
    attend(make_session(opportunity=opp))
    rule = make_rule()
    run = payout_run_approve(run=payout_run_compute(rule=rule, month=MAY), by=secretariat)
    before = amounts(run)
    attend(make_session(opportunity=opp, day=date(2026, 5, 20)))
    with pytest.raises(Conflict):
        payout_run_compute(rule=rule, month=MAY)
    with pytest.raises(Conflict):
        payout_run_approve(run=run, by=secretariat)
    run = payout_run_mark_paid(run=run, by=secretariat)
    with pytest.raises(Conflict):
        payout_run_mark_paid(run=run, by=secretariat)
    with pytest.raises(Conflict):
        payout_run_compute(rule=rule, month=MAY)
    assert amounts(run) == before
    assert run.status == "paid" and run.approved_by == secretariat and run.paid_at is not None


def test_correction_after_approval_becomes_an_adjustment_in_the_next_draft(secretariat):
    rule = make_rule(basis="day", rate_yen=2_500)
    opp_a = make_opportunity(partner=make_partner(code="A"))
    opp_b = make_opportunity(partner=make_partner(code="B"))
    a1 = attend(make_session(opportunity=opp_a, day=date(2026, 5, 11)))
    attend(make_session(opportunity=opp_a, day=date(2026, 5, 12)))
    attend(make_session(opportunity=opp_b, day=date(2026, 5, 13)))
    may = payout_run_approve(run=payout_run_compute(rule=rule, month=MAY), by=secretariat)
    assert may.total_yen == 7_500

    # A's 11 May trainee was in fact absent; B had an unrecorded extra day.
    attendance_correct(attendance=a1, status="absent", minutes=0, by=secretariat)
    attend(make_session(opportunity=opp_b, day=date(2026, 5, 14)))
    june = payout_run_compute(rule=rule, month=date(2026, 6, 1), by=secretariat)
    adjustments = [
        (x.payee_code, x.adjusts_month, x.amount_yen)
        for x in june.lines.filter(kind="adjustment").order_by("position")
    ]
    assert adjustments == [("A", MAY, -2_500), ("B", MAY, 2_500)]
    # Approved amount + adjustments = what May would pay now.
    assert may.total_yen + sum(a[2] for a in adjustments) == 7_500
    # Recomputing June again does not double the adjustments.
    june = payout_run_compute(rule=rule, month=date(2026, 6, 1))
    assert june.lines.filter(kind="adjustment").count() == 2
    # Once June (with its adjustments) is approved, July has nothing to adjust.
    payout_run_approve(run=june, by=secretariat)
    july = payout_run_compute(rule=rule, month=date(2026, 7, 1))
    assert july.lines.count() == 0
    assert (
        AuditEntry.objects.filter(
            action="attendance_corrected", actor=secretariat, target_id=str(a1.pk)
        )
        .get()
        .before["status"]
        == "present"
    )


def test_adjustments_count_against_the_budget(secretariat):
    rule = make_rule(basis="day", rate_yen=2_500, budget_yen=7_500)
    opp = make_opportunity(partner=make_partner(code="A"))
    opp_b = make_opportunity(partner=make_partner(code="B"))
    attend(make_session(opportunity=opp, day=date(2026, 5, 11)))
    payout_run_approve(run=payout_run_compute(rule=rule, month=MAY), by=secretariat)  # 2,500
    attend(make_session(opportunity=opp, day=date(2026, 5, 12)))  # +2,500 for May
    attend(make_session(opportunity=opp_b, day=date(2026, 6, 1)))
    attend(make_session(opportunity=opp_b, day=date(2026, 6, 2)))  # B wants 5,000
    june = payout_run_compute(rule=rule, month=date(2026, 6, 1))
    got = [
        (x.payee_code, x.kind, x.amount_yen, x.cut_by_budget)
        for x in june.lines.order_by("position")
    ]
    assert got == [("A", "adjustment", 2_500, False), ("B", "regular", 2_500, True)]


def test_every_state_change_is_audited(secretariat):
    attend(make_session(opportunity=make_opportunity(partner=make_partner(code="A"))))
    rule = make_rule()
    run = payout_run_compute(rule=rule, month=MAY, by=secretariat)
    run = payout_run_compute(rule=rule, month=MAY, by=secretariat)
    run = payout_run_approve(run=run, by=secretariat)
    payout_run_mark_paid(run=run, by=secretariat)
    entries = list(
        AuditEntry.objects.filter(target_type="training.payoutrun", target_id=str(run.pk)).order_by(
            "pk"
        )
    )
    assert [e.action for e in entries] == [
        "payout_run_created",
        "payout_run_recomputed",
        "payout_run_approved",
        "payout_run_paid",
    ]
    assert entries[0].before is None and entries[0].after["total_yen"] == 2_500
    assert entries[2].before == {"status": "draft"} and entries[2].after["status"] == "approved"
    assert all(e.actor == secretariat and e.at for e in entries)


def test_lines_are_deleted_with_nothing_else_when_recomputed():
    attend(make_session(opportunity=make_opportunity(partner=make_partner(code="A"))))
    rule = make_rule()
    payout_run_compute(rule=rule, month=MAY)
    payout_run_compute(rule=rule, month=MAY)
    assert PayoutLine.objects.count() == 1


def test_bench_payouts_smoke_run_prints_one_json_line_and_keeps_nothing(capsys):
    import json

    from django.core.management import call_command

    from opportunities.models import Session as S

    call_command(
        "bench_payouts",
        "--sessions",
        "300",
        "--partners",
        "10",
        "--participants",
        "30",
        "--supporters",
        "5",
    )
    result = json.loads(capsys.readouterr().out.strip())
    assert result["sessions"] == 300 and result["attendance_rows"] == 1000
    assert result["day_rule_total_yen"] > 0 and result["hour_rule_total_yen"] > 0
    assert {"ratio_day", "ratio_hour", "day_rule_slowest_month_s"} <= set(result)
    assert S.objects.count() == 0  # rolled back


def test_attendance_record_by_staff_audits_corrections(secretariat):
    from training.attendance import attendance_record

    session = make_session()
    person = make_participant()
    attendance_record(session=session, participant=person, status="absent", by=secretariat)
    assert not AuditEntry.objects.filter(action="attendance_corrected").exists()  # first record
    attendance_record(session=session, participant=person, status="absent", by=secretariat)
    assert not AuditEntry.objects.filter(action="attendance_corrected").exists()  # unchanged
    attendance_record(session=session, participant=person, status="present", by=secretariat)
    entry = AuditEntry.objects.get(action="attendance_corrected")
    assert entry.before["status"] == "absent" and entry.after == {
        "status": "present",
        "minutes": 120,
        "role": "trainee",
    }
    assert entry.actor == secretariat


def test_months_are_approved_in_order_and_never_past_the_budget(secretariat):
    rule = make_rule(basis="day", rate_yen=2_500, budget_yen=5_000)
    opp = make_opportunity(partner=make_partner(code="A"))
    attend(make_session(opportunity=opp, day=date(2026, 4, 10)))
    attend(make_session(opportunity=opp, day=date(2026, 5, 11)))
    april = payout_run_compute(rule=rule, month=date(2026, 4, 1))
    may = payout_run_compute(rule=rule, month=MAY)
    with pytest.raises(Conflict, match="前の月から順に"):
        payout_run_approve(run=may, by=secretariat)
    # April changes after May was computed: May's draft is stale.
    attend(make_session(opportunity=opp, day=date(2026, 4, 11)))
    april = payout_run_approve(
        run=payout_run_compute(rule=rule, month=date(2026, 4, 1)), by=secretariat
    )
    assert april.total_yen == 5_000
    with pytest.raises(Conflict, match="再計算してから"):
        payout_run_approve(run=may, by=secretariat)
    may = payout_run_approve(run=payout_run_compute(rule=rule, month=MAY), by=secretariat)
    assert may.total_yen == 0 and may.lines.get().cut_by_budget


def test_a_month_computed_late_leaves_the_later_approved_months_their_money(secretariat):
    rule = make_rule(basis="day", rate_yen=2_500, budget_yen=5_000)
    opp = make_opportunity(partner=make_partner(code="A"))
    attend(make_session(opportunity=opp, day=date(2026, 5, 11)))
    attend(make_session(opportunity=opp, day=date(2026, 4, 10)))
    attend(make_session(opportunity=opp, day=date(2026, 4, 11)))
    payout_run_approve(
        run=payout_run_compute(rule=rule, month=MAY), by=secretariat
    )  # 2,500; April never run
    april = payout_run_compute(rule=rule, month=date(2026, 4, 1))
    assert april.total_yen == 2_500  # not 5,000: May already has half the budget
    payout_run_approve(run=april, by=secretariat)
    assert sum(r.total_yen for r in PayoutRun.objects.filter(rule=rule)) == 5_000


def test_fiscal_year_boundary_is_midnight_in_tokyo():
    rule = make_rule(basis="session", rate_yen=1_000, fiscal_year=2026)
    opp = make_opportunity(partner=make_partner(code="A"))
    attend(
        make_session(opportunity=opp, day=date(2027, 3, 31), start=time(23, 0), end=time(23, 45))
    )
    attend(
        make_session(opportunity=opp, day=date(2027, 4, 1), start=time(0, 15), end=time(1, 0))
    )  # FY2027 (still 31 Mar in UTC)
    attend(
        make_session(opportunity=opp, day=date(2026, 4, 1), start=time(0, 15), end=time(1, 0))
    )  # FY2026 (31 Mar UTC)
    assert payout_run_compute(rule=rule, month=date(2027, 3, 1)).total_yen == 1_000
    assert payout_run_compute(rule=rule, month=date(2026, 4, 1)).total_yen == 1_000


def test_validity_dates_clip_the_month():
    from core.clock import fiscal_year_bounds

    first, last = fiscal_year_bounds(2026)
    rule = make_rule(basis="session", rate_yen=1_000, valid_from=date(2026, 5, 15), valid_to=last)
    opp = make_opportunity(partner=make_partner(code="A"))
    attend(make_session(opportunity=opp, day=date(2026, 5, 14)))
    attend(make_session(opportunity=opp, day=date(2026, 5, 15)))
    assert payout_run_compute(rule=rule, month=MAY).lines.get().units == 1
    assert first < rule.valid_from


def test_budget_status_warns_at_eighty_percent():
    from training.selectors import budget_status

    rule = make_rule(basis="day", rate_yen=2_500, budget_yen=12_500)
    opp = make_opportunity(partner=make_partner(code="A"))
    for d in (1, 2, 3):
        attend(make_session(opportunity=opp, day=date(2026, 5, d)))
    payout_run_compute(rule=rule, month=MAY)
    status = budget_status(rule=rule)
    assert (status["committed_yen"], status["warning"], status["remaining_yen"]) == (
        7_500,
        False,
        5_000,
    )
    attend(make_session(opportunity=opp, day=date(2026, 5, 4)))
    payout_run_compute(rule=rule, month=MAY)
    status = budget_status(rule=rule)
    assert (status["share_percent"], status["warning"], status["exhausted"]) == (80.0, True, False)
    assert budget_status(rule=make_rule(budget_yen=0))["exhausted"]
    assert budget_status(rule=make_rule(budget_yen=None))["warning"] is False
