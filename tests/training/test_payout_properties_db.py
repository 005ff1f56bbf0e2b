"""The engine's properties again, end to end through the database: random
attendance, a budget, recompute twice, approve, correct, adjust."""

from datetime import date, time

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opportunities.models import Session
from tests.training.builders import (
    attend,
    make_opportunity,
    make_participant,
    make_partner,
    make_rule,
    make_session,
)
from training.models import PayoutLine
from training.services import payout_run_approve, payout_run_compute

MAY, JUNE = date(2026, 5, 1), date(2026, 6, 1)

# (partner index, day of May, hour, trainee present?)
sessions_st = st.lists(
    st.tuples(st.integers(0, 3), st.integers(1, 31), st.sampled_from([9, 13]), st.booleans()),
    min_size=1,
    max_size=14,
    unique_by=lambda t: t[:3],
)


@pytest.mark.django_db
@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    specs=sessions_st,
    basis=st.sampled_from(["session", "day", "month"]),
    cap=st.one_of(st.none(), st.integers(0, 8_000)),
    budget=st.one_of(st.none(), st.integers(0, 30_000)),
    flips=st.lists(st.integers(0, 13), max_size=4),
)
def test_runs_respect_budget_are_idempotent_and_adjust_to_the_corrected_total(
    specs, basis, cap, budget, flips
):
    with transaction.atomic():
        rule = make_rule(basis=basis, rate_yen=2_500, monthly_cap_yen=cap, budget_yen=budget)
        opps = [make_opportunity(partner=make_partner(code=f"Q{i}")) for i in range(4)]
        person = make_participant()
        rows = []
        for p, day, hour, present in specs:
            s = make_session(
                opportunity=opps[p], day=date(2026, 5, day), start=time(hour), end=time(hour + 2)
            )
            rows.append(attend(s, person, status="present" if present else "absent"))

        may = payout_run_compute(rule=rule, month=MAY)
        lines = list(may.lines.values_list("payee_code", "amount_yen", "units"))
        may = payout_run_compute(rule=rule, month=MAY)
        assert list(may.lines.values_list("payee_code", "amount_yen", "units")) == lines
        if budget is not None:
            assert may.total_yen <= budget
        payout_run_approve(run=may)

        # Correct some attendance after approval, then draft June.
        for i in flips:
            if i < len(rows):
                a = rows[i]
                a.status = "absent" if a.status == "present" else "present"
                a.save()
        june = payout_run_compute(rule=rule, month=JUNE)
        if budget is not None:
            assert may.total_yen + june.total_yen <= budget
        # What May would pay now, computed afresh under a twin rule.
        twin = make_rule(basis=basis, rate_yen=2_500, monthly_cap_yen=cap, budget_yen=budget)
        fresh = payout_run_compute(rule=twin, month=MAY).total_yen
        adjustments = sum(
            PayoutLine.objects.filter(run=june, kind="adjustment").values_list(
                "amount_yen", flat=True
            )
        )
        cut = PayoutLine.objects.filter(run=june, kind="adjustment", cut_by_budget=True).exists()
        if not cut:
            assert may.total_yen + adjustments == fresh
        assert Session.objects.count() == len(specs)
        transaction.set_rollback(True)
