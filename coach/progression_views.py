"""The coach's view of readiness progression: their own caseload only, with
small-number suppression (counts of 1–4 shown as "<5"). The secretariat, who
may open every coach page, sees everyone and exact figures."""

from django.contrib import messages
from django.shortcuts import render
from django.utils.translation import gettext as _

from coach.views import coach_required
from core.clock import fiscal_year_of, local_today
from people.selectors import participants_visible_to
from reports.progression import Cohort, chart_data, progression, progression_display

FISCAL_YEARS = (2000, 2100)


def _fiscal_year(raw: str) -> tuple[int, int]:
    try:
        fy = int(raw.strip())
    except ValueError:
        fy = None
    if raw.strip() == "":
        return fiscal_year_of(local_today()), 200
    if fy is None or not FISCAL_YEARS[0] <= fy <= FISCAL_YEARS[1]:
        return fiscal_year_of(local_today()), 400
    return fy, 200


@coach_required
def coach_progression(request):
    fy, status = _fiscal_year(request.GET.get("fy", ""))
    if status == 400:
        messages.error(
            request,
            _("年度は%(low)s〜%(high)sの整数で指定してください。今年度を表示しています。")
            % {"low": FISCAL_YEARS[0], "high": FISCAL_YEARS[1]},
        )
    result = progression(
        Cohort(fiscal_year=fy), participants=participants_visible_to(user=request.user)
    )
    display = progression_display(result, suppress=not request.user.is_secretariat)
    return render(
        request,
        "coach/progression.html",
        {"fy": fy, "p": display, "chart": chart_data(display)},
        status=status,
    )
