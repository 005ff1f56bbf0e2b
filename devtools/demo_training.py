"""The training app's demo data: the plan's fee rules and targets (domain.md §1a),
a year of the activity ledger, and draft payout runs for the past three months.
Called by seed_demo; idempotent, so a second run adds nothing."""

from datetime import timedelta

from django.db import transaction

from core.clock import fiscal_year_bounds, fiscal_year_of, local_today, month_start, next_month
from devtools.demo_ledger import demo_seed_ledger
from training import selectors
from training.models import FeeRule, PayoutRun, ProgrammeTarget
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


# The plan's rates, with budgets sized to the demo network rather than the plan's
# pilot (50 days, 25 months, 500 hours): its 45 participants cost about ¥400,000
# a month by the day, ¥180,000 by the month and ¥220,000 in supporter hours, so a
# pilot-sized budget would be spent in the first month and every later line would
# read ¥0. These last the fiscal year with a margin of about 10%.
DEMO_BUDGETS_YEN = {"day": 5_400_000, "month": 2_400_000, "hour": 3_000_000}


def demo_fee_rules(fiscal_year: int) -> list[dict]:
    """The plan's fees (domain.md §1a): ¥2,500 a day, or ¥10,000 a month, and
    ¥1,000 an hour for supporters, with budgets that last the demo's year."""
    first, last = fiscal_year_bounds(fiscal_year)
    common = {"fiscal_year": fiscal_year, "valid_from": first, "valid_to": last}
    return [
        {
            "code": f"FY{fiscal_year}-DAY",
            "name": "就労訓練指導料（日額）",
            "payee": "partner",
            "basis": "day",
            "rate_yen": 2_500,
            "budget_yen": DEMO_BUDGETS_YEN["day"],
            "kinds": TRAINING_KINDS,
            **common,
        },
        {
            "code": f"FY{fiscal_year}-MONTH",
            "name": "就労訓練指導料（月額）",
            "payee": "partner",
            "basis": "month",
            "rate_yen": 10_000,
            "budget_yen": DEMO_BUDGETS_YEN["month"],
            "kinds": TRAINING_KINDS,
            **common,
        },
        {
            "code": f"FY{fiscal_year}-SUPPORTER",
            "name": "サポーター謝金（時給）",
            "payee": "supporter",
            "basis": "hour",
            "rate_yen": 1_000,
            "budget_yen": DEMO_BUDGETS_YEN["hour"],
            "kinds": [],
            **common,
        },
    ]


@transaction.atomic
def demo_seed_fee_rules_and_targets(*, fiscal_year: int | None = None) -> str:
    """Demo data of the training app, idempotent: the plan's fee rules and the
    FY2022 plan's targets for the current fiscal year (or ``fiscal_year``),
    a year of the activity ledger (devtools/demo_ledger.py),
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
    # A year of the activity ledger (the twelve months before this one and
    # this month up to yesterday), for the dashboard and the grant report.
    a_year_ago = month_start(today.replace(year=today.year - 1))
    records = demo_seed_ledger(a_year_ago, today - timedelta(days=1))

    drafts = 0
    month = three_months_ago
    first, last = fiscal_year_bounds(fy)
    while month < month_start(today):
        if first <= month <= last:
            for rule in rules:
                # A month already computed is left as it is: recomputing an
                # unchanged draft would only add an audit entry per run.
                if not PayoutRun.objects.filter(rule=rule, month=month).exists():
                    payout_run_compute(rule=rule, month=month)
                    drafts += 1
        month = next_month(month)
    return f"謝金ルール{len(rules)}件・目標{len(FY2022_PLAN_TARGETS)}件・活動実績 新規{records}件・支払の下書き{drafts}件"
