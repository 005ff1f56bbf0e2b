"""A year of the activity ledger for the demo partners (training.ledger):
place-to-be visits, children's cafeteria sessions, food donations received and
distributions made, and cool-station days in summer.

Deterministic (every figure comes from a hash of partner, activity and day)
and idempotent: a line that exists is left as it is, so running the seed twice
changes nothing. The scale follows the network's results (domain.md §1b):
each food bank takes in over a tonne a year, mostly from businesses and farms,
and hands out somewhat less to households and welfare facilities – some nine
tonnes in and seven out across the demo's seven food banks."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from decimal import Decimal

from opportunities.models import Partner
from training.models import ActivityRecord

A = ActivityRecord.Activity
C = ActivityRecord.CounterpartType

# Donors and what one donation weighs (kg, low–high).
DONORS = [
    (C.BUSINESS, 20, 120),
    (C.FARM, 30, 180),
    (C.INDIVIDUAL, 2, 15),
    (C.SCHOOL, 5, 30),
    (C.GOVERNMENT, 10, 60),
    (C.OTHER, 5, 40),
]
# Recipients: households get a food box, welfare facilities a larger share.
RECIPIENTS = [(C.HOUSEHOLD, 8, 16), (C.WELFARE, 30, 60)]
NOTES = {
    C.BUSINESS: "スーパーの賞味期限が近い食品",
    C.FARM: "規格外の野菜・米",
    C.INDIVIDUAL: "フードドライブ",
    C.SCHOOL: "学校のフードドライブ",
    C.GOVERNMENT: "防災備蓄品の入れ替え",
    C.OTHER: "",
    C.HOUSEHOLD: "食品の箱を手渡し",
    C.WELFARE: "施設へまとめて配布",
}


def _number(*parts, low: int, high: int) -> int:
    """A stable pseudo-random whole number in [low, high]."""
    digest = hashlib.sha256("|".join(str(p) for p in parts).encode()).digest()
    return low + int.from_bytes(digest[:4], "big") % (high - low + 1)


def _chance(*parts, percent: int) -> bool:
    return _number(*parts, "chance", low=0, high=99) < percent


def _lines_for(partner: Partner, day: date) -> list[dict]:
    """The ledger lines of one partner on one day (often none)."""
    weekday, nth_saturday = day.weekday(), (day.day - 1) // 7 + 1
    key = (partner.code, day.isoformat())
    lines = []
    if partner.offers_place and weekday == 0 and _chance(*key, "place", percent=30):
        visitors = _number(*key, "place", low=1, high=3)
        lines.append({"activity": A.PLACE_VISIT, "count": visitors, "persons": visitors})
    if partner.offers_cafeteria and weekday == 5 and nth_saturday in (2, 4):
        lines.append(
            {"activity": A.CAFETERIA, "count": 1, "persons": _number(*key, "cafe", low=12, high=30)}
        )
    if partner.offers_food_bank and weekday == 1 and _chance(*key, "donation", percent=35):
        donor, low, high = DONORS[_number(*key, "donor", low=0, high=len(DONORS) - 1)]
        donations = _number(*key, "donations", low=1, high=2)
        kg = sum(_number(*key, "kg", n, low=low * 10, high=high * 10) for n in range(donations))
        lines.append(
            {
                "activity": A.FOOD_DONATION,
                "counterpart_type": donor,
                "count": donations,
                "persons": donations,
                "weight_kg": Decimal(kg) / 10,
                "note": NOTES[donor],
            }
        )
    if partner.offers_food_bank and weekday == 4 and _chance(*key, "handout", percent=45):
        for recipient, low, high in RECIPIENTS:
            if recipient == C.WELFARE and not _chance(*key, "welfare", percent=20):
                continue
            handed = _number(*key, recipient, low=1, high=5 if recipient == C.HOUSEHOLD else 1)
            kg = sum(
                _number(*key, recipient, "kg", n, low=low * 10, high=high * 10)
                for n in range(handed)
            )
            people = handed * _number(*key, recipient, "people", low=1, high=3)
            lines.append(
                {
                    "activity": A.FOOD_DISTRIBUTION,
                    "counterpart_type": recipient,
                    "count": handed,
                    "persons": people if recipient == C.HOUSEHOLD else handed,
                    "weight_kg": Decimal(kg) / 10,
                    "note": NOTES[recipient],
                }
            )
    if partner.offers_cool_station and day.month in (7, 8, 9) and weekday < 5:
        lines.append(
            {
                "activity": A.COOL_STATION,
                "count": 1,
                "persons": _number(*key, "cool", low=0, high=6),
            }
        )
    return lines


def demo_seed_ledger(first_day: date, last_day: date) -> int:
    """Ledger lines from ``first_day`` to ``last_day`` for the active demo
    partners; lines that exist are kept as they are. Returns how many were added."""
    partners = list(Partner.objects.filter(is_active=True).order_by("code"))
    existing = set(
        ActivityRecord.objects.filter(held_on__gte=first_day, held_on__lte=last_day).values_list(
            "partner_id", "activity", "held_on", "counterpart_type"
        )
    )
    new = []
    day = first_day
    while day <= last_day:
        for partner in partners:
            for line in _lines_for(partner, day):
                record = ActivityRecord(partner=partner, held_on=day, **line)
                key = (partner.pk, record.activity, day, record.counterpart_type)
                if key not in existing:
                    existing.add(key)
                    new.append(record)
        day += timedelta(days=1)
    ActivityRecord.objects.bulk_create(new, batch_size=1000)
    return len(new)
