"""The training app's demo data: the plan's fee rules and targets (domain.md §1a),
activity records for the past three months, and draft payout runs for them.
Called by seed_demo; idempotent, so a second run adds nothing."""

import hashlib
from datetime import date, timedelta

from django.db import transaction

from core.clock import fiscal_year_bounds, fiscal_year_of, local_today, month_start, next_month
from opportunities.models import Partner
from training import selectors
from training.models import ActivityRecord, FeeRule, PayoutRun, ProgrammeTarget
from training.services import payout_run_compute

# The FY2022 Hot Station plan (domain.md §1a) – the demo values for targets.
FY2022_PLAN_TARGETS = {
    "places_sites": 40,
    "places_persons": 608,
    "ue_days": 100,
    "ue_person_days": 156,
    "cafeteria_sessions": 24,
    "cafeteria_persons": 600,
    "food_bank_days": 180,
    "food_bank_persons": 200,
}

TRAINING_KINDS = [str(k) for k in selectors.TRAINING_KINDS]


def demo_fee_rules(fiscal_year: int) -> list[dict]:
    """The plan's fees (domain.md §1a): ¥2,500/day for 50 days, or ¥10,000/month
    for 25 months, and ¥1,000/hour for about 500 supporter hours."""
    first, last = fiscal_year_bounds(fiscal_year)
    common = {"fiscal_year": fiscal_year, "valid_from": first, "valid_to": last}
    return [
        {
            "code": f"FY{fiscal_year}-DAY",
            "name": "就労訓練指導料（日額）",
            "payee": "partner",
            "basis": "day",
            "rate_yen": 2_500,
            "budget_yen": 125_000,
            "kinds": TRAINING_KINDS,
            **common,
        },
        {
            "code": f"FY{fiscal_year}-MONTH",
            "name": "就労訓練指導料（月額）",
            "payee": "partner",
            "basis": "month",
            "rate_yen": 10_000,
            "budget_yen": 250_000,
            "kinds": TRAINING_KINDS,
            **common,
        },
        {
            "code": f"FY{fiscal_year}-SUPPORTER",
            "name": "サポーター謝金（時給）",
            "payee": "supporter",
            "basis": "hour",
            "rate_yen": 1_000,
            "budget_yen": 500_000,
            "kinds": [],
            **common,
        },
    ]


def _demo_persons(*parts, low: int, high: int) -> int:
    """A stable pseudo-random head count, so that re-seeding changes nothing."""
    digest = hashlib.sha256("|".join(str(p) for p in parts).encode()).digest()
    return low + digest[0] % (high - low + 1)


def _demo_activity_records(first_day: date, last_day: date) -> int:
    """Place-to-be Mondays, children's cafeteria on the 2nd and 4th Saturday,
    food-bank Tuesdays and Fridays, for the partners that offer them."""
    created = 0
    partners = list(Partner.objects.filter(is_active=True))
    day = first_day
    while day <= last_day:
        nth_saturday = (day.day - 1) // 7 + 1
        for partner in partners:
            plan = []
            if partner.offers_place and day.weekday() == 0:
                plan.append(("place", 1, 5))
            if partner.offers_cafeteria and day.weekday() == 5 and nth_saturday in (2, 4):
                plan.append(("cafeteria", 12, 30))
            if partner.offers_food_bank and day.weekday() in (1, 4):
                plan.append(("food_bank", 2, 8))
            for activity, low, high in plan:
                _obj, made = ActivityRecord.objects.get_or_create(
                    partner=partner,
                    activity=activity,
                    held_on=day,
                    defaults={
                        "persons": _demo_persons(partner.code, activity, day, low=low, high=high)
                    },
                )
                created += made
        day += timedelta(days=1)
    return created


@transaction.atomic
def demo_seed_fee_rules_and_targets(*, fiscal_year: int | None = None) -> str:
    """Demo data of the training app, idempotent: the plan's fee rules and the
    FY2022 plan's targets for the current fiscal year (or ``fiscal_year``),
    activity records (place, cafeteria, food bank) for the past three months,
    and draft payout runs for the completed months among them."""
    today = local_today()
    fy = fiscal_year or fiscal_year_of(today)
    rules = []
    for spec in demo_fee_rules(fy):
        code = spec.pop("code")
        rule, _created = FeeRule.objects.get_or_create(code=code, defaults=spec)
        rules.append(rule)
    for metric, value in FY2022_PLAN_TARGETS.items():
        ProgrammeTarget.objects.get_or_create(
            fiscal_year=fy, metric=metric, defaults={"target": value}
        )

    three_months_ago = month_start(today)
    for _step in range(3):
        three_months_ago = month_start(three_months_ago - timedelta(days=1))
    records = _demo_activity_records(three_months_ago, today - timedelta(days=1))

    drafts = 0
    month = three_months_ago
    first, last = fiscal_year_bounds(fy)
    while month < month_start(today):
        if first <= month <= last:
            for rule in rules:
                if (
                    not PayoutRun.objects.filter(rule=rule, month=month)
                    .exclude(status=PayoutRun.Status.DRAFT)
                    .exists()
                ):
                    payout_run_compute(rule=rule, month=month)
                    drafts += 1
        month = next_month(month)
    return f"謝金ルール{len(rules)}件・目標{len(FY2022_PLAN_TARGETS)}件・活動実績 新規{records}件・支払の下書き{drafts}件"
