"""Property-based tests of the pure payout engine (training/engine.py)."""

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.clock import JST
from training import engine
from training.engine import Budget, Correction, Terms, Usage

BASE = datetime(2026, 4, 1, 9, 0, tzinfo=JST)
APRIL = date(2026, 4, 1)

terms_st = st.builds(
    Terms,
    basis=st.sampled_from(engine.BASES),
    rate_yen=st.integers(0, 20_000),
    monthly_cap_yen=st.one_of(st.none(), st.integers(0, 100_000)),
)


@st.composite
def usages_st(draw, max_payees=8):
    codes = draw(
        st.lists(
            st.sampled_from([f"P{i:02d}" for i in range(20)]), unique=True, max_size=max_payees
        )
    )
    return [
        Usage(
            payee=c,
            units=draw(st.integers(0, 60)),
            first_at=BASE + timedelta(hours=draw(st.integers(0, 700))),
        )
        for c in codes
    ]


budget_st = st.one_of(st.none(), st.integers(0, 400_000))


def test_gross_rounds_quarter_hours_down_to_the_yen():
    t = Terms(basis="hour", rate_yen=1_001)
    assert engine.gross_yen(t, 1) == 250  # 1001 / 4 = 250.25
    assert engine.gross_yen(t, 3) == 750  # 3003 / 4 = 750.75
    assert engine.gross_yen(Terms(basis="day", rate_yen=2_500), 3) == 7_500


@given(terms_st, usages_st(), budget_st)
@settings(max_examples=200, deadline=None)
def test_total_never_exceeds_budget_and_no_line_exceeds_its_cap(terms, usages, budget):
    lines = engine.month_lines(terms, APRIL, usages, Budget(budget))
    total = sum(line.amount_yen for line in lines)
    if budget is not None:
        assert total <= budget
    for line in lines:
        assert 0 <= line.amount_yen <= line.capped_yen <= line.gross_yen
        if terms.monthly_cap_yen is not None:
            assert line.capped_yen <= terms.monthly_cap_yen
        assert line.cut_by_budget == (line.amount_yen < line.capped_yen)


@given(terms_st, usages_st(), budget_st)
@settings(max_examples=200, deadline=None)
def test_budget_is_spent_in_queue_order(terms, usages, budget):
    lines = engine.month_lines(terms, APRIL, usages, Budget(budget))
    expected_order = [
        u.payee for u in sorted((u for u in usages if u.units), key=lambda u: (u.first_at, u.payee))
    ]
    assert [line.payee for line in lines] == expected_order
    # Once a line is cut, every later line that wanted money gets nothing.
    cut_seen = False
    for line in lines:
        if cut_seen:
            assert line.amount_yen == 0
        cut_seen = cut_seen or line.cut_by_budget
    if budget is not None and any(line.cut_by_budget for line in lines):
        assert sum(line.amount_yen for line in lines) == budget


@given(
    terms_st,
    usages_st(),
    budget_st,
    st.lists(
        st.tuples(
            st.integers(1, 3), st.sampled_from(["P01", "P02", "P03"]), st.integers(-50_000, 50_000)
        ),
        max_size=5,
        unique_by=lambda t: (t[0], t[1]),
    ),
)
@settings(max_examples=150, deadline=None)
def test_recomputing_a_draft_is_idempotent(terms, usages, budget, raw_corrections):
    corrections = [
        Correction(month=date(2026, 4 + m, 1), payee=p, delta_yen=d)
        for m, p, d in raw_corrections
        if d
    ]
    first = engine.draft_lines(terms, date(2026, 8, 1), usages, budget, corrections)
    again = engine.draft_lines(
        terms, date(2026, 8, 1), list(reversed(usages)), budget, list(reversed(corrections))
    )
    assert first == again


@given(
    terms_st,
    usages_st(),
    budget_st,
    st.lists(
        st.tuples(st.integers(1, 3), st.sampled_from(["P01", "P02"]), st.integers(-50_000, 50_000)),
        max_size=5,
        unique_by=lambda t: (t[0], t[1]),
    ),
)
@settings(max_examples=150, deadline=None)
def test_draft_with_adjustments_stays_within_budget(terms, usages, budget, raw_corrections):
    corrections = [
        Correction(month=date(2026, 4 + m, 1), payee=p, delta_yen=d)
        for m, p, d in raw_corrections
        if d
    ]
    lines = engine.draft_lines(terms, date(2026, 8, 1), usages, budget, corrections)
    if budget is not None:
        # Negative adjustments give money back, so the total is what counts.
        assert sum(line.amount_yen for line in lines) <= budget
    adjustments = [line for line in lines if line.kind == engine.ADJUSTMENT]
    assert lines[: len(adjustments)] == adjustments  # adjustments are paid first


@st.composite
def corrected_usages(draw, usages):
    """The same month with attendance corrected: units changed, payees added or dropped."""
    out = []
    for u in usages:
        action = draw(st.sampled_from(["keep", "change", "drop"]))
        if action == "keep":
            out.append(u)
        elif action == "change":
            out.append(Usage(payee=u.payee, units=draw(st.integers(0, 60)), first_at=u.first_at))
    if draw(st.booleans()):
        out.append(
            Usage(
                payee="NEW",
                units=draw(st.integers(1, 30)),
                first_at=BASE + timedelta(hours=draw(st.integers(0, 700))),
            )
        )
    return out


@given(st.data(), terms_st, st.lists(usages_st(5), min_size=1, max_size=4), budget_st)
@settings(max_examples=150, deadline=None)
def test_approve_then_correct_adjustments_sum_to_corrected_total(
    data, terms, months_usages, budget
):
    """Approve months in order, correct some of them, and draft the next month:
    for every corrected month, approved amount + adjustment = recomputed amount,
    as long as the budget still had room for the adjustments."""
    months = [date(2026, 4 + i, 1) for i in range(len(months_usages))]
    remaining = budget
    approved: dict[date, dict[str, int]] = {}
    budget_before: dict[date, int | None] = {}
    for month, usages in zip(months, months_usages, strict=True):
        budget_before[month] = remaining
        lines = engine.draft_lines(terms, month, usages, remaining)
        approved[month] = {line.payee: line.amount_yen for line in lines}
        if remaining is not None:
            remaining -= sum(approved[month].values())
    corrected = {
        m: data.draw(corrected_usages(u)) for m, u in zip(months, months_usages, strict=True)
    }

    corrections = []
    for month in months:
        recomputed = engine.recomputed_month(terms, month, corrected[month], budget_before[month])
        for payee, delta in engine.adjustment_deltas(recomputed, approved[month]).items():
            corrections.append(Correction(month=month, payee=payee, delta_yen=delta))
    next_month = date(2026, 4 + len(months), 1)
    lines = engine.draft_lines(
        terms, next_month, [], None if budget is None else 10**9, corrections
    )

    for month in months:
        recomputed = engine.recomputed_month(terms, month, corrected[month], budget_before[month])
        adjusted = sum(line.amount_yen for line in lines if line.month == month)
        assert sum(approved[month].values()) + adjusted == sum(recomputed.values())
    if all(corrected[m] == months_usages[i] for i, m in enumerate(months)):
        assert lines == []  # nothing corrected, nothing to adjust


def test_negative_adjustment_gives_budget_back():
    t = Terms(basis="day", rate_yen=2_500)
    lines = engine.draft_lines(
        t, date(2026, 5, 1), [Usage("A", 2, BASE)], 0, [Correction(date(2026, 4, 1), "A", -2_500)]
    )
    assert [(line.kind, line.amount_yen, line.cut_by_budget) for line in lines] == [
        ("adjustment", -2_500, False),
        ("regular", 2_500, True),  # wanted 5,000, only the 2,500 given back was left
    ]


def test_unknown_basis_is_refused():
    with pytest.raises(ValueError):
        Terms(basis="week", rate_yen=1)


def test_adjustments_are_settled_per_payee_before_the_budget():
    """Seen in the field: +2,500 and +15,000 owed for an approved month became
    +0 on an exhausted budget, while another payee's -17,500 refund went to this
    month's payees. Refunds go back first; the amounts owed then fit."""
    t = Terms(basis="day", rate_yen=2_500)
    april = date(2026, 4, 1)
    corrections = [
        Correction(april, "A", 2_500),
        Correction(april, "B", 15_000),
        Correction(april, "C", -17_500),
    ]
    lines = engine.draft_lines(t, date(2026, 5, 1), [Usage("D", 2, BASE)], 0, corrections)
    assert [(line.payee, line.kind, line.amount_yen, line.cut_by_budget) for line in lines] == [
        ("A", "adjustment", 2_500, False),
        ("B", "adjustment", 15_000, False),
        ("C", "adjustment", -17_500, False),
        ("D", "regular", 0, True),  # nothing was left for this month
    ]


def test_a_payees_refund_offsets_what_the_same_payee_is_owed():
    t = Terms(basis="day", rate_yen=2_500)
    corrections = [
        Correction(date(2026, 4, 1), "A", 10_000),
        Correction(date(2026, 5, 1), "A", -2_500),
    ]
    lines = engine.draft_lines(t, date(2026, 6, 1), [], 5_000, corrections)
    # Net +7,500 against 5,000 left: A gets 5,000 in all, the refund counted in full.
    assert [(line.amount_yen, line.cut_by_budget) for line in lines] == [
        (7_500, True),
        (-2_500, False),
    ]
    assert sum(line.amount_yen for line in lines) == 5_000
