"""A small fiscal year 2025 (April 2025 – March 2026, long over by the time the
tests run) with assessments, attendance, ledger lines and payouts, and the
figures a person works out by hand from it."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from core.clock import JST, at
from people.models import ReadinessAssessment
from tests.training.builders import (
    attend,
    make_opportunity,
    make_participant,
    make_partner,
    make_rule,
    make_session,
    make_user,
)
from training.models import ActivityRecord, PayoutLine, PayoutRun

FY = 2025


def assess(participant, day: date, step: int) -> ReadinessAssessment:
    return ReadinessAssessment.objects.create(participant=participant, assessed_on=day, step=step)


def session_on(opportunity, day: date):
    return make_session(opportunity=opportunity, day=day)


def build_progression_world(*, coach=None) -> dict:
    """Five participants with known histories.

    * A: step 2 before April, 3 on 2025-06-10 (from 2025-03-01: 101 days),
      4 on 2025-09-08 (90 days) → start 2, end 4, moved up; two step-ups.
    * B: first assessed in the year at 1 on 2025-05-01, 2 on 2025-05-31
      (30 days) → start 1, end 2.
    * C: 3 before April, 2 in July → start 3, end 2 (moved down).
    * D: never assessed, attended in the year → in the cohort, not in the flow.
    * E: 2 before April and nothing since, attended at another partner,
      different kind and municipality.
    """
    before = at(date(2025, 1, 1), time(9))
    farm = make_partner(code="FARM", name="さんぶ農園", category="restaurant", created_at=before)
    shop = make_partner(code="SHOP", name="まちの店", category="commerce", created_at=before)
    work = make_opportunity(partner=farm, kind="supported_work")
    volunteer = make_opportunity(partner=shop, kind="volunteering")
    people = {}
    for key, town in zip(
        "ABCDE", ["山武市", "山武市", "東金市", "山武市", "横芝光町"], strict=True
    ):
        people[key] = make_participant(municipality=town, coach=coach)
    a, b, c, d, e = (people[k] for k in "ABCDE")
    assess(a, date(2025, 3, 1), 2)
    assess(a, date(2025, 6, 10), 3)
    assess(a, date(2025, 9, 8), 4)
    assess(b, date(2025, 5, 1), 1)
    assess(b, date(2025, 5, 31), 2)
    assess(c, date(2024, 10, 1), 3)
    assess(c, date(2025, 7, 1), 2)
    assess(e, date(2024, 12, 1), 2)
    # Attendance: A first attends 2025-04-15 and again 2025-07-20 (in the month
    # after 3 months) but not 2025-10-15 – 2025-11-14; B first 2025-05-10, again
    # 2025-11-12 (in the month after 6 months) only; D once; E at the shop.
    for day in (date(2025, 4, 15), date(2025, 7, 20)):
        attend(session_on(work, day), a)
    for day in (date(2025, 5, 10), date(2025, 11, 12)):
        attend(session_on(work, day), b)
    attend(session_on(work, date(2025, 6, 1)), d)
    attend(session_on(work, date(2025, 6, 2)), c)
    attend(session_on(volunteer, date(2025, 8, 1)), e)
    # Absent or cancelled attendance never counts.
    attend(session_on(work, date(2025, 8, 20)), a, status="absent")
    return {"people": people, "farm": farm, "shop": shop, "work": work, "volunteer": volunteer}


def build_report_world() -> dict:
    """Ledger lines, partners and payouts for FY 2025."""
    world = build_progression_world()
    farm, shop = world["farm"], world["shop"]
    # farm and shop were registered before the year, NEW in it, LATE after it.
    make_partner(code="NEW", category="restaurant", created_at=at(date(2025, 10, 1), time(9)))
    make_partner(code="OLD", category="education", created_at=at(date(2024, 1, 1), time(9)))
    make_partner(code="LATE", category="education", created_at=at(date(2026, 5, 1), time(9)))
    lines = [
        (farm, "food_donation", date(2025, 4, 3), "farm", 2, 0, Decimal("120.5")),
        (farm, "food_donation", date(2025, 4, 3), "business", 1, 0, Decimal("30.0")),
        (shop, "food_donation", date(2025, 12, 9), "individual", 4, 0, Decimal("12.3")),
        (farm, "food_distribution", date(2025, 4, 20), "household", 15, 15, Decimal("80.2")),
        (farm, "food_distribution", date(2026, 3, 31), "household", 9, 9, Decimal("45.0")),
        (shop, "cafeteria", date(2025, 5, 5), "", 1, 30, None),
        (shop, "place_visit", date(2025, 5, 6), "", 12, 12, None),
        # Outside the year: never counted.
        (farm, "food_donation", date(2025, 3, 31), "farm", 7, 0, Decimal("999.9")),
        (farm, "food_distribution", date(2026, 4, 1), "household", 7, 7, Decimal("888.8")),
    ]
    for partner, activity, day, counterpart, count, persons, kg in lines:
        ActivityRecord.objects.create(
            partner=partner,
            activity=activity,
            held_on=day,
            counterpart_type=counterpart,
            count=count,
            persons=persons,
            weight_kg=kg,
        )
    secretariat = make_user(role="secretariat")
    rule = make_rule(code="R-FARM", fiscal_year=FY, budget_yen=100_000)
    other = make_rule(code="R-NONE", fiscal_year=FY, budget_yen=None)
    make_rule(code="R-NEXT", fiscal_year=FY + 1, budget_yen=5)
    moment = datetime(2025, 6, 1, 12, tzinfo=JST)
    for month, status, amount in (
        (date(2025, 4, 1), "paid", 20_000),
        (date(2025, 5, 1), "approved", 7_500),
        (date(2025, 6, 1), "draft", 99_999),
    ):
        run = PayoutRun.objects.create(
            rule=rule,
            month=month,
            status=status,
            total_yen=amount,
            approved_at=None if status == "draft" else moment,
            approved_by=None if status == "draft" else secretariat,
            paid_at=moment + timedelta(days=1) if status == "paid" else None,
        )
        PayoutLine.objects.create(
            run=run,
            position=1,
            partner=farm,
            payee_code=farm.code,
            payee_name=farm.name,
            units=1,
            gross_yen=amount,
            capped_yen=amount,
            amount_yen=amount,
        )
    run = PayoutRun.objects.create(
        rule=other, month=date(2025, 4, 1), status="paid", approved_at=moment, paid_at=moment
    )
    PayoutLine.objects.create(
        run=run,
        position=1,
        partner=shop,
        payee_code=shop.code,
        payee_name="=HYPERLINK(1)",
        gross_yen=3_000,
        capped_yen=3_000,
        amount_yen=3_000,
    )
    world.update({"rule": rule, "other_rule": other, "secretariat": secretariat})
    return world
