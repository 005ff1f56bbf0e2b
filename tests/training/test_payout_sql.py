"""The month's lines computed in SQL (issue 11) give the engine's lines, and a
later draft reads again only the approved months whose attendance changed."""

from datetime import date, time

import pytest
from django.db import connection
from django.utils import timezone

from opportunities.models import Session
from people.models import Supporter
from tests.training.builders import (
    attend,
    make_opportunity,
    make_participant,
    make_partner,
    make_rule,
    make_session,
)
from training import engine
from training.services import payout_run_approve, payout_run_compute

pytestmark = pytest.mark.django_db

APRIL, MAY, JUNE = date(2026, 4, 1), date(2026, 5, 1), date(2026, 6, 1)


class AttendanceReads:
    """The months each query reading attendance starts from (its "start")."""

    def __init__(self):
        self.months = []

    def __call__(self, execute, sql, params, many, context):
        if "training_attendance" in sql:
            start = params.get("start") if isinstance(params, dict) else None
            self.months.append(timezone.localtime(start).date() if start else None)
        return execute(sql, params, many, context)


def _compute_reading(rule, month):
    reads = AttendanceReads()
    with connection.execute_wrapper(reads):
        run = payout_run_compute(rule=rule, month=month)
    return run, sorted(reads.months)


def test_unchanged_approved_months_are_not_aggregated_again():
    opp = make_opportunity(partner=make_partner(code="A"))
    for month in (APRIL, MAY):
        attend(make_session(opportunity=opp, day=month.replace(day=10)))
    april_session = make_session(opportunity=opp, day=date(2026, 4, 20))
    row = attend(april_session, status="absent")
    rule = make_rule(rate_yen=1_000)
    payout_run_approve(run=payout_run_compute(rule=rule, month=APRIL))
    payout_run_approve(run=payout_run_compute(rule=rule, month=MAY))
    june, months = _compute_reading(rule, JUNE)
    # Only June's own attendance is read: April and May did not change.
    assert months == [JUNE]
    assert not june.lines.exists()

    # A plain UPDATE (no service, no recorded_at change) is still seen.
    type(row).objects.filter(pk=row.pk).update(status="present")
    june, months = _compute_reading(rule, JUNE)
    assert months == [APRIL, JUNE]  # not May
    assert list(june.lines.values_list("kind", "adjusts_month", "payee_code", "amount_yen")) == [
        ("adjustment", APRIL, "A", 1_000)
    ]


def test_a_session_cancelled_after_approval_becomes_a_refund():
    opp = make_opportunity(partner=make_partner(code="A"))
    s1 = make_session(opportunity=opp, day=date(2026, 5, 11))
    attend(s1)
    attend(make_session(opportunity=opp, day=date(2026, 5, 12)))
    rule = make_rule(rate_yen=2_500)
    payout_run_approve(run=payout_run_compute(rule=rule, month=MAY))
    Session.objects.filter(pk=s1.pk).update(status="cancelled")
    june = payout_run_compute(rule=rule, month=JUNE)
    assert list(june.lines.values_list("kind", "payee_code", "amount_yen")) == [
        ("adjustment", "A", -2_500)
    ]


def test_sql_lines_follow_the_engine_queue_caps_and_budget_for_hours():
    # Same first session for all: the queue falls back to code-point order of
    # the codes ("B" < "a" < "b" < "あ"), as Python sorts strings.
    s = make_session(
        opportunity=make_opportunity(partner=make_partner()),
        day=date(2026, 5, 11),
        start=time(9),
        end=time(12),
    )
    minutes = {"b": 100, "あ": 180, "B": 59, "a": 14, "c": 0}
    for code, m in minutes.items():
        attend(s, Supporter.objects.create(code=code, name=f"サポーター{code}"), minutes=m)
    attend(s, make_participant())
    rule = make_rule(
        payee="supporter", basis="hour", rate_yen=1_001, monthly_cap_yen=2_000, budget_yen=4_100
    )
    run = payout_run_compute(rule=rule, month=MAY)
    # "c" recorded 0 minutes: the session's length (180) counts.
    usages = [
        engine.Usage(payee=code, units=(m or 180) // 15, first_at=s.starts_at)
        for code, m in minutes.items()
    ]
    expected = engine.month_lines(rule.terms, MAY, usages, engine.Budget(4_100))
    got = list(
        run.lines.values_list(
            "payee_code",
            "units",
            "gross_yen",
            "capped_yen",
            "amount_yen",
            "cut_by_cap",
            "cut_by_budget",
        )
    )
    assert got == [
        (x.payee, x.units, x.gross_yen, x.capped_yen, x.amount_yen, x.cut_by_cap, x.cut_by_budget)
        for x in expected
    ]
    assert [g[0] for g in got] == ["B", "b", "c", "あ"]  # "a" (14 min) has no whole quarter
    assert run.total_yen == 4_100
    assert list(run.lines.values_list("session_ids", flat=True)) == [[s.pk]] * 4
