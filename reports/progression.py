"""Readiness progression for a fiscal year (April–March, Asia/Tokyo).

Definitions (the secretariat page, the coach page and the grant report all
read them from here):

* **Cohort** – participants who were present as a trainee at a held or
  scheduled (not cancelled) session in the year, or who were assessed in the
  year. A partner or opportunity-kind filter keeps only those present at a
  session of that partner / kind in the year; a municipality filter keeps those
  who live there. The coach page passes its caseload as ``participants``.
* **Start step** – the step of the latest assessment before 1 April, or, for
  someone first assessed during the year, that first assessment. **End step** –
  the latest assessment up to 31 March. A participant never assessed up to the
  end of the year has neither and is left out of the flow table.
* **Moved up** – end step above start step (so it equals the sum of the flow
  table's cells above the diagonal).
* **Days to a step-up** – for each assessment in the year that is higher than
  the one before it: the days since the participant reached the step it leaves
  (the first assessment at that step, or their first assessment at all). The
  page shows the median of these.
* **Still attending after 3 / 6 months** – among cohort members whose first
  ever attendance (present, as trainee) falls in the year: present again at
  least once in the month that follows the horizon, i.e. on a day in
  [first + 3 months, first + 4 months). Only people whose month has already
  ended (today) are counted in the denominator (``eligible``).
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, time
from statistics import median

from django.db.models import QuerySet
from django.db.models.functions import TruncDate

from core.clock import JST, at, fiscal_year_bounds, local_today
from opportunities.models import Session
from people.models import ParticipantProfile, ReadinessAssessment
from people.readiness import Readiness
from reports.suppression import SUPPRESSED, WITHHELD, is_small, suppress_count
from training.models import Attendance

STEPS = [int(s) for s in Readiness]
HORIZONS = (3, 6)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day if it is shorter)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Cohort:
    fiscal_year: int
    partner_id: int | None = None
    kind: str = ""
    municipality: str = ""


@dataclass
class Retention:
    months: int
    eligible: int = 0
    retained: int = 0

    @property
    def percent(self) -> float | None:
        return round(self.retained * 100 / self.eligible, 1) if self.eligible else None


@dataclass
class Progression:
    cohort: Cohort
    participants: int = 0
    assessed: int = 0  # with a start step, i.e. in the flow table
    moved_up: int = 0
    step_up_days: list[int] = field(default_factory=list)
    step_up_people: int = 0  # how many people the step-ups above come from
    flow: list[list[int]] = field(default_factory=lambda: [[0] * len(STEPS) for _ in STEPS])
    retention: list[Retention] = field(default_factory=list)

    @property
    def step_ups(self) -> int:
        return len(self.step_up_days)

    @property
    def median_days(self) -> float | None:
        return float(median(self.step_up_days)) if self.step_up_days else None

    def row_totals(self) -> list[int]:
        return [sum(row) for row in self.flow]

    def column_totals(self) -> list[int]:
        return [sum(row[i] for row in self.flow) for i in range(len(STEPS))]


def _present(fiscal_year: int | None = None):
    qs = Attendance.objects.filter(
        status=Attendance.Status.PRESENT,
        role=Attendance.Role.TRAINEE,
        participant__isnull=False,
    ).exclude(session__status=Session.Status.CANCELLED)
    if fiscal_year is not None:
        first = fiscal_year_bounds(fiscal_year)[0]
        qs = qs.filter(
            session__starts_at__gte=at(first, time.min),
            session__starts_at__lt=at(add_months(first, 12), time.min),
        )
    return qs


def cohort_ids(
    cohort: Cohort, *, participants: QuerySet[ParticipantProfile] | None = None
) -> set[int]:
    """The participant ids in the cohort (see the module's definitions)."""
    first, last = fiscal_year_bounds(cohort.fiscal_year)
    attended = _present(cohort.fiscal_year)
    if cohort.partner_id:
        attended = attended.filter(session__opportunity__partner_id=cohort.partner_id)
    if cohort.kind:
        attended = attended.filter(session__opportunity__kind=cohort.kind)
    ids = set(attended.values_list("participant_id", flat=True))
    if not (cohort.partner_id or cohort.kind):
        ids |= set(
            ReadinessAssessment.objects.filter(
                assessed_on__gte=first, assessed_on__lte=last
            ).values_list("participant_id", flat=True)
        )
    qs = ParticipantProfile.objects.filter(pk__in=ids)
    if cohort.municipality:
        qs = qs.filter(municipality=cohort.municipality)
    if participants is not None:
        qs = qs.filter(pk__in=participants.values("pk"))
    return set(qs.values_list("pk", flat=True))


def progression(
    cohort: Cohort, *, participants: QuerySet[ParticipantProfile] | None = None
) -> Progression:
    """The year's progression for the cohort (exact counts; suppress them with
    ``progression_display`` before showing them outside the secretariat)."""
    first, last = fiscal_year_bounds(cohort.fiscal_year)
    ids = cohort_ids(cohort, participants=participants)
    result = Progression(cohort=cohort, participants=len(ids))

    history: dict[int, list[tuple[date, int]]] = defaultdict(list)
    for pid, day, step in (
        ReadinessAssessment.objects.filter(participant_id__in=ids, assessed_on__lte=last)
        .order_by("participant_id", "assessed_on", "created_at", "pk")
        .values_list("participant_id", "assessed_on", "step")
    ):
        history[pid].append((day, step))

    for assessments in history.values():
        before = [step for day, step in assessments if day < first]
        start = before[-1] if before else assessments[0][1]
        end = assessments[-1][1]
        result.assessed += 1
        result.flow[start - 1][end - 1] += 1
        if end > start:
            result.moved_up += 1
        since, previous = assessments[0]
        stepped = False
        for day, step in assessments[1:]:
            if step > previous and first <= day <= last:
                result.step_up_days.append((day - since).days)
                stepped = True
            if step != previous:
                since = day
            previous = step
        result.step_up_people += stepped

    attendance_days: dict[int, list[date]] = defaultdict(list)
    for pid, day in (
        _present()
        .filter(participant_id__in=ids)
        .annotate(day=TruncDate("session__starts_at", tzinfo=JST))
        .order_by("participant_id", "day")
        .values_list("participant_id", "day")
        .distinct()
    ):
        attendance_days[pid].append(day)
    today = local_today()
    for months in HORIZONS:
        retention = Retention(months=months)
        for days in attendance_days.values():
            start_day = days[0]
            if not first <= start_day <= last:
                continue
            window_start, window_end = (
                add_months(start_day, months),
                add_months(start_day, months + 1),
            )
            if window_end > today:
                continue  # the month after the horizon is not over yet
            retention.eligible += 1
            if any(window_start <= d < window_end for d in days):
                retention.retained += 1
        result.retention.append(retention)
    return result


def _label(step: int) -> str:
    return str(Readiness(step).label)


def progression_display(result: Progression, *, suppress: bool) -> dict:
    """The figures as a page or the report shows them: exact numbers for the
    secretariat, or with ``reports.suppression`` applied (``"<5"``, and ``"—"``
    for a total or share that would give a suppressed count away)."""
    flow = result.flow
    rows, cols = result.row_totals(), result.column_totals()
    median_days = result.median_days
    if not suppress:
        return {
            "suppressed": False,
            "participants": result.participants,
            "assessed": result.assessed,
            "moved_up": result.moved_up,
            "step_ups": result.step_ups,
            "median_days": median_days,
            "flow": [
                {"step": step, "label": _label(step), "cells": flow[i], "total": rows[i]}
                for i, step in enumerate(STEPS)
            ],
            "column_totals": cols,
            "grand_total": result.assessed,
            "retention": [
                {
                    "months": r.months,
                    "eligible": r.eligible,
                    "retained": r.retained,
                    "percent": r.percent,
                }
                for r in result.retention
            ],
            "withheld_any": False,
        }

    cell_hidden = any(is_small(n) for row in flow for n in row)
    unassessed_small = is_small(result.participants - result.assessed)
    # With a suppressed cell, every margin is withheld: a row, column or grand
    # total beside the cells it sums would give the suppressed one away.
    margins_hidden = cell_hidden or unassessed_small
    retention = []
    for r in result.retention:
        complement_small = is_small(r.eligible - r.retained)
        retained: int | str = suppress_count(r.retained)
        if complement_small and retained != SUPPRESSED:
            retained = WITHHELD  # eligible − retained would be a count of 1–4
        share_hidden = is_small(r.eligible) or is_small(r.retained) or complement_small
        retention.append(
            {
                "months": r.months,
                "eligible": suppress_count(r.eligible),
                "retained": retained,
                "percent": WITHHELD if share_hidden else r.percent,
            }
        )
    withheld_any = (
        margins_hidden
        or is_small(result.participants)
        or any(x["percent"] == WITHHELD for x in retention)
        or is_small(result.step_ups)
    )
    return {
        "suppressed": True,
        "participants": suppress_count(result.participants),
        "assessed": WITHHELD if margins_hidden else suppress_count(result.assessed),
        "moved_up": WITHHELD if margins_hidden else suppress_count(result.moved_up),
        "step_ups": suppress_count(result.step_ups),
        # A median of step-ups by one to four people is one of those people's
        # own figure, however many step-ups they made.
        "median_days": WITHHELD
        if is_small(result.step_ups) or is_small(result.step_up_people)
        else median_days,
        "flow": [
            {
                "step": step,
                "label": _label(step),
                "cells": [suppress_count(n) for n in flow[i]],
                "total": WITHHELD if margins_hidden else suppress_count(rows[i]),
            }
            for i, step in enumerate(STEPS)
        ],
        "column_totals": [WITHHELD if margins_hidden else suppress_count(n) for n in cols],
        "grand_total": WITHHELD if margins_hidden else suppress_count(result.assessed),
        "retention": retention,
        "withheld_any": withheld_any,
    }


def chart_data(display: dict) -> dict:
    """The flow as Chart.js series (one per end step); a suppressed or withheld
    cell is ``None`` and is not drawn, so the chart gives nothing away."""
    return {
        "labels": [_label(step) for step in STEPS],
        "series": [
            {
                "label": _label(end),
                "data": [
                    row["cells"][j] if isinstance(row["cells"][j], int) else None
                    for row in display["flow"]
                ],
            }
            for j, end in enumerate(STEPS)
        ],
    }
