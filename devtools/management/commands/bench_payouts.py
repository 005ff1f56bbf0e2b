"""python manage.py bench_payouts --sessions 200000

Generates a fiscal year of sessions and attendance for 150 partners inside one
transaction, runs all 12 months of a ``day`` rule and of an ``hour`` rule
(compute, then approve, as the secretariat does, so every later month also
checks the approved months for corrections), times a plain SQL GROUP BY over
the same rows, prints one JSON line, and rolls everything back (--keep keeps
the generated sessions and attendance; the timed runs are always rolled back).

Both sides are measured alike: after one untimed warm-up of each, every
repeat times the day GROUP BY, the day rule's year, the hour GROUP BY and the
hour rule's year, in turn (so a busy moment of the machine hits both sides),
each year on the same fresh state (its runs are rolled back to a savepoint
after it). The ``*_s`` figures and ratios are medians over the repeats (the
individual figures are in ``*_runs_s``); a rule's slowest month is the
slowest of all repeats.
"""

import json
import math
import statistics
import time as _time
from datetime import date, time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from core.clock import at, fiscal_year_bounds, fiscal_year_of, local_today, next_month
from opportunities.models import Opportunity, Partner, Session
from people.models import ParticipantProfile, Supporter
from training.models import Attendance, AuditEntry, FeeRule, PayoutLine, PayoutRun
from training.services import payout_run_approve, payout_run_compute

KINDS = ["supported_work", "intermediate_employment", "farm_welfare", "volunteering"]


class Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "月次支払の性能測定（1年分の開催回・出欠を生成して12か月分を計算）"

    def add_arguments(self, parser):
        parser.add_argument("--sessions", type=int, default=200_000)
        parser.add_argument("--partners", type=int, default=150)
        parser.add_argument("--participants", type=int, default=3_000)
        parser.add_argument("--supporters", type=int, default=300)
        parser.add_argument("--fiscal-year", type=int, default=None)
        parser.add_argument(
            "--repeats", type=int, default=5, help="各測定の繰り返し回数（中央値を報告）"
        )
        parser.add_argument(
            "--keep", action="store_true", help="生成したデータを残す（通常は巻き戻す）"
        )

    def handle(
        self,
        *args,
        sessions,
        partners,
        participants,
        supporters,
        fiscal_year,
        keep,
        repeats,
        **options,
    ):
        if repeats < 1:
            raise CommandError("--repeats は1以上の整数で指定してください。")
        fy = (
            fiscal_year or fiscal_year_of(local_today()) - 5
        )  # a past year: no clash with real data
        result = {}
        if not connection.in_atomic_block:
            t0 = _time.perf_counter()
            self.vacuum()
            result["vacuum_s"] = round(_time.perf_counter() - t0, 2)
        try:
            with transaction.atomic():
                t0 = _time.perf_counter()
                counts = self.generate(fy, sessions, partners, participants, supporters)
                result.update(counts)
                result["generate_s"] = round(_time.perf_counter() - t0, 2)
                result.update(self.measure(fy, repeats))
                if not keep:
                    raise Rollback
        except Rollback:
            pass
        self.stdout.write(json.dumps(result, ensure_ascii=False))

    # --- data ---------------------------------------------------------------

    def vacuum(self) -> None:
        """Clear the dead rows an earlier (rolled back) run left behind, before
        autovacuum gets to them: otherwise the plain GROUP BY, which reads the
        whole tables, is measured over them too (2× slower when runs follow
        each other), and the ratios look better than they are."""
        tables = [
            m._meta.db_table
            for m in (
                Partner,
                Opportunity,
                ParticipantProfile,
                Supporter,
                Session,
                Attendance,
                FeeRule,
                PayoutRun,
                PayoutLine,
                AuditEntry,
            )
        ]
        with connection.cursor() as c:
            c.execute(f"VACUUM (ANALYZE) {', '.join(tables)}")

    def generate(self, fy, n_sessions, n_partners, n_participants, n_supporters) -> dict:
        tag = f"B{fy}"
        partner_objs = Partner.objects.bulk_create(
            Partner(
                code=f"{tag}P{i:04d}",
                name=f"ベンチ協力機関{i}",
                category="commerce",
                municipality="山武市",
            )
            for i in range(n_partners)
        )
        opps = Opportunity.objects.bulk_create(
            Opportunity(
                code=f"{tag}O{i:04d}",
                partner=p,
                title=f"ベンチ活動{i}",
                kind=KINDS[i % len(KINDS)],
                employment_type="non_employment"
                if KINDS[i % len(KINDS)] == "intermediate_employment"
                else "",
            )
            for i, p in enumerate(partner_objs)
        )
        people = ParticipantProfile.objects.bulk_create(
            ParticipantProfile(code=f"{tag}U{i:05d}", display_name=f"参加者{i}")
            for i in range(n_participants)
        )
        sups = Supporter.objects.bulk_create(
            Supporter(code=f"{tag}S{i:04d}", name=f"サポーター{i}") for i in range(n_supporters)
        )
        first, _last = fiscal_year_bounds(fy)
        per_opp = math.ceil(n_sessions / n_partners)
        slots = max(1, math.ceil(per_opp / 360))  # sessions a day per opportunity
        gap = 600 // slots  # minutes between slot starts, from 08:00
        length = min(120, gap)
        s, a = Session._meta.db_table, Attendance._meta.db_table
        params = {
            "n": n_sessions,
            "opps": [o.pk for o in opps],
            "np": n_partners,
            "slots": slots,
            "gap": gap,
            "length": length,
            "first": first,
        }
        with connection.cursor() as c:
            # Session i: opportunity i % partners; day and slot from i / partners.
            c.execute(
                f"""
                INSERT INTO {s} (opportunity_id, starts_at, ends_at, capacity, seats_taken, instructor_name, status, created_at)
                SELECT (%(opps)s::bigint[])[1 + i %% %(np)s], st, st + make_interval(mins => %(length)s), 5, 0, '',
                       CASE WHEN i %% 10 = 0 THEN 'cancelled' ELSE 'held' END, now()
                FROM (
                    SELECT i, ((%(first)s::date + ((i / %(np)s) / %(slots)s))::timestamp
                               + make_interval(mins => 480 + ((i / %(np)s) %% %(slots)s) * %(gap)s))
                              AT TIME ZONE 'Asia/Tokyo' AS st
                    FROM generate_series(0, %(n)s - 1) AS i
                ) g
                """,
                params,
            )
            c.execute(f"SELECT min(id) FROM {s} WHERE opportunity_id = ANY(%s)", [params["opps"]])
            base = c.fetchone()[0]
            # Three trainees per session, one in five absent; a supporter at every
            # third. Everything is keyed on the session's offset from the first
            # id (never the id itself: the sequence moves on after each rolled
            # back run), so every run generates the same data and totals.
            c.execute(
                f"""
                INSERT INTO {a} (session_id, participant_id, supporter_id, role, status, minutes, recorded_at)
                SELECT ss.id, (%(people)s::bigint[])[1 + ((ss.id - %(base)s) * 3 + k) %% %(npeople)s], NULL, 'trainee',
                       CASE WHEN (ss.id - %(base)s + k) %% 5 = 0 THEN 'absent' ELSE 'present' END,
                       CASE WHEN (ss.id - %(base)s + k) %% 5 = 0 THEN 0 ELSE %(length)s END, now()
                FROM {s} ss CROSS JOIN generate_series(0, 2) AS k
                WHERE ss.opportunity_id = ANY(%(opps)s)
                """,
                {
                    **params,
                    "people": [p.pk for p in people],
                    "npeople": n_participants,
                    "base": base,
                },
            )
            c.execute(
                f"""
                INSERT INTO {a} (session_id, participant_id, supporter_id, role, status, minutes, recorded_at)
                SELECT ss.id, NULL, (%(sups)s::bigint[])[1 + (ss.id - %(base)s) %% %(nsups)s], 'supporter', 'present',
                       50 + (ss.id - %(base)s) %% 70, now()
                FROM {s} ss WHERE ss.opportunity_id = ANY(%(opps)s) AND (ss.id - %(base)s) %% 3 = 0
                """,
                {**params, "sups": [x.pk for x in sups], "nsups": n_supporters, "base": base},
            )
            # Every table written to, not only the big two: with stale statistics
            # on the opportunity table (its new ids above the histogram) the
            # planner expects a merge join on it to stop early and picks a
            # nested loop over the month's attendance (seconds per month).
            for model in (Partner, Opportunity, ParticipantProfile, Supporter, Session, Attendance):
                c.execute(f"ANALYZE {model._meta.db_table}")
            c.execute(
                f"SELECT count(*) FROM {a} a JOIN {s} s ON s.id = a.session_id WHERE s.opportunity_id = ANY(%s)",
                [params["opps"]],
            )
            attendance_rows = c.fetchone()[0]
        return {
            "sessions": n_sessions,
            "partners": n_partners,
            "attendance_rows": attendance_rows,
            "fiscal_year": fy,
        }

    # --- timing -------------------------------------------------------------

    def run_year(self, rule: FeeRule) -> tuple[float, float, int]:
        """Compute (timed) and approve the rule's 12 months, then roll them
        back, so that every repeat starts from the same state."""
        month = date(rule.fiscal_year, 4, 1)
        per_month = []
        total_yen = 0
        savepoint = transaction.savepoint()
        for _ in range(12):
            t = _time.perf_counter()
            run = payout_run_compute(rule=rule, month=month)
            per_month.append(_time.perf_counter() - t)
            payout_run_approve(run=run)
            total_yen += run.total_yen
            month = next_month(month)
        transaction.savepoint_rollback(savepoint)
        return sum(per_month), max(per_month), total_yen

    def group_by(self, sql: str, params) -> float:
        t = _time.perf_counter()
        with connection.cursor() as c:
            c.execute(sql, params)
            c.fetchall()
        return _time.perf_counter() - t

    def measure(self, fy, repeats: int) -> dict:
        first, last = fiscal_year_bounds(fy)
        common = {"fiscal_year": fy, "valid_from": first, "valid_to": last, "budget_yen": None}
        day_rule = FeeRule.objects.create(
            code=f"BENCH{fy}-DAY",
            name="bench day",
            payee="partner",
            basis="day",
            rate_yen=2_500,
            **common,
        )
        hour_rule = FeeRule.objects.create(
            code=f"BENCH{fy}-HOUR",
            name="bench hour",
            payee="supporter",
            basis="hour",
            rate_yen=1_000,
            **common,
        )
        s, o, a = Session._meta.db_table, Opportunity._meta.db_table, Attendance._meta.db_table
        start, end = at(first, time(0)), at(next_month(last), time(0))
        # The plain GROUP BY baseline: the same rows, the same grouping, no rules.
        day_sql = f"""
            SELECT o.partner_id, date_trunc('month', s.starts_at AT TIME ZONE 'Asia/Tokyo'),
                   COUNT(DISTINCT (s.starts_at AT TIME ZONE 'Asia/Tokyo')::date)
            FROM {s} s JOIN {o} o ON o.id = s.opportunity_id
            WHERE s.status <> 'cancelled' AND s.starts_at >= %s AND s.starts_at < %s
              AND EXISTS (SELECT 1 FROM {a} a WHERE a.session_id = s.id AND a.status = 'present' AND a.role = 'trainee')
            GROUP BY 1, 2
        """
        hour_sql = f"""
            SELECT a.supporter_id, date_trunc('month', s.starts_at AT TIME ZONE 'Asia/Tokyo'), SUM(a.minutes / 15)
            FROM {a} a JOIN {s} s ON s.id = a.session_id
            WHERE a.role = 'supporter' AND a.status = 'present' AND s.status <> 'cancelled'
              AND s.starts_at >= %s AND s.starts_at < %s
            GROUP BY 1, 2
        """
        window = [start, end]
        # Warm-up, not timed: each query and each rule's year once.
        for sql, rule in ((day_sql, day_rule), (hour_sql, hour_rule)):
            self.group_by(sql, window)
            self.run_year(rule)
        runs: dict[str, list[float]] = {
            "day": [],
            "hour": [],
            "group_by_day": [],
            "group_by_hour": [],
        }
        slowest = {"day": 0.0, "hour": 0.0}
        totals: dict[str, set[int]] = {"day": set(), "hour": set()}
        for _ in range(repeats):
            for basis, sql, rule in (("day", day_sql, day_rule), ("hour", hour_sql, hour_rule)):
                runs[f"group_by_{basis}"].append(self.group_by(sql, window))
                year_s, slowest_s, yen = self.run_year(rule)
                runs[basis].append(year_s)
                slowest[basis] = max(slowest[basis], slowest_s)
                totals[basis].add(yen)
        if len(totals["day"]) != 1 or len(totals["hour"]) != 1:
            raise CommandError(f"繰り返しごとに合計額が異なります: {totals}")
        median = {key: statistics.median(values) for key, values in runs.items()}

        def ratio(basis: str) -> float | None:
            base = median[f"group_by_{basis}"]
            return round(median[basis] / base, 2) if base else None

        return {
            "day_rule_12_months_s": round(median["day"], 3),
            "day_rule_slowest_month_s": round(slowest["day"], 3),
            "hour_rule_12_months_s": round(median["hour"], 3),
            "hour_rule_slowest_month_s": round(slowest["hour"], 3),
            "group_by_day_year_s": round(median["group_by_day"], 3),
            "group_by_hour_year_s": round(median["group_by_hour"], 3),
            "ratio_day": ratio("day"),
            "ratio_hour": ratio("hour"),
            "day_rule_total_yen": totals["day"].pop(),
            "hour_rule_total_yen": totals["hour"].pop(),
            "repeats": repeats,
            **{
                f"{name}_runs_s": [round(v, 3) for v in runs[key]]
                for name, key in (
                    ("day_rule_12_months", "day"),
                    ("hour_rule_12_months", "hour"),
                    ("group_by_day_year", "group_by_day"),
                    ("group_by_hour_year", "group_by_hour"),
                )
            },
        }
