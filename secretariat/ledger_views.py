"""The secretariat's activity ledger (活動実績): every partner's lines with
filters (fiscal year, month, partner, activity), the monthly totals per
activity (days, sessions/items, persons, tonnes) that the grant report uses,
a CSV of the filtered lines, and entry, correction and removal through
training.ledger (audited)."""

from __future__ import annotations

import csv
from datetime import date

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from core.clock import fiscal_year_bounds, fiscal_year_of, next_month
from core.errors import DomainError
from core.spreadsheets import formula_safe
from opportunities.models import Partner
from secretariat.views import _fiscal_year, secretariat_required
from training.ledger import (
    activity_record_delete,
    ledger_monthly_totals,
    ledger_records,
)
from training.ledger_forms import SecretariatActivityRecordForm
from training.models import FOOD_ACTIVITIES, ActivityRecord

PER_PAGE = 50


def _months(fy: int) -> list[date]:
    month, months = fiscal_year_bounds(fy)[0], []
    for _i in range(12):
        months.append(month)
        month = next_month(month)
    return months


def _filters(request, fy: int) -> tuple[dict, list[str]]:
    """The page's filters from the query string; a value that is not one of
    the choices is dropped with a message rather than failing the page."""
    problems = []
    month = None
    raw_month = request.GET.get("month", "").strip()
    if raw_month:
        month = next((m for m in _months(fy) if f"{m:%Y-%m}" == raw_month), None)
        if month is None:
            problems.append(_("月は表示中の年度の月から選んでください。"))
    partner = None
    code = request.GET.get("partner", "").strip()
    if code:
        partner = Partner.objects.filter(code=code).first()
        if partner is None:
            problems.append(_("協力機関「%(code)s」は見つかりません。") % {"code": code[:40]})
    activity = request.GET.get("activity", "").strip()
    if activity and activity not in ActivityRecord.Activity.values:
        problems.append(_("活動の種類を一覧から選んでください。"))
        activity = ""
    return {"month": month, "partner": partner, "activity": activity}, problems


@secretariat_required
def activity_list(request):
    fy, status = _fiscal_year(request)
    filters, problems = _filters(request, fy)
    for problem in problems:
        messages.error(request, problem)
    if problems:
        status = 400
    records = ledger_records(fiscal_year=fy, **filters)
    if request.GET.get("format") == "csv":
        return _csv(records, fy)
    totals = ledger_monthly_totals(
        fiscal_year=fy, partner=filters["partner"], activity=filters["activity"]
    )
    table = [
        {
            "value": value,
            "label": label,
            "food": value in FOOD_ACTIVITIES,
            "months": [
                (m["month"], m["activities"][value])
                for m in totals["months"]
                if m["activities"][value]["days"]
            ],
            "year": totals["year"][value],
        }
        for value, label in totals["activities"]
    ]
    page = Paginator(records, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "secretariat/activities.html",
        {
            "fy": fy,
            "page": page,
            "totals": table,
            "months": _months(fy),
            "month": filters["month"],
            "partner": filters["partner"],
            "activity": filters["activity"],
            "activities": ActivityRecord.Activity.choices,
            "partners": Partner.objects.order_by("code").only("code", "name"),
        },
        status=status,
    )


def _csv(records, fy: int) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="activities-FY{fy}.csv"'
    response.write("\ufeff")  # so that spreadsheet programs read it as UTF-8
    writer = csv.writer(response)
    # The import's columns first, so the file can be corrected and imported again.
    writer.writerow(
        [
            "date",
            "partner_code",
            "activity",
            "count",
            "persons",
            "weight_kg",
            "note",
            "counterpart_type",
            "partner_name",
        ]
    )
    for r in records.iterator():
        writer.writerow(
            [
                r.held_on.isoformat(),
                r.partner.code,
                r.activity,
                r.count,
                r.persons,
                "" if r.weight_kg is None else r.weight_kg,
                # Partner staff write notes: a spreadsheet must show them, never run them.
                formula_safe(r.note),
                r.counterpart_type,
                formula_safe(r.partner.name),
            ]
        )
    return response


def _back(record: ActivityRecord | None = None) -> str:
    url = reverse("secretariat:activity_list")
    if record is None:
        return url
    return f"{url}?fy={fiscal_year_of(record.held_on)}"


@secretariat_required
def activity_new(request):
    form = SecretariatActivityRecordForm(request.POST or None)
    if request.method == "POST" and form.save_through_ledger(record=None, by=request.user):
        messages.success(request, _("活動実績を登録しました。"))
        return redirect(_back())
    return render(
        request,
        "secretariat/activities_form.html",
        {"form": form, "record": None},
        status=400 if form.is_bound and form.errors else 200,
    )


@secretariat_required
def activity_edit(request, pk: int):
    record = get_object_or_404(ActivityRecord.objects.select_related("partner"), pk=pk)
    form = SecretariatActivityRecordForm(request.POST or None, record=record)
    if request.method == "POST" and form.save_through_ledger(record=record, by=request.user):
        messages.success(request, _("活動実績を保存しました。"))
        return redirect(_back(record))
    return render(
        request,
        "secretariat/activities_form.html",
        {"form": form, "record": record},
        status=400 if form.is_bound and form.errors else 200,
    )


@secretariat_required
def activity_delete(request, pk: int):
    """GET shows what would be removed; POST removes it."""
    record = get_object_or_404(ActivityRecord.objects.select_related("partner"), pk=pk)
    if request.method == "POST":
        try:
            activity_record_delete(record=record, by=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("活動実績を削除しました。"))
        return redirect(_back(record))
    return render(request, "secretariat/activities_delete_confirm.html", {"record": record})
