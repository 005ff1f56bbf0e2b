"""Reads for training days, payouts, budgets and the programme dashboard.

The payout usages are aggregated in PostgreSQL with one GROUP BY per call,
never in Python loops: at 200,000 sessions a year a month holds ~17,000
sessions, and the rows must not travel to Python.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import TruncDate

from core.clock import JST, at, fiscal_year_bounds, next_month
from opportunities.models import Opportunity, Partner, Session
from people.models import ParticipantProfile, Supporter
from training.engine import HOUR, Usage
from training.models import (
    ActivityRecord,
    Attendance,
    FeeRule,
    PayoutLine,
    PayoutRun,
    ProgrammeTarget,
)

# Training (universal employment) kinds: everything but plain volunteering.
TRAINING_KINDS = [
    Opportunity.Kind.SUPPORTED_WORK,
    Opportunity.Kind.INTERMEDIATE_EMPLOYMENT,
    Opportunity.Kind.FARM_WELFARE,
]


@dataclass(frozen=True)
class PayeeUsage:
    """A payee's usage for one month, with what the statement needs."""

    month: date
    payee_type: str  # "partner", "supporter" or "participant"
    payee_id: int
    usage: Usage
    session_ids: tuple[int, ...]


def _window(rule: FeeRule, first_month: date, last_month: date) -> tuple[datetime, datetime]:
    """Aware [start, end) of the months, clipped to the rule's validity dates."""
    start = max(first_month, rule.valid_from)
    end = min(next_month(last_month), rule.valid_to + timedelta(days=1))
    return at(start, datetime.min.time()), at(end, datetime.min.time())


def _usage_sql(rule: FeeRule) -> str:
    s, o, a = Session._meta.db_table, Opportunity._meta.db_table, Attendance._meta.db_table
    local_start = "(s.starts_at AT TIME ZONE 'Asia/Tokyo')"
    month = f"date_trunc('month', {local_start})::date"
    kinds = "AND o.kind = ANY(%(kinds)s)" if rule.kinds else ""
    if rule.basis == HOUR:
        # Each present supporter attendance counts its minutes rounded down to
        # whole quarter hours (integer division). A row recorded without
        # minutes counts the session's length.
        minutes = "COALESCE(NULLIF(a.minutes, 0), (EXTRACT(EPOCH FROM s.ends_at - s.starts_at) / 60)::int)"
        return f"""
            SELECT {month} AS month,
                   CASE WHEN a.supporter_id IS NOT NULL THEN 'supporter' ELSE 'participant' END,
                   COALESCE(a.supporter_id, a.participant_id),
                   SUM({minutes} / 15) AS units,
                   MIN(s.starts_at),
                   ARRAY_AGG(DISTINCT s.id) FILTER (WHERE s.starts_at >= %(ids_from)s)
            FROM {a} a
            JOIN {s} s ON s.id = a.session_id
            JOIN {o} o ON o.id = s.opportunity_id
            WHERE a.role = 'supporter' AND a.status = 'present'
              AND s.status <> 'cancelled'
              AND s.starts_at >= %(start)s AND s.starts_at < %(end)s
              {kinds}
            GROUP BY 1, 2, 3
        """
    units = {
        "session": "COUNT(*)",
        "day": f"COUNT(DISTINCT {local_start}::date)",
        "month": "1",
    }[rule.basis]
    # A session qualifies when it was held (not cancelled) and at least one
    # trainee was present.
    return f"""
        SELECT {month} AS month, 'partner', o.partner_id,
               {units} AS units,
               MIN(s.starts_at),
               ARRAY_AGG(s.id ORDER BY s.starts_at, s.id) FILTER (WHERE s.starts_at >= %(ids_from)s)
        FROM {s} s
        JOIN {o} o ON o.id = s.opportunity_id
        WHERE s.status <> 'cancelled'
          AND s.starts_at >= %(start)s AND s.starts_at < %(end)s
          {kinds}
          AND EXISTS (SELECT 1 FROM {a} a
                      WHERE a.session_id = s.id AND a.status = 'present' AND a.role = 'trainee')
        GROUP BY 1, 2, 3
    """


def payee_code_map(
    payees: Iterable[tuple[str, int]],
) -> dict[tuple[str, int], tuple[str, str]]:
    """(payee_type, id) → (code, name), in three queries at most."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for payee_type, payee_id in payees:
        wanted[payee_type].add(payee_id)
    out: dict[tuple[str, int], tuple[str, str]] = {}
    for payee_type, model, name_field in (
        ("partner", Partner, "name"),
        ("supporter", Supporter, "name"),
        ("participant", ParticipantProfile, "display_name"),
    ):
        if wanted[payee_type]:
            for pk, code, name in model.objects.filter(pk__in=wanted[payee_type]).values_list(
                "pk", "code", name_field
            ):
                out[(payee_type, pk)] = (code, name)
    return out


def payout_usages(
    *, rule: FeeRule, first_month: date, last_month: date
) -> dict[date, list[PayeeUsage]]:
    """Every payee's usage under ``rule`` for each month from ``first_month``
    to ``last_month`` (firsts of local months), in one query. Session ids are
    collected for the last month only: earlier months are recomputed just to
    find corrections, and their lines already keep their own ids."""
    start, end = _window(rule, first_month, last_month)
    ids_from = at(last_month, datetime.min.time())
    result: dict[date, list[PayeeUsage]] = defaultdict(list)
    if start >= end:
        return result
    with connection.cursor() as cursor:
        cursor.execute(
            _usage_sql(rule),
            {"start": start, "end": end, "kinds": list(rule.kinds), "ids_from": ids_from},
        )
        rows = cursor.fetchall()
    partial = [
        PayeeUsage(
            month=month,
            payee_type=ptype,
            payee_id=pid,
            usage=Usage(payee="", units=int(units), first_at=first_at),
            session_ids=tuple(ids or ()),
        )
        for month, ptype, pid, units, first_at, ids in rows
    ]
    codes = payee_code_map((p.payee_type, p.payee_id) for p in partial)
    for p in partial:
        code = codes[(p.payee_type, p.payee_id)][0]
        result[p.month].append(
            PayeeUsage(
                month=p.month,
                payee_type=p.payee_type,
                payee_id=p.payee_id,
                usage=Usage(payee=code, units=p.usage.units, first_at=p.usage.first_at),
                session_ids=p.session_ids,
            )
        )
    return result


def budget_spent_before(*, rule: FeeRule, month: date, exclude_run: PayoutRun | None = None) -> int:
    """What the rule's budget has already given away when ``month`` is computed:
    every run of an earlier month, and any approved run of a later month (a
    month computed late must not take money a later approved month was paid)."""
    qs = PayoutLine.objects.filter(run__rule=rule).filter(
        Q(run__month__lt=month) | (Q(run__month__gt=month) & ~Q(run__status=PayoutRun.Status.DRAFT))
    )
    if exclude_run is not None:
        qs = qs.exclude(run=exclude_run)
    return qs.aggregate(total=Sum("amount_yen"))["total"] or 0


def budget_status(*, rule: FeeRule) -> dict:
    """Budget consumption of a rule: committed (all runs), approved/paid, and the
    share of the budget used; ``warning`` at 80 %."""
    by_status = dict(
        PayoutLine.objects.filter(run__rule=rule)
        .values_list("run__status")
        .annotate(total=Sum("amount_yen"))
        .values_list("run__status", "total")
    )
    committed = sum(by_status.values())
    approved = by_status.get("approved", 0) + by_status.get("paid", 0)
    share = None
    if rule.budget_yen is not None:
        # A zero budget is used up from the start.
        share = committed * 100 / rule.budget_yen if rule.budget_yen else 100.0
    return {
        "rule": rule,
        "committed_yen": committed,
        "approved_yen": approved,
        "paid_yen": by_status.get("paid", 0),
        "draft_yen": by_status.get("draft", 0),
        "remaining_yen": None if rule.budget_yen is None else rule.budget_yen - committed,
        "share_percent": share,
        "warning": share is not None and share >= 80,
        "exhausted": share is not None and share >= 100,
    }


def line_sessions(*, line: PayoutLine):
    """The qualifying sessions behind a line, with their present trainees."""
    return (
        Session.objects.filter(pk__in=line.session_ids)
        .select_related("opportunity", "opportunity__partner")
        .annotate(
            present=Count(
                "attendance", filter=Q(attendance__status="present", attendance__role="trainee")
            )
        )
        .order_by("starts_at")
    )


def with_staleness(qs: QuerySet[PayoutRun]) -> QuerySet[PayoutRun]:
    """``is_stale``: a draft computed before an earlier month of its rule was
    last (re)computed, so its budget and corrections are out of date (and
    payout_run_approve would refuse it until it is recomputed)."""
    earlier_recomputed = PayoutRun.objects.filter(
        rule=OuterRef("rule"), month__lt=OuterRef("month"), computed_at__gt=OuterRef("computed_at")
    )
    return qs.annotate(
        is_stale=Q(status=PayoutRun.Status.DRAFT) & Exists(earlier_recomputed),
    )


def run_list(*, rule: FeeRule | None = None):
    qs = with_staleness(
        PayoutRun.objects.select_related("rule").annotate(line_count=Count("lines"))
    )
    if rule is not None:
        qs = qs.filter(rule=rule)
    return qs


def _fy_range(fiscal_year: int) -> tuple[datetime, datetime]:
    first, last = fiscal_year_bounds(fiscal_year)
    return at(first, datetime.min.time()), at(last + timedelta(days=1), datetime.min.time())


def training_days_per_participant(*, fiscal_year: int):
    """Training days (distinct local dates present as trainee) and person-days
    per participant over a fiscal year."""
    start, end = _fy_range(fiscal_year)
    return (
        Attendance.objects.filter(
            status="present",
            role="trainee",
            participant__isnull=False,
            session__starts_at__gte=start,
            session__starts_at__lt=end,
        )
        .exclude(session__status="cancelled")
        .values("participant__code", "participant__display_name")
        .annotate(
            days=Count(TruncDate("session__starts_at", tzinfo=JST), distinct=True),
            sessions=Count("session", distinct=True),
        )
        .order_by("participant__code")
    )


def training_days_per_partner(*, fiscal_year: int):
    """Operating days (distinct local dates with a qualifying session) and
    person-days (present trainee × day) per partner over a fiscal year."""
    start, end = _fy_range(fiscal_year)
    a, s, o, p = (
        Attendance._meta.db_table,
        Session._meta.db_table,
        Opportunity._meta.db_table,
        Partner._meta.db_table,
    )
    sql = f"""
        SELECT p.code, p.name,
               COUNT(DISTINCT (s.starts_at AT TIME ZONE 'Asia/Tokyo')::date) AS days,
               COUNT(DISTINCT (a.participant_id, (s.starts_at AT TIME ZONE 'Asia/Tokyo')::date)) AS person_days
        FROM {a} a JOIN {s} s ON s.id = a.session_id
        JOIN {o} o ON o.id = s.opportunity_id JOIN {p} p ON p.id = o.partner_id
        WHERE a.status = 'present' AND a.role = 'trainee' AND s.status <> 'cancelled'
          AND s.starts_at >= %s AND s.starts_at < %s
        GROUP BY p.code, p.name ORDER BY p.code
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [start, end])
        return [
            dict(zip(["code", "name", "days", "person_days"], row, strict=True))
            for row in cursor.fetchall()
        ]


def programme_actuals(*, fiscal_year: int) -> dict[str, int]:
    """Actuals in the plan's units (domain.md §1a) for a fiscal year.

    Universal-employment operating days are summed per partner (a day on which
    a partner held at least one training session with a trainee present), and
    person-days count each present trainee once per day.
    """
    first, last = fiscal_year_bounds(fiscal_year)
    start, end = _fy_range(fiscal_year)
    a, s, o = Attendance._meta.db_table, Session._meta.db_table, Opportunity._meta.db_table
    sql = f"""
        SELECT COUNT(DISTINCT (o.partner_id, (s.starts_at AT TIME ZONE 'Asia/Tokyo')::date)),
               COUNT(DISTINCT (a.participant_id, (s.starts_at AT TIME ZONE 'Asia/Tokyo')::date))
        FROM {a} a JOIN {s} s ON s.id = a.session_id JOIN {o} o ON o.id = s.opportunity_id
        WHERE a.status = 'present' AND a.role = 'trainee' AND s.status <> 'cancelled'
          AND o.kind = ANY(%s) AND s.starts_at >= %s AND s.starts_at < %s
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [[str(k) for k in TRAINING_KINDS], start, end])
        ue_days, ue_person_days = cursor.fetchone()
    records = ActivityRecord.objects.filter(held_on__gte=first, held_on__lte=last)
    per_activity = {
        row["activity"]: row
        for row in records.values("activity").annotate(days=Count("id"), persons=Sum("persons"))
    }

    def rec(activity, key):
        return int((per_activity.get(activity) or {}).get(key) or 0)

    return {
        "places_sites": Partner.objects.filter(is_active=True, offers_place=True).count(),
        "places_persons": rec("place", "persons"),
        "ue_days": ue_days,
        "ue_person_days": ue_person_days,
        "cafeteria_sessions": rec("cafeteria", "days"),
        "cafeteria_persons": rec("cafeteria", "persons"),
        "food_bank_days": rec("food_bank", "days"),
        "food_bank_persons": rec("food_bank", "persons"),
    }


def programme_monthly(*, fiscal_year: int) -> list[dict]:
    """Universal-employment operating days and person-days for each month of
    the fiscal year (April first), counted as in ``programme_actuals``."""
    start, end = _fy_range(fiscal_year)
    a, s, o = Attendance._meta.db_table, Session._meta.db_table, Opportunity._meta.db_table
    local = "(s.starts_at AT TIME ZONE 'Asia/Tokyo')"
    sql = f"""
        SELECT date_trunc('month', {local})::date,
               COUNT(DISTINCT (o.partner_id, {local}::date)),
               COUNT(DISTINCT (a.participant_id, {local}::date))
        FROM {a} a JOIN {s} s ON s.id = a.session_id JOIN {o} o ON o.id = s.opportunity_id
        WHERE a.status = 'present' AND a.role = 'trainee' AND s.status <> 'cancelled'
          AND o.kind = ANY(%s) AND s.starts_at >= %s AND s.starts_at < %s
        GROUP BY 1
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [[str(k) for k in TRAINING_KINDS], start, end])
        found = {month: (days, persons) for month, days, persons in cursor.fetchall()}
    months = []
    month = fiscal_year_bounds(fiscal_year)[0]
    for _i in range(12):
        days, persons = found.get(month, (0, 0))
        months.append({"month": month, "ue_days": days, "ue_person_days": persons})
        month = next_month(month)
    return months


def dashboard_rows(*, fiscal_year: int) -> list[dict]:
    targets = dict(
        ProgrammeTarget.objects.filter(fiscal_year=fiscal_year).values_list("metric", "target")
    )
    actuals = programme_actuals(fiscal_year=fiscal_year)
    rows = []
    for metric in ProgrammeTarget.Metric:
        target = targets.get(metric.value)
        actual = actuals[metric.value]
        rows.append(
            {
                "metric": metric.value,
                "label": metric.label,
                "target": target,
                "actual": actual,
                "percent": None if not target else round(actual * 100 / target),
            }
        )
    return rows
