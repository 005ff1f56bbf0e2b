"""The activity ledger (活動実績): place-to-be visits, children's cafeteria
sessions, food donations received and distributions made, cool-station days.

Writes (``activity_record_save``, ``activity_record_delete``) are audited like
every other correction (training.services.audit_record); the partner pages,
the secretariat pages, the admin and the import (training.imports) all go
through them. Reads: the ledger list with its filters and the monthly totals
per activity that the secretariat page and the grant report show.

A line is one partner's activity on one day for one counterpart type (who
gave or received the food; blank for the other activities). ``count`` is the
number of sessions, visits or donations/distributions, ``persons`` how many
people, ``weight_kg`` the food's weight (tonnes = kg / 1000).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from core.clock import fiscal_year_bounds, local_today, month_start, next_month
from core.errors import Conflict, NotAllowed
from core.importing import CREATED, UNCHANGED, UPDATED
from opportunities.models import Partner
from training.models import FOOD_ACTIVITIES, ActivityRecord
from training.services import audit_record

EARLIEST_DAY = date(2000, 1, 1)
MAX_COUNT = 100_000
MAX_PERSONS = 100_000
MAX_WEIGHT_KG = Decimal("1000000")  # 1,000 t in one line is a typing mistake
KEY_FIELDS = ("partner", "activity", "held_on", "counterpart_type")
VALUE_FIELDS = ("count", "persons", "weight_kg", "note")


# --- checks shared by the pages, the import and the admin ---------------------


def activity_record_problems(values: dict, *, today: date | None = None) -> list[str]:
    """Every reason ``values`` cannot be a ledger line, as sentences for a
    person (empty when the line is fine). ``values`` holds held_on, activity,
    count, persons, weight_kg (Decimal or None) and counterpart_type."""
    today = today or local_today()
    problems = []
    held_on = values.get("held_on")
    activity = values.get("activity")
    weight = values.get("weight_kg")
    if held_on is not None:
        if held_on > today:
            problems.append(
                _("これから先の日付の実績は登録できません（実施日 %(day)s）。") % {"day": held_on}
            )
        elif held_on < EARLIEST_DAY:
            problems.append(
                _("実施日は %(earliest)s 以降の日付にしてください。")
                % {"earliest": EARLIEST_DAY.isoformat()}
            )
    if activity not in ActivityRecord.Activity.values:
        problems.append(_("活動の種類を一覧から選んでください。"))
    count, persons = values.get("count"), values.get("persons")
    if count is not None and not 1 <= count <= MAX_COUNT:
        problems.append(
            _("回数・件数は1以上%(max)s以下にしてください。") % {"max": f"{MAX_COUNT:,}"}
        )
    if persons is not None and not 0 <= persons <= MAX_PERSONS:
        problems.append(_("人数は0以上%(max)s以下にしてください。") % {"max": f"{MAX_PERSONS:,}"})
    food = activity in FOOD_ACTIVITIES
    if food and weight is None:
        problems.append(
            _("食品の寄付受入・配布には重さ（kg）を入力してください（量れない場合は0）。")
        )
    if not food and weight is not None:
        problems.append(_("重さ（kg）は食品の寄付受入・配布のときだけ入力できます。"))
    if weight is not None:
        if weight < 0 or weight > MAX_WEIGHT_KG:
            problems.append(
                _("重さ（kg）は0以上%(max)s以下にしてください。") % {"max": f"{MAX_WEIGHT_KG:,}"}
            )
        elif weight != weight.quantize(Decimal("0.1")):
            problems.append(_("重さ（kg）は小数点以下1桁までで入力してください。"))
    counterpart = values.get("counterpart_type") or ""
    if counterpart and not food:
        problems.append(_("寄付元・配布先の種類は食品の寄付受入・配布のときだけ選べます。"))
    if counterpart and counterpart not in ActivityRecord.CounterpartType.values:
        problems.append(_("寄付元・配布先の種類を一覧から選んでください。"))
    return problems


def _check_may_edit(by, partner: Partner) -> None:
    """The secretariat edits every partner's lines, partner staff their own
    organisation's; a command without --user (by=None) is the operator."""
    if by is None or getattr(by, "is_secretariat", False):
        return
    if getattr(by, "is_partner_staff", False) and by.partner_id == partner.pk:
        return
    raise NotAllowed(_("この協力機関の活動実績を変更する権限がありません。"))


def activity_record_snapshot(record: ActivityRecord) -> dict:
    return {
        "partner": record.partner.code,
        "activity": record.activity,
        "held_on": record.held_on.isoformat(),
        "counterpart_type": record.counterpart_type,
        "count": record.count,
        "persons": record.persons,
        "weight_kg": None if record.weight_kg is None else str(record.weight_kg),
        "note": record.note,
    }


def _normalise(values: dict) -> dict:
    values = dict(values)
    values["counterpart_type"] = values.get("counterpart_type") or ""
    values["note"] = (values.get("note") or "").strip()
    if values.get("weight_kg") is not None:
        values["weight_kg"] = Decimal(values["weight_kg"])
    return values


def _duplicate_message(values: dict) -> str:
    return _(
        "%(day)s の「%(activity)s」（%(counterpart)s）の実績はすでに登録されています。"
        "その行を編集してください。"
    ) % {
        "day": values["held_on"],
        "activity": ActivityRecord.Activity(values["activity"]).label,
        "counterpart": (
            ActivityRecord.CounterpartType(values["counterpart_type"]).label
            if values["counterpart_type"]
            else _("種類なし")
        ),
    }


# --- writes -------------------------------------------------------------------


@transaction.atomic
def activity_record_save(
    *,
    values: dict,
    record: ActivityRecord | None = None,
    by=None,
    upsert: bool = False,
) -> tuple[ActivityRecord, str]:
    """Create a ledger line, or change ``record``; (line, CREATED/UPDATED/UNCHANGED).

    ``values`` holds partner, activity, held_on, counterpart_type, count,
    persons, weight_kg and note. A new line whose partner, activity, day and
    counterpart type are already taken is refused (Conflict), unless
    ``upsert`` (the import), which updates that line instead. Every change is
    in the audit log; bad values raise ValidationError with every reason."""
    values = _normalise(values)
    problems = activity_record_problems(values)
    if problems:
        raise ValidationError(problems)
    partner = values["partner"]
    _check_may_edit(by, partner)
    if record is not None:
        _check_may_edit(by, record.partner)
        record = ActivityRecord.objects.select_for_update().get(pk=record.pk)
    key = {name: values[name] for name in KEY_FIELDS}
    existing = ActivityRecord.objects.select_for_update().filter(**key).first()
    if record is None and existing is not None:
        if not upsert:
            raise Conflict(_duplicate_message(values))
        record = existing
    elif record is not None and existing is not None and existing.pk != record.pk:
        raise Conflict(_duplicate_message(values))

    if record is None:
        record = ActivityRecord(entered_by=by, **{n: values[n] for n in KEY_FIELDS + VALUE_FIELDS})
        record.full_clean()
        try:
            with transaction.atomic():
                record.save()
        except IntegrityError:  # saved by someone else a moment ago
            raise Conflict(_duplicate_message(values)) from None
        audit_record(
            by=by,
            action="activity_record_created",
            target=record,
            before=None,
            after=activity_record_snapshot(record),
        )
        return record, CREATED

    before = activity_record_snapshot(record)
    for name in KEY_FIELDS + VALUE_FIELDS:
        setattr(record, name, values[name])
    after = activity_record_snapshot(record)
    if before == after:
        return record, UNCHANGED
    record.full_clean()
    record.save()
    audit_record(by=by, action="activity_record_changed", target=record, before=before, after=after)
    return record, UPDATED


@transaction.atomic
def activity_record_delete(*, record: ActivityRecord, by=None) -> None:
    """Remove a ledger line; the audit log keeps what it said."""
    _check_may_edit(by, record.partner)
    record = ActivityRecord.objects.select_for_update().select_related("partner").get(pk=record.pk)
    before = activity_record_snapshot(record)
    pk = record.pk
    record.delete()
    record.pk = pk  # the audit entry names the line that was removed
    audit_record(by=by, action="activity_record_deleted", target=record, before=before, after=None)


# --- reads --------------------------------------------------------------------


def ledger_records(
    *,
    fiscal_year: int | None = None,
    month: date | None = None,
    partner: Partner | None = None,
    activity: str = "",
) -> QuerySet[ActivityRecord]:
    """Ledger lines, newest first, filtered by fiscal year, month (any day in
    it), partner and activity; every filter is optional."""
    records = ActivityRecord.objects.select_related("partner")
    if fiscal_year is not None:
        first, last = fiscal_year_bounds(fiscal_year)
        records = records.filter(held_on__gte=first, held_on__lte=last)
    if month is not None:
        start = month_start(month)
        records = records.filter(held_on__gte=start, held_on__lt=next_month(start))
    if partner is not None:
        records = records.filter(partner=partner)
    if activity:
        records = records.filter(activity=activity)
    return records.order_by("-held_on", "partner__code", "activity", "counterpart_type", "pk")


def tonnes(kg: Decimal | None) -> Decimal:
    """kg as tonnes, exactly: a weight has one decimal in kg, so four in
    tonnes, and the tonnes of the months add up to the year's."""
    return (Decimal(kg or 0) / 1000).quantize(Decimal("0.0001"))


def _empty_totals() -> dict:
    return {"days": 0, "count": 0, "persons": 0, "weight_kg": Decimal("0.0")}


def ledger_monthly_totals(
    *, fiscal_year: int, partner: Partner | None = None, activity: str = ""
) -> dict:
    """Totals per month (April first) and activity for a fiscal year.

    ``days`` are operating days: a partner's day with at least one line of the
    activity counts once, however many counterpart types it has; ``count``,
    ``persons`` and ``weight_kg`` are sums, ``tonnes`` is kg / 1000. Returns
    {"activities": [(value, label)], "months": [{"month", "activities":
    {value: totals}}], "year": {value: totals}}; the year's figures are the sums
    of the months'."""
    rows = (
        ledger_records(fiscal_year=fiscal_year, partner=partner, activity=activity)
        .order_by()
        .values_list("held_on", "partner_id", "activity", "count", "persons", "weight_kg")
    )
    activities = [
        (value, label)
        for value, label in ActivityRecord.Activity.choices
        if not activity or value == activity
    ]
    per_month: dict[date, dict[str, dict]] = defaultdict(
        lambda: {value: _empty_totals() for value, _label in activities}
    )
    seen_days: set[tuple] = set()
    for held_on, partner_id, act, count, persons, weight in rows:
        totals = per_month[month_start(held_on)][act]
        if (held_on, partner_id, act) not in seen_days:
            seen_days.add((held_on, partner_id, act))
            totals["days"] += 1
        totals["count"] += count
        totals["persons"] += persons
        totals["weight_kg"] += weight or 0
    months = []
    year = {value: _empty_totals() for value, _label in activities}
    month = fiscal_year_bounds(fiscal_year)[0]
    for _i in range(12):
        figures = per_month[month]
        for value, totals in figures.items():
            totals["tonnes"] = tonnes(totals["weight_kg"])
            for name in ("days", "count", "persons", "weight_kg"):
                year[value][name] += totals[name]
        months.append({"month": month, "activities": figures})
        month = next_month(month)
    for totals in year.values():
        totals["tonnes"] = tonnes(totals["weight_kg"])
    return {"activities": activities, "months": months, "year": year}
