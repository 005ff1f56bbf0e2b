"""Secretariat pages for outcome evidence: the readiness progression (exact
figures – the secretariat sees no suppression) and the grant report download."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from core.clock import fiscal_year_of, local_today
from opportunities.models import Opportunity, Partner
from people.models import ParticipantProfile
from reports import grant_report
from reports.progression import Cohort, chart_data, progression, progression_display
from secretariat.views import _fiscal_year, secretariat_required


def _cohort_filters(request, fy: int) -> tuple[Cohort, dict, int]:
    """The cohort of ?partner=&kind=&municipality=; an unknown value is
    dropped with a message and status 400 (the page still shows)."""
    status = 200
    partner = None
    code = request.GET.get("partner", "").strip()
    if code:
        partner = Partner.objects.filter(code=code).first()
        if partner is None:
            messages.error(
                request, _("指定された協力機関が見つかりません。すべての協力機関で表示しています。")
            )
            status = 400
    kind = request.GET.get("kind", "").strip()
    if kind and kind not in Opportunity.Kind.values:
        messages.error(
            request, _("指定された活動の種類はありません。すべての種類で表示しています。")
        )
        kind, status = "", 400
    municipality = request.GET.get("municipality", "").strip()[:50]
    cohort = Cohort(
        fiscal_year=fy,
        partner_id=partner.pk if partner else None,
        kind=kind,
        municipality=municipality,
    )
    chosen = {
        "partner": partner.code if partner else "",
        "kind": kind,
        "municipality": municipality,
    }
    return cohort, chosen, status


@secretariat_required
def progression_page(request):
    fy, status = _fiscal_year(request)
    cohort, chosen, filter_status = _cohort_filters(request, fy)
    display = progression_display(progression(cohort), suppress=False)
    municipalities = (
        ParticipantProfile.objects.exclude(municipality="")
        .order_by("municipality")
        .values_list("municipality", flat=True)
        .distinct()
    )
    return render(
        request,
        "secretariat/progression.html",
        {
            "fy": fy,
            "p": display,
            "chart": chart_data(display),
            "chosen": chosen,
            "partners": Partner.objects.order_by("code").only("code", "name"),
            "kinds": Opportunity.Kind.choices,
            "municipalities": list(municipalities),
        },
        status=max(status, filter_status),
    )


def _report_years(fy: int) -> list[int]:
    current = fiscal_year_of(local_today())
    return sorted({*range(current - 5, current + 1), fy}, reverse=True)


@secretariat_required
def report_page(request):
    fy, status = _fiscal_year(request)
    return render(
        request, "secretariat/report.html", {"fy": fy, "years": _report_years(fy)}, status=status
    )


@secretariat_required
def report_download(request, fmt: str):
    """The grant report as a file; a bad year shows the page again with a
    message (status 400) rather than a report for some other year."""
    if fmt not in grant_report.FORMATS:
        raise Http404
    fy, status = _fiscal_year(request)
    if status != 200:
        return render(
            request,
            "secretariat/report.html",
            {"fy": fy, "years": _report_years(fy)},
            status=status,
        )
    content = grant_report.build(fiscal_year=fy, fmt=fmt)
    response = HttpResponse(content, content_type=grant_report.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="grant-report-{fy}.{fmt}"'
    return response
