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
    FOOD_ACTIVITIES,
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


def _usage_sql(rule: FeeRule, *, one_month: bool = False) -> str:
    """Each payee's usage per local month in [%(start)s, %(end)s). With
    ``one_month`` the window lies within one month, given as %(month)s, and
    the rows are not converted to local time to find it."""
    s, o, a = Session._meta.db_table, Opportunity._meta.db_table, Attendance._meta.db_table
    local_start = "(s.starts_at AT TIME ZONE 'Asia/Tokyo')"
    month = "%(month)s::date" if one_month else f"date_trunc('month', {local_start})::date"
    kinds = "AND o.kind = ANY(%(kinds)s)" if rule.kinds else ""
    if rule.basis == HOUR:
        # Each present supporter attendance counts its minutes rounded down to
        # whole quarter hours (integer division). A row recorded without
        # minutes counts the session's length.
        minutes = "COALESCE(NULLIF(a.minutes, 0), (EXTRACT(EPOCH FROM s.ends_at - s.starts_at) / 60)::int)"
        # The opportunity is read only to filter by kind: every session has one.
        join_o = f"JOIN {o} o ON o.id = s.opportunity_id" if rule.kinds else ""
        # The window's sessions are read once, by the starts_at index, and
        # hashed; their lowest and highest id (implied by the join) let
        # PostgreSQL read only the window's part of the attendance by the
        # session_id index. As sub-selects the planner cannot see the ids:
        # with them as values it hashes the whole supporter attendance, and
        # joining the sessions row by row through their primary key is 2×
        # slower (bench_payouts). A payee has one row per session (the
        # unique constraints), and exactly one of supporter_id and
        # participant_id is set: grouping by the two ids is grouping by
        # payee, on integers.
        return f"""
            WITH ss AS MATERIALIZED (
                SELECT id, opportunity_id, starts_at, ends_at, status FROM {s}
                WHERE starts_at >= %(start)s AND starts_at < %(end)s
            )
            SELECT {month} AS month,
                   CASE WHEN a.supporter_id IS NOT NULL THEN 'supporter' ELSE 'participant' END,
                   COALESCE(a.supporter_id, a.participant_id),
                   SUM({minutes} / 15) AS units,
                   MIN(s.starts_at),
                   ARRAY_AGG(DISTINCT s.id) FILTER (WHERE s.starts_at >= %(ids_from)s)
            FROM {a} a
            JOIN ss s ON s.id = a.session_id
            {join_o}
            WHERE a.role = 'supporter' AND a.status = 'present'
              AND s.status <> 'cancelled'
              AND a.session_id BETWEEN (SELECT MIN(id) FROM ss) AND (SELECT MAX(id) FROM ss)
              {kinds}
            GROUP BY 1, a.supporter_id, a.participant_id
        """
    # Implied by the join (see session_id_bounds), and lets PostgreSQL read
    # only the window's part of the attendance by the session_id index instead
    # of hashing all of it; given as values, so that it estimates the rows well.
    window_ids = "a.session_id BETWEEN %(min_session_id)s AND %(max_session_id)s"
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
                      WHERE a.session_id = s.id AND a.status = 'present' AND a.role = 'trainee'
                        AND {window_ids})
        GROUP BY 1, 2, 3
    """


def session_id_bounds(start: datetime, end: datetime) -> dict[str, int | None]:
    """The lowest and highest id of the sessions starting in [start, end)
    (None, None when there are none: then nothing matches), as the
    ``min_session_id`` / ``max_session_id`` parameters of the usage SQL."""
    with connection.cursor() as cursor:
        cursor.execute(
            # "id + 0": aggregate over the starts_at index, not a walk of the primary key.
            f"SELECT MIN(id + 0), MAX(id + 0) FROM {Session._meta.db_table}"
            " WHERE starts_at >= %s AND starts_at < %s",
            [start, end],
        )
        low, high = cursor.fetchone()
    return {"min_session_id": low, "max_session_id": high}


def window_session_ids(rule: FeeRule, start: datetime, end: datetime) -> dict[str, int | None]:
    """``session_id_bounds`` where the rule's usage SQL takes them as values
    (the ``hour`` SQL finds them itself, from the sessions it reads anyway)."""
    if rule.basis == HOUR:
        return {}
    return session_id_bounds(start, end)


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
            _usage_sql(rule, one_month=first_month == last_month),
            {
                "start": start,
                "end": end,
                "month": first_month,
                "kinds": list(rule.kinds),
                "ids_from": ids_from,
                **window_session_ids(rule, start, end),
            },
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


def payout_month_lines_sql(rule: FeeRule) -> str:
    """One month's regular lines, priced, capped and queued for the budget in
    SQL (window functions), with exactly training/engine.py ``month_lines``'
    rules: units × rate (``hour``: ÷ 4, rounded down), cut to the monthly cap,
    then, in order of first qualifying session and payee code (code-point
    order, as Python compares strings), each payee gets what is left of
    ``%(remaining)s`` (NULL: no budget) up to their capped amount.

    Parameters: start, end (within one month), month, ids_from, kinds,
    min/max_session_id (``window_session_ids``), rate, cap, remaining.
    Columns: payee_type, payee_id, code, name, units, gross, capped, amount,
    cut_by_cap, first_at, session_ids, rn (1-based queue position)."""
    pa, su, pp = Partner._meta.db_table, Supporter._meta.db_table, ParticipantProfile._meta.db_table
    gross = (
        "(%(rate)s::bigint * u.units) / 4" if rule.basis == HOUR else "%(rate)s::bigint * u.units"
    )
    return f"""
        WITH u (month, payee_type, payee_id, units, first_at, session_ids) AS (
            {_usage_sql(rule, one_month=True)}
        ),
        priced AS (
            SELECT u.payee_type, u.payee_id, u.units::bigint AS units, u.first_at, u.session_ids,
                   COALESCE(pa.code, su.code, pp.code) AS code,
                   COALESCE(pa.name, su.name, pp.display_name) AS name,
                   {gross} AS gross
            FROM u
            LEFT JOIN {pa} pa ON u.payee_type = 'partner' AND pa.id = u.payee_id
            LEFT JOIN {su} su ON u.payee_type = 'supporter' AND su.id = u.payee_id
            LEFT JOIN {pp} pp ON u.payee_type = 'participant' AND pp.id = u.payee_id
            WHERE u.units > 0
        ),
        capped AS (
            SELECT priced.*,
                   CASE WHEN %(cap)s::bigint IS NOT NULL AND gross > %(cap)s::bigint
                        THEN %(cap)s::bigint ELSE gross END AS capped
            FROM priced
        ),
        queued AS (
            SELECT capped.*,
                   ROW_NUMBER() OVER q AS rn,
                   (SUM(capped) OVER q - capped)::bigint AS spent_before
            FROM capped
            WINDOW q AS (ORDER BY first_at, code COLLATE "C" ROWS UNBOUNDED PRECEDING)
        )
        SELECT payee_type, payee_id, code, name, units, gross, capped,
               CASE WHEN %(remaining)s::bigint IS NULL THEN capped
                    ELSE GREATEST(0, LEAST(capped, GREATEST(%(remaining)s::bigint, 0) - spent_before))
               END AS amount,
               gross > capped AS cut_by_cap, first_at, COALESCE(session_ids, '{{}}') AS session_ids, rn
        FROM queued
    """


def payout_changed_months(*, rule: FeeRule, runs: list[PayoutRun]) -> set[date]:
    """The months of ``runs`` (approved runs of ``rule``) whose usage may have
    changed since their last computation: a change noted by the triggers of
    migration training/0006 that the computation did not see (its id above
    the computation's watermark, or another transaction's not yet visible
    then), a rule changed since, or a run computed before the log existed."""
    if not runs:
        return set()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT r.month FROM training_payoutrun r
            LEFT JOIN training_payoutseen v ON v.run_id = r.id
            WHERE r.id = ANY(%(ids)s)
              AND (v.run_id IS NULL OR r.computed_at < %(rule_changed)s
                   OR EXISTS (SELECT 1 FROM training_payoutchange c
                              WHERE (c.month = r.month OR c.month IS NULL)
                                AND NOT (c.id <= v.watermark
                                         AND (c.xid = v.xid
                                              OR pg_visible_in_snapshot(c.xid, v.snap)))))
            """,
            {"ids": [r.pk for r in runs], "rule_changed": rule.updated_at},
        )
        return {row[0] for row in cursor.fetchall()}


def payout_month_checks(
    *, rule: FeeRule, runs: list[PayoutRun], exclude_run: PayoutRun
) -> dict[date, tuple[int, bool]]:
    """For each month of ``runs``: (sum of its regular lines' capped amounts,
    whether computing it again from its own lines could pay anything else –
    a line cut by the budget, a line the rule's current terms would price
    differently, or adjustments other runs already carry for it)."""
    if not runs:
        return {}
    terms = rule.terms
    gross = (
        "(%(rate)s::bigint * l.units) / 4" if terms.basis == HOUR else "%(rate)s::bigint * l.units"
    )
    with connection.cursor() as cursor:
        # The months other runs of the rule adjust are found once, through
        # the rule's runs (a few dozen lines), not by a scan of every line of
        # every rule for each month.
        cursor.execute(
            f"""
            WITH adjusted AS (
                SELECT DISTINCT x.adjusts_month
                FROM training_payoutrun xr
                JOIN training_payoutline x ON x.run_id = xr.id
                WHERE xr.rule_id = %(rule)s AND xr.id <> %(exclude)s AND x.kind = 'adjustment'
            )
            SELECT r.month, COALESCE(SUM(l.capped_yen), 0),
                   COALESCE(BOOL_OR(
                       l.cut_by_budget OR l.amount_yen <> l.capped_yen OR l.gross_yen <> {gross}
                       OR l.capped_yen <> LEAST(l.gross_yen, COALESCE(%(cap)s::bigint, l.gross_yen))
                       OR l.cut_by_cap <> (l.gross_yen > l.capped_yen)), false)
                   OR r.month IN (SELECT adjusts_month FROM adjusted)
            FROM training_payoutrun r
            LEFT JOIN training_payoutline l ON l.run_id = r.id AND l.kind = 'regular'
            WHERE r.id = ANY(%(ids)s)
            GROUP BY r.id, r.month
            """,
            {
                "rule": rule.pk,
                "ids": [r.pk for r in runs],
                "rate": terms.rate_yen,
                "cap": terms.monthly_cap_yen,
                "exclude": exclude_run.pk,
            },
        )
        return {month: (int(total), bool(bad)) for month, total, bad in cursor.fetchall()}


def payout_stored_usages(*, runs: list[PayoutRun]) -> dict[date, list[Usage]]:
    """The usages a month's regular lines were computed from, as stored on the
    lines (for months whose attendance has not changed since)."""
    out: dict[date, list[Usage]] = defaultdict(list)
    rows = PayoutLine.objects.filter(run__in=runs, kind=PayoutLine.Kind.REGULAR).values_list(
        "run__month", "payee_code", "units", "first_session_at"
    )
    for month, code, units, first_at in rows:
        assert first_at is not None  # regular lines always keep their first session
        out[month].append(Usage(payee=code, units=units, first_at=first_at))
    return out


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
    # The activity ledger (training.ledger): place persons from visits,
    # cafeteria sessions and persons, and food-bank days (a partner's day with
    # a donation received or a distribution made counts once) and persons.
    records = ActivityRecord.objects.filter(held_on__gte=first, held_on__lte=last).order_by()
    per_activity = {
        row["activity"]: row
        for row in records.values("activity").annotate(
            sessions=Sum("count"), persons=Sum("persons")
        )
    }
    food = records.filter(activity__in=FOOD_ACTIVITIES)
    food_days = food.values("partner_id", "held_on").distinct().count()
    food_persons = food.aggregate(n=Sum("persons"))["n"] or 0

    def rec(activity, key):
        return int((per_activity.get(activity) or {}).get(key) or 0)

    return {
        "places_sites": Partner.objects.filter(is_active=True, offers_place=True).count(),
        "places_persons": rec("place_visit", "persons"),
        "ue_days": ue_days,
        "ue_person_days": ue_person_days,
        "cafeteria_sessions": rec("cafeteria", "sessions"),
        "cafeteria_persons": rec("cafeteria", "persons"),
        "food_bank_days": food_days,
        "food_bank_persons": int(food_persons),
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
