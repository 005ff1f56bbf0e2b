"""An hour-rule month (issue 11): its audit entry records the lines exactly as
stored (built from what the computation wrote, not read again), and a
recompute with a correction and a manual line stays within 19 queries."""

from datetime import date, time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.training.builders import (
    attend,
    make_opportunity,
    make_rule,
    make_session,
    make_supporter,
)
from training.models import Attendance, AuditEntry
from training.services import (
    _run_snapshot,
    payout_adjustment_add,
    payout_run_approve,
    payout_run_compute,
)

pytestmark = pytest.mark.django_db


def test_hour_month_audit_snapshot_and_query_count():
    opp = make_opportunity()
    sup, other = make_supporter(), make_supporter()
    april = make_session(opportunity=opp, day=date(2026, 4, 14))
    row = attend(april, sup, minutes=90)
    for day in (12, 13):
        s = make_session(opportunity=opp, day=date(2026, 5, day), start=time(9), end=time(11))
        attend(s, sup, minutes=95)
        attend(s, other)  # no minutes: the session's length
    rule = make_rule(payee="supporter", basis="hour", rate_yen=1_001)
    payout_run_approve(run=payout_run_compute(rule=rule, month=date(2026, 4, 1)))
    Attendance.objects.filter(pk=row.pk).update(minutes=120)  # April owes more now
    may = payout_run_compute(rule=rule, month=date(2026, 5, 1))
    payout_adjustment_add(run=may, payee_code=other.code, amount_yen=-300, reason="返金")

    with CaptureQueriesContext(connection) as ctx:
        may = payout_run_compute(rule=rule, month=date(2026, 5, 1))
    # A recompute with a correction and a manual line: 19 (22 before
    # issue 11's last round); a month with nothing to correct needs fewer.
    assert len(ctx.captured_queries) <= 19, [q["sql"][:80] for q in ctx.captured_queries]

    entry = AuditEntry.objects.filter(action="payout_run_recomputed", target_id=str(may.pk)).latest(
        "pk"
    )
    assert entry.after == _run_snapshot(may)
    kinds = [line[1] for line in entry.after["lines"]]
    assert kinds == ["adjustment", "manual", "regular", "regular"]
    assert entry.after["lines"][0] == [sup.code, "adjustment", "2026-04-01", 0, 501]
    assert entry.after["total_yen"] == sum(line[4] for line in entry.after["lines"])
