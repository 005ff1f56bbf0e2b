"""Partner staff's activity ledger (活動実績): their own organisation's lines
only – another organisation's line is a 404 – added, corrected and removed
through training.ledger, which audits every change."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from core.errors import DomainError
from partner.views import staff_required
from training.ledger import activity_record_delete, ledger_records
from training.ledger_forms import ActivityRecordForm
from training.models import ActivityRecord

PER_PAGE = 30


def _record_or_404(request, pk: int) -> ActivityRecord:
    return get_object_or_404(
        ActivityRecord.objects.select_related("partner"), pk=pk, partner=request.user.partner
    )


@staff_required(own_partner=True)
def partner_activity_list(request):
    activity = request.GET.get("activity", "")
    if activity not in ActivityRecord.Activity.values:
        activity = ""
    records = ledger_records(partner=request.user.partner, activity=activity)
    page = Paginator(records, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "partner/activities.html",
        {
            "page": page,
            "activity": activity,
            "activities": ActivityRecord.Activity.choices,
        },
    )


@staff_required(own_partner=True)
def partner_activity_new(request):
    form = ActivityRecordForm(request.POST or None)
    if request.method == "POST":
        if form.save_through_ledger(record=None, by=request.user, partner=request.user.partner):
            messages.success(request, _("活動実績を登録しました。"))
            return redirect("partner_activity_list")
    return render(
        request,
        "partner/activities_form.html",
        {"form": form, "record": None},
        status=_status(form),
    )


@staff_required(own_partner=True)
def partner_activity_edit(request, pk: int):
    record = _record_or_404(request, pk)
    form = ActivityRecordForm(request.POST or None, record=record)
    if request.method == "POST":
        if form.save_through_ledger(record=record, by=request.user, partner=request.user.partner):
            messages.success(request, _("活動実績を保存しました。"))
            return redirect("partner_activity_list")
    return render(
        request,
        "partner/activities_form.html",
        {"form": form, "record": record},
        status=_status(form),
    )


@staff_required(own_partner=True)
def partner_activity_delete(request, pk: int):
    """GET shows what would be removed; POST removes it."""
    record = _record_or_404(request, pk)
    if request.method == "POST":
        try:
            activity_record_delete(record=record, by=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("活動実績を削除しました。"))
        return redirect("partner_activity_list")
    return render(request, "partner/activities_delete_confirm.html", {"record": record})


def _status(form) -> int:
    return 400 if form.is_bound and form.errors else 200
