"""The payout arithmetic, with no database and no Django: plain values in,
plain values out, so that it can be tested exhaustively (tests/training/
test_engine_properties.py drives it with hypothesis).

The database side (training/selectors.py) turns attendance into ``Usage``
values, one per payee and month; this module turns usages into money:

* a payee's amount for a month is units × rate (``hour``: rate × quarter
  hours ÷ 4, rounded down), cut to the monthly cap;
* the fiscal-year budget is spent in order – adjustments for earlier months
  first (they belong to earlier months), then the month's payees by their
  first qualifying session, then payee code;
* adjustments are worked out per payee before any of them touches the budget:
  a payee's refunds offset what the same payee is owed, and every net refund
  goes back to the budget before any net amount owed is taken from it, so a
  refund is never spent on this month's payees while money owed for an earlier
  month goes unpaid;
* a payee asking for more than is left gets the remainder and every later
  payee gets ¥0; both lines are marked as cut by the budget;
* a negative adjustment gives money back to the budget and is never cut;
* manual adjustments (the secretariat's, each with a reason) come after the
  corrections and before the month's payees, in the order they were entered.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

SESSION = "session"
DAY = "day"
MONTH = "month"
HOUR = "hour"
BASES = (SESSION, DAY, MONTH, HOUR)

REGULAR = "regular"
ADJUSTMENT = "adjustment"
MANUAL = "manual"


@dataclass(frozen=True)
class Terms:
    """What a fee rule says about money."""

    basis: str
    rate_yen: int
    monthly_cap_yen: int | None = None

    def __post_init__(self):
        if self.basis not in BASES:
            raise ValueError(f"unknown basis {self.basis!r}")
        if self.rate_yen < 0 or (self.monthly_cap_yen is not None and self.monthly_cap_yen < 0):
            raise ValueError("rates and caps are not negative")


@dataclass(frozen=True)
class Usage:
    """What one payee did in one month under one rule.

    ``units`` counts sessions, distinct days, months (0 or 1) or – for the
    ``hour`` basis – whole quarter hours. ``first_at`` is the start of the
    payee's first qualifying session in the month; it orders the budget queue.
    """

    payee: str
    units: int
    first_at: datetime

    def sort_key(self):
        return (self.first_at, self.payee)


@dataclass(frozen=True)
class Line:
    payee: str
    kind: str  # REGULAR or ADJUSTMENT
    month: date  # the month whose work is paid (for an adjustment: the month corrected)
    units: int
    gross_yen: int  # units × rate (an adjustment: the wanted difference)
    capped_yen: int  # after the monthly cap
    amount_yen: int  # after the budget: what is paid
    cut_by_cap: bool = False
    cut_by_budget: bool = False


def gross_yen(terms: Terms, units: int) -> int:
    """units × rate; under ``hour`` the units are quarter hours, so rate × q ÷ 4,
    rounded down to the yen (切り捨て)."""
    if units < 0:
        raise ValueError("units are not negative")
    if terms.basis == HOUR:
        return terms.rate_yen * units // 4
    return terms.rate_yen * units


def capped_yen(terms: Terms, units: int) -> tuple[int, int, bool]:
    """(gross, after cap, whether the cap cut it)."""
    gross = gross_yen(terms, units)
    if terms.monthly_cap_yen is not None and gross > terms.monthly_cap_yen:
        return gross, terms.monthly_cap_yen, True
    return gross, gross, False


class Budget:
    """What is left of a fiscal-year budget; ``None`` means no budget (no limit)."""

    def __init__(self, remaining_yen: int | None):
        self.remaining_yen = remaining_yen

    def spend(self, wanted_yen: int) -> tuple[int, bool]:
        """Take up to ``wanted_yen``; returns (granted, cut). Negative amounts
        are given back in full."""
        if self.remaining_yen is None:
            return wanted_yen, False
        if wanted_yen <= 0:
            self.remaining_yen -= wanted_yen
            return wanted_yen, False
        granted = max(0, min(wanted_yen, self.remaining_yen))
        self.remaining_yen -= granted
        return granted, granted < wanted_yen


def month_amounts(terms: Terms, usages: Iterable[Usage]) -> dict[str, int]:
    """Each payee's capped amount for a month, before the budget."""
    return {u.payee: capped_yen(terms, u.units)[1] for u in usages if u.units > 0}


def month_lines(terms: Terms, month: date, usages: Iterable[Usage], budget: Budget) -> list[Line]:
    """The regular lines of one month, spending ``budget`` in queue order."""
    lines = []
    for usage in sorted((u for u in usages if u.units > 0), key=Usage.sort_key):
        gross, capped, cut_by_cap = capped_yen(terms, usage.units)
        amount, cut_by_budget = budget.spend(capped)
        lines.append(
            Line(
                payee=usage.payee,
                kind=REGULAR,
                month=month,
                units=usage.units,
                gross_yen=gross,
                capped_yen=capped,
                amount_yen=amount,
                cut_by_cap=cut_by_cap,
                cut_by_budget=cut_by_budget,
            )
        )
    return lines


def recomputed_month(
    terms: Terms, month: date, usages: Iterable[Usage], budget_before_yen: int | None
) -> dict[str, int]:
    """What each payee of an already approved month should have received, had
    the current attendance been known then: the month computed again with the
    budget that was left before it."""
    return {
        line.payee: line.amount_yen
        for line in month_lines(terms, month, usages, Budget(budget_before_yen))
    }


def adjustment_deltas(
    recomputed: Mapping[str, int], paid_so_far: Mapping[str, int]
) -> dict[str, int]:
    """Recomputed minus what was approved (plus earlier adjustments) for that
    month, per payee; zero differences are dropped."""
    deltas = {}
    for payee in sorted(set(recomputed) | set(paid_so_far)):
        delta = recomputed.get(payee, 0) - paid_so_far.get(payee, 0)
        if delta:
            deltas[payee] = delta
    return deltas


@dataclass(frozen=True)
class Correction:
    """An adjustment that a draft must carry for an earlier, approved month."""

    month: date
    payee: str
    delta_yen: int


@dataclass(frozen=True)
class ManualEntry:
    """An amount the secretariat adds to (or takes from) a payee in a draft."""

    payee: str
    delta_yen: int


def draft_lines(
    terms: Terms,
    month: date,
    usages: Iterable[Usage],
    budget_remaining_yen: int | None,
    corrections: Iterable[Correction] = (),
    manual: Iterable[ManualEntry] = (),
) -> list[Line]:
    """All lines of a draft run: adjustments for earlier months first, in month
    then payee order, then manual adjustments, then the month's own payees.
    Pure, so recomputing a draft from the same inputs gives the same lines."""
    budget = Budget(budget_remaining_yen)
    lines = head_lines(month, budget, corrections, manual)
    lines.extend(month_lines(terms, month, usages, budget))
    return lines


def head_lines(
    month: date,
    budget: Budget,
    corrections: Iterable[Correction] = (),
    manual: Iterable[ManualEntry] = (),
) -> list[Line]:
    """The lines a draft carries before the month's own payees (adjustments,
    then manual entries), spending ``budget``; what is left of it is then the
    month's (training/services.py computes those lines in SQL, with exactly
    ``month_lines``' rules)."""
    lines = adjustment_lines(corrections, budget)
    for entry in manual:
        amount, cut = budget.spend(entry.delta_yen)
        lines.append(
            Line(
                payee=entry.payee,
                kind=MANUAL,
                month=month,
                units=0,
                gross_yen=entry.delta_yen,
                capped_yen=entry.delta_yen,
                amount_yen=amount,
                cut_by_budget=cut,
            )
        )
    return lines


def adjustment_lines(corrections: Iterable[Correction], budget: Budget) -> list[Line]:
    """One line per corrected month and payee, in month then payee order. The
    budget sees each payee's net: payees owed back money first (their refunds
    return to the budget), then payees owed more, by their earliest corrected
    month. A payee's own refund lines are always paid in full; what the budget
    grants a payee is shared over their positive lines in month order."""
    ordered = sorted(corrections, key=lambda c: (c.month, c.payee))
    by_payee: dict[str, list[int]] = {}
    for i, c in enumerate(ordered):
        by_payee.setdefault(c.payee, []).append(i)
    nets = {payee: sum(ordered[i].delta_yen for i in ids) for payee, ids in by_payee.items()}
    queue = sorted(by_payee, key=lambda p: (nets[p] > 0, ordered[by_payee[p][0]].month, p))
    granted: dict[int, tuple[int, bool]] = {}
    for payee in queue:
        given, _cut = budget.spend(nets[payee])
        # The payee's refunds are theirs in full; the rest of what was granted
        # (plus those refunds) pays their positive corrections in month order.
        refunds = sum(ordered[i].delta_yen for i in by_payee[payee] if ordered[i].delta_yen < 0)
        available = given - refunds
        for i in by_payee[payee]:
            delta = ordered[i].delta_yen
            if delta < 0:
                granted[i] = (delta, False)
                continue
            amount = min(delta, max(0, available))
            available -= amount
            granted[i] = (amount, amount < delta)
    lines = []
    for i, c in enumerate(ordered):
        amount, cut = granted[i]
        lines.append(
            Line(
                payee=c.payee,
                kind=ADJUSTMENT,
                month=c.month,
                units=0,
                gross_yen=c.delta_yen,
                capped_yen=c.delta_yen,
                amount_yen=amount,
                cut_by_budget=cut,
            )
        )
    return lines
