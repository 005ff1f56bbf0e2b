"""Writes for fee rules, payout runs, attendance corrections and targets.

Money rules live in training/engine.py (pure); this module feeds it with the
usages that training/selectors.py aggregates in SQL, stores its lines, and
records every state change in the audit log.
"""

from __future__ import annotations

import getpass
from collections import defaultdict
from datetime import date

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from core.clock import fiscal_year_bounds
from core.errors import Conflict, DomainError, NotAllowed
from opportunities.models import Partner
from people.models import Supporter
from training import engine, selectors
from training.models import (
    Attendance,
    AuditEntry,
    FeeRule,
    ManualAdjustment,
    PayoutLine,
    PayoutRun,
    ProgrammeTarget,
)


def _actor_label(by) -> str:
    if by is not None:
        return by.get_username()
    # A command run without --user: name the operating-system account, so the
    # log still says who did it.
    return f"manage.py ({_os_user()})"


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (some containers)
        return "?"


def audit_record(*, by, action: str, target, before: dict | None, after: dict | None) -> AuditEntry:
    return AuditEntry.objects.create(
        actor=by,
        actor_label=_actor_label(by),
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        before=before,
        after=after,
    )


def _run_snapshot(run: PayoutRun, lines=None) -> dict:
    """The run for the audit log. ``lines``: its lines' (payee_code, kind,
    adjusts_month, units, amount_yen) in position order, when the caller has
    just written them (otherwise they are read)."""
    if lines is None:
        lines = run.lines.order_by("position").values_list(
            "payee_code", "kind", "adjusts_month", "units", "amount_yen"
        )
    return {
        "status": run.status,
        "total_yen": run.total_yen,
        "lines": [
            [code, kind, adjusts_month.isoformat() if adjusts_month else None, units, amount]
            for code, kind, adjusts_month, units, amount in lines
        ],
    }


def parse_month(value: str) -> date:
    """'2026-05' → date(2026, 5, 1), with a Japanese message on bad input."""
    try:
        year, month = (int(x) for x in value.strip().split("-"))
        return date(year, month, 1)
    except (ValueError, TypeError):
        raise DomainError(_("月は YYYY-MM の形で指定してください（例: 2026-05）。")) from None


def _check_month_in_rule(rule: FeeRule, month: date) -> None:
    first, last = fiscal_year_bounds(rule.fiscal_year)
    if not first <= month <= last:
        raise DomainError(
            _("%(month)s は%(fy)s年度（4月〜翌3月）の外です。")
            % {"month": f"{month:%Y-%m}", "fy": rule.fiscal_year}
        )


def _corrections(
    *, rule: FeeRule, run: PayoutRun
) -> tuple[list[engine.Correction], dict[date, list[selectors.PayeeUsage]]]:
    """Adjustments the draft must carry: each approved (or paid) earlier month
    computed again from today's attendance, minus what it was paid so far.

    Only what changed is read again: a month whose attendance (sessions,
    opportunities, payee codes) changed since its last computation is
    aggregated again in SQL; any other month's usage is the one stored on its
    lines, and a month whose lines were paid in full, priced with the current
    terms and never adjusted is not computed again at all (it would pay the
    same). Returns the corrections and the usages read again (for payee ids)."""
    frozen = list(
        PayoutRun.objects.filter(rule=rule, month__lt=run.month)
        .exclude(status=PayoutRun.Status.DRAFT)
        .order_by("month")
    )
    if not frozen:
        return [], {}
    # Budget left before each month, as the approved history stands.
    spent_per_month: dict[date, int] = {}
    if rule.budget_yen is not None:
        spent_per_month = dict(
            PayoutLine.objects.filter(run__rule=rule, run__month__lt=run.month)
            .exclude(run=run)
            .values_list("run__month")
            .annotate(total=Sum("amount_yen"))
            .values_list("run__month", "total")
        )

    def budget_before(month: date) -> int | None:
        if rule.budget_yen is None:
            return None
        return rule.budget_yen - sum(v for m, v in spent_per_month.items() if m < month)

    changed = selectors.payout_changed_months(rule=rule, runs=frozen)
    checks = selectors.payout_month_checks(
        rule=rule, runs=[r for r in frozen if r.month not in changed], exclude_run=run
    )
    unchanged_to_check = []
    for r in frozen:
        if r.month in changed:
            continue
        capped_total, irregular = checks.get(r.month, (0, False))
        before = budget_before(r.month)
        if irregular or (before is not None and capped_total > before):
            unchanged_to_check.append(r)
    todo = [r for r in frozen if r.month in changed or r in unchanged_to_check]
    if not todo:
        return [], {}
    usages_by_month: dict[date, list[selectors.PayeeUsage]] = {}
    for r in frozen:
        if r.month in changed:
            usages_by_month.update(
                selectors.payout_usages(rule=rule, first_month=r.month, last_month=r.month)
            )
    stored = selectors.payout_stored_usages(runs=unchanged_to_check)
    months = [r.month for r in todo]
    # What every month has been given so far: its own regular lines plus the
    # adjustments other runs already carry for it.
    paid: dict[date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    regular = PayoutLine.objects.filter(run__in=todo, kind=PayoutLine.Kind.REGULAR).values_list(
        "run__month", "payee_code", "amount_yen"
    )
    for month, code, amount in regular:
        paid[month][code] += amount
    adjusted = (
        PayoutLine.objects.filter(
            run__rule=rule, kind=PayoutLine.Kind.ADJUSTMENT, adjusts_month__in=months
        )
        .exclude(run=run)
        .values_list("adjusts_month", "payee_code", "amount_yen")
    )
    for adjusts_month, code, amount in adjusted:
        assert adjusts_month is not None  # adjustment lines always name their month
        paid[adjusts_month][code] += amount
    corrections = []
    for r in todo:
        if r.month in changed:
            usages = [u.usage for u in usages_by_month.get(r.month, [])]
        else:
            usages = stored.get(r.month, [])
        recomputed = engine.recomputed_month(rule.terms, r.month, usages, budget_before(r.month))
        for code, delta in engine.adjustment_deltas(recomputed, paid[r.month]).items():
            corrections.append(engine.Correction(month=r.month, payee=code, delta_yen=delta))
    return corrections, usages_by_month


def _mark_seen(run: PayoutRun) -> None:
    """Note which logged changes the computation about to read attendance
    sees (see training/migrations/0006_payout_change_log.py)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO training_payoutseen (run_id, watermark, snap, xid)
            SELECT %s, CASE WHEN is_called THEN last_value ELSE 0 END, pg_current_snapshot(),
                   pg_current_xact_id()
            FROM training_payoutchange_id_seq
            ON CONFLICT (run_id) DO UPDATE
            SET watermark = EXCLUDED.watermark, snap = EXCLUDED.snap, xid = EXCLUDED.xid
            """,
            [run.pk],
        )


def _insert_month_lines(
    *, rule: FeeRule, run: PayoutRun, remaining: int | None, after: int
) -> list[tuple[str, str, None, int, int]]:
    """Insert the month's regular lines, computed in SQL, at positions after
    ``after``; returns their (payee_code, kind, adjusts_month, units,
    amount_yen) in position order."""
    start, end = selectors._window(rule, run.month, run.month)
    if start >= end:
        return []
    terms = rule.terms
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH lines AS ({selectors.payout_month_lines_sql(rule)}),
            ins AS (
                INSERT INTO {PayoutLine._meta.db_table} (
                    run_id, position, kind, adjusts_month, partner_id, supporter_id,
                    participant_id, payee_code, payee_name, units, gross_yen, capped_yen,
                    amount_yen, cut_by_cap, cut_by_budget, first_session_at, session_ids, reason)
                SELECT %(run)s, %(after)s + rn, 'regular', NULL,
                       CASE WHEN payee_type = 'partner' THEN payee_id END,
                       CASE WHEN payee_type = 'supporter' THEN payee_id END,
                       CASE WHEN payee_type = 'participant' THEN payee_id END,
                       code, name, units, gross, capped, amount, cut_by_cap, amount < capped,
                       first_at, session_ids, ''
                FROM lines
                RETURNING position, payee_code, units, amount_yen
            )
            SELECT payee_code, units, amount_yen FROM ins ORDER BY position
            """,
            {
                "start": start,
                "end": end,
                "month": run.month,
                "ids_from": start,
                "kinds": list(rule.kinds),
                **selectors.window_session_ids(rule, start, end),
                "rate": terms.rate_yen,
                "cap": terms.monthly_cap_yen,
                "remaining": remaining,
                "run": run.pk,
                "after": after,
            },
        )
        return [(code, "regular", None, units, amount) for code, units, amount in cursor.fetchall()]


@transaction.atomic
def payout_run_compute(*, rule: FeeRule, month: date, by=None) -> PayoutRun:
    """Create or recompute the draft run of ``rule`` for ``month``."""
    month = month.replace(day=1)
    _check_month_in_rule(rule, month)
    # Runs of one rule share its budget: compute them one at a time.
    rule = FeeRule.objects.select_for_update().get(pk=rule.pk)
    run, created = PayoutRun.objects.select_for_update().get_or_create(rule=rule, month=month)
    if run.is_frozen:
        raise Conflict(
            _("%(run)s は承認済みのため再計算できません。") % {"run": f"{rule.code} {month:%Y-%m}"}
        )
    before = None if created else _run_snapshot(run)

    corrections, usages_by_month = _corrections(rule=rule, run=run)
    remaining = None
    if rule.budget_yen is not None:
        remaining = rule.budget_yen - selectors.budget_spent_before(
            rule=rule, month=month, exclude_run=run
        )
    manual = list(run.manual_adjustments.select_related("partner", "supporter").order_by("pk"))
    budget = engine.Budget(remaining)
    # Adjustments and manual lines first (few, in Python); then the month's
    # own payees, computed in SQL with what is left of the budget.
    lines = engine.head_lines(
        month,
        budget,
        corrections,
        [engine.ManualEntry(payee=m.payee.code, delta_yen=m.amount_yen) for m in manual],
    )
    reasons = iter([m.reason for m in manual])
    # Adjustments may name payees who have no usage this month.
    payees = _payee_refs(
        rule, [line.payee for line in lines if line.kind != engine.MANUAL], usages_by_month
    )
    for m in manual:
        payees[m.payee.code] = (
            ("partner", m.partner_id) if m.partner_id else ("supporter", m.supporter_id or 0)
        )
    names = selectors.payee_code_map(payees.values())
    run.lines.all().delete()
    rows = []
    for position, line in enumerate(lines, start=1):
        payee_type, payee_id = payees[line.payee]
        rows.append(
            PayoutLine(
                run=run,
                position=position,
                kind=line.kind,
                adjusts_month=line.month if line.kind == engine.ADJUSTMENT else None,
                partner_id=payee_id if payee_type == "partner" else None,
                supporter_id=payee_id if payee_type == "supporter" else None,
                participant_id=payee_id if payee_type == "participant" else None,
                payee_code=line.payee,
                payee_name=names[(payee_type, payee_id)][1],
                units=line.units,
                gross_yen=line.gross_yen,
                capped_yen=line.capped_yen,
                amount_yen=line.amount_yen,
                cut_by_cap=line.cut_by_cap,
                cut_by_budget=line.cut_by_budget,
                first_session_at=None,
                session_ids=[],
                reason=next(reasons) if line.kind == engine.MANUAL else "",
            )
        )
    PayoutLine.objects.bulk_create(rows)
    _mark_seen(run)
    month_lines = _insert_month_lines(
        rule=rule, run=run, remaining=budget.remaining_yen, after=len(lines)
    )
    written = [
        (r.payee_code, r.kind, r.adjusts_month, r.units, r.amount_yen) for r in rows
    ] + month_lines
    run.total_yen = sum(amount for *_, amount in written)
    run.computed_at = timezone.now()
    run.save(update_fields=["total_yen", "computed_at"])
    audit_record(
        by=by,
        action="payout_run_created" if created else "payout_run_recomputed",
        target=run,
        before=before,
        after=_run_snapshot(run, written),
    )
    return run


@transaction.atomic
def payout_adjustment_add(
    *, run: PayoutRun, payee_code: str, amount_yen: int, reason: str, by=None
) -> ManualAdjustment:
    """Add a manual line to a draft (a refund, a fee agreed outside the rule),
    with the reason the statement will show; the draft is recomputed at once."""
    run = PayoutRun.objects.select_for_update().select_related("rule").get(pk=run.pk)
    if run.is_frozen:
        raise Conflict(_("承認済みの支払には調整を追加できません。"))
    reason = " ".join(reason.split())
    if not reason:
        raise DomainError(_("調整の理由を入力してください。"))
    if len(reason) > 500:
        raise DomainError(_("調整の理由は500文字以内で入力してください。"))
    if not amount_yen or not -10_000_000 <= amount_yen <= 10_000_000:
        raise DomainError(_("調整額は0以外、±1,000万円以内の整数で入力してください。"))
    code = payee_code.strip()
    payee_model = Partner if run.rule.payee == FeeRule.Payee.PARTNER else Supporter
    payee = payee_model.objects.filter(code=code).first()
    if payee is None:
        raise DomainError(
            _("支払先コード %(code)s が見つかりません（このルールの支払先は%(payee)sです）。")
            % {"code": code, "payee": run.rule.get_payee_display()}
        )
    adjustment = ManualAdjustment.objects.create(
        run=run,
        partner=payee if isinstance(payee, Partner) else None,
        supporter=payee if isinstance(payee, Supporter) else None,
        amount_yen=amount_yen,
        reason=reason,
        created_by=by,
    )
    audit_record(
        by=by,
        action="payout_adjustment_added",
        target=run,
        before=None,
        after={"payee": code, "amount_yen": amount_yen, "reason": reason},
    )
    payout_run_compute(rule=run.rule, month=run.month, by=by)
    return adjustment


@transaction.atomic
def payout_adjustment_remove(*, adjustment: ManualAdjustment, by=None) -> PayoutRun:
    run = PayoutRun.objects.select_for_update().select_related("rule").get(pk=adjustment.run_id)
    if run.is_frozen:
        raise Conflict(_("承認済みの支払の調整は取り消せません。"))
    audit_record(
        by=by,
        action="payout_adjustment_removed",
        target=run,
        before={
            "payee": adjustment.payee.code,
            "amount_yen": adjustment.amount_yen,
            "reason": adjustment.reason,
        },
        after=None,
    )
    adjustment.delete()
    return payout_run_compute(rule=run.rule, month=run.month, by=by)


def _payee_refs(rule: FeeRule, codes: list[str], usages_by_month) -> dict[str, tuple[str, int]]:
    """(payee_type, id) for payee codes, looked up in earlier months' usages or
    the earlier lines of the rule."""
    refs = {}
    for usages in usages_by_month.values():
        for u in usages:
            if u.usage.payee in codes:
                refs[u.usage.payee] = (u.payee_type, u.payee_id)
    missing = [c for c in codes if c not in refs]
    if missing:
        for line in PayoutLine.objects.filter(run__rule=rule, payee_code__in=missing).order_by(
            "-pk"
        ):
            if line.partner_id:
                refs.setdefault(line.payee_code, ("partner", line.partner_id))
            elif line.supporter_id:
                refs.setdefault(line.payee_code, ("supporter", line.supporter_id))
            else:
                refs.setdefault(line.payee_code, ("participant", line.participant_id))
    return refs


def _transition(
    *, run: PayoutRun, by, from_status: str, to_status: str, action: str, **fields
) -> PayoutRun:
    # Conditional UPDATE: two people pressing "approve" at once change it once.
    updated = PayoutRun.objects.filter(pk=run.pk, status=from_status).update(
        status=to_status, **fields
    )
    if updated != 1:
        run.refresh_from_db()
        raise Conflict(
            _("%(run)s は「%(status)s」のため、この操作はできません。")
            % {"run": f"{run.rule.code} {run.month:%Y-%m}", "status": run.get_status_display()}
        )
    audit_record(
        by=by,
        action=action,
        target=run,
        before={"status": from_status},
        after={"status": to_status, "total_yen": run.total_yen},
    )
    run.refresh_from_db()
    return run


@transaction.atomic
def payout_run_approve(*, run: PayoutRun, by=None) -> PayoutRun:
    """Freeze a draft. Months are approved in date order, and only a draft
    computed after every earlier month's last computation, so that the
    budget the draft saw is the budget that is left."""
    rule = FeeRule.objects.select_for_update().get(pk=run.rule_id)
    run = PayoutRun.objects.select_for_update().get(pk=run.pk)
    label = f"{rule.code} {run.month:%Y-%m}"
    earlier = PayoutRun.objects.filter(rule=rule, month__lt=run.month)
    if run.status == PayoutRun.Status.DRAFT:
        if earlier.filter(status=PayoutRun.Status.DRAFT).exists():
            raise Conflict(
                _("%(run)s より前の月に未承認の下書きがあります。前の月から順に承認してください。")
                % {"run": label}
            )
        if earlier.filter(computed_at__gt=run.computed_at).exists():
            raise Conflict(
                _("%(run)s の計算後に前の月が再計算されました。再計算してから承認してください。")
                % {"run": label}
            )
        if rule.budget_yen is not None:
            frozen = (
                PayoutLine.objects.filter(run__rule=rule)
                .exclude(run__status=PayoutRun.Status.DRAFT)
                .aggregate(total=Sum("amount_yen"))["total"]
                or 0
            )
            if frozen + run.total_yen > rule.budget_yen:
                raise Conflict(
                    _("%(run)s を承認すると年度予算を超えます。再計算してから承認してください。")
                    % {"run": label}
                )
    return _transition(
        run=run,
        by=by,
        from_status="draft",
        to_status="approved",
        action="payout_run_approved",
        approved_at=timezone.now(),
        approved_by=by,
    )


@transaction.atomic
def payout_run_mark_paid(*, run: PayoutRun, by=None) -> PayoutRun:
    """Record that the money went out. With PAYOUT_FOUR_EYES on, a second
    person does it: not the one who approved the run, and not an unnamed
    command-line user."""
    if settings.PAYOUT_FOUR_EYES:
        current = PayoutRun.objects.get(pk=run.pk)
        if by is None:
            raise NotAllowed(
                _(
                    "承認と支払は別の人が行う設定です。支払済みにする人を --user で指定してください。"
                )
            )
        if current.approved_by_id == by.pk:
            raise NotAllowed(
                _(
                    "承認と支払は別の人が行う設定です。承認した人とは別の事務局スタッフが支払済みにしてください。"
                )
            )
    return _transition(
        run=run,
        by=by,
        from_status="approved",
        to_status="paid",
        action="payout_run_paid",
        paid_at=timezone.now(),
        paid_by=by,
    )


def attendance_snapshot(attendance: Attendance) -> dict:
    return {"status": attendance.status, "minutes": attendance.minutes, "role": attendance.role}


def attendance_correct(
    *, attendance: Attendance, status: str, minutes: int, role: str | None = None, by=None
) -> Attendance:
    """Change a recorded attendance, with an audit entry; no-op if unchanged."""
    before = attendance_snapshot(attendance)
    attendance.status = status
    attendance.minutes = minutes
    if role:
        attendance.role = role
    after = attendance_snapshot(attendance)
    if before == after:
        return attendance
    attendance.recorded_by = by
    attendance.recorded_at = timezone.now()
    attendance.full_clean()
    attendance.save()
    audit_record(
        by=by, action="attendance_corrected", target=attendance, before=before, after=after
    )
    return attendance


FEE_RULE_MONEY_TERMS = ["payee", "basis", "rate_yen", "monthly_cap_yen", "fiscal_year", "kinds"]


def _rule_snapshot(rule: FeeRule) -> dict:
    return {
        k: getattr(rule, k)
        for k in ["name", "budget_yen", "valid_from", "valid_to", *FEE_RULE_MONEY_TERMS]
    }


def _jsonable(snapshot: dict) -> dict:
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in snapshot.items()}


@transaction.atomic
def fee_rule_save(*, code: str, values: dict, by=None) -> tuple[FeeRule, str]:
    """Create or update a fee rule; returns (rule, "created"|"updated"|"unchanged").

    Validity dates default to the fiscal year. Once a rule has an approved
    run, its money terms are fixed (a change would silently re-price approved
    months through adjustments); its name, budget and validity may change.
    """
    rule = FeeRule.objects.select_for_update().filter(code=code).first()
    first, last = fiscal_year_bounds(values["fiscal_year"])
    if rule is None:
        rule = FeeRule(
            code=code,
            valid_from=values.pop("valid_from", None) or first,
            valid_to=values.pop("valid_to", None) or last,
            **values,
        )
        rule.full_clean()
        rule.save()
        audit_record(
            by=by,
            action="fee_rule_created",
            target=rule,
            before=None,
            after=_jsonable(_rule_snapshot(rule)),
        )
        return rule, "created"
    before = _rule_snapshot(rule)
    if before["fiscal_year"] != values["fiscal_year"] and not values.get("valid_from"):
        values = {**values, "valid_from": first, "valid_to": last}
    values = {
        k: v for k, v in values.items() if v is not None or k in ("monthly_cap_yen", "budget_yen")
    }
    for name, value in values.items():
        setattr(rule, name, value)
    after = _rule_snapshot(rule)
    if after == before:
        return rule, "unchanged"
    frozen = PayoutRun.objects.filter(rule=rule).exclude(status=PayoutRun.Status.DRAFT).exists()
    if frozen and any(before[k] != after[k] for k in FEE_RULE_MONEY_TERMS):
        raise Conflict(
            _(
                "ルール「%(code)s」には承認済みの支払があるため、支払先・単位・単価・上限・年度・対象種類は変更できません（新しいコードで登録してください）。"
            )
            % {"code": rule.code}
        )
    rule.full_clean()
    rule.save()
    audit_record(
        by=by,
        action="fee_rule_changed",
        target=rule,
        before=_jsonable(before),
        after=_jsonable(after),
    )
    return rule, "updated"


@transaction.atomic
def target_set(*, fiscal_year: int, metric: str, target: int, by=None) -> ProgrammeTarget:
    if metric not in ProgrammeTarget.Metric.values:
        raise DomainError(_("指標が正しくありません。"))
    if target < 0:
        raise DomainError(_("目標は0以上の整数で入力してください。"))
    obj, created = ProgrammeTarget.objects.get_or_create(
        fiscal_year=fiscal_year, metric=metric, defaults={"target": target}
    )
    if not created and obj.target != target:
        before = {"target": obj.target}
        obj.target = target
        obj.save(update_fields=["target"])
        audit_record(
            by=by, action="target_changed", target=obj, before=before, after={"target": target}
        )
    return obj
