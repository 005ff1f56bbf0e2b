from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from core.htmx import template_for
from opportunities.forms import OpportunityFilterForm
from opportunities.models import Opportunity
from opportunities.selectors import municipality_list, opportunity_list_open, session_list_upcoming

PAGE_SIZE = 12


def home(request):
    latest = opportunity_list_open()[:6]
    return render(request, "opportunities/home.html", {"latest": latest})


def opportunity_list(request):
    form = OpportunityFilterForm(request.GET or None, municipalities=municipality_list())
    filters = form.cleaned_data if form.is_valid() else {}
    opportunities = opportunity_list_open(
        kind=filters.get("kind", ""),
        municipality=filters.get("municipality", ""),
        weekday=filters.get("weekday"),
    )
    query = filters.get("q", "").strip()
    if query:
        opportunities = opportunities.filter(title__icontains=query) | opportunities.filter(description__icontains=query)
    page = Paginator(opportunities, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        template_for(request, "opportunities/opportunity_list.html", "results"),
        {"form": form, "page": page, "query": query},
    )


def opportunity_detail(request, code: str):
    opportunity = get_object_or_404(
        Opportunity.objects.select_related("partner"), code=code, status__in=[Opportunity.Status.OPEN, Opportunity.Status.CLOSED]
    )
    return render(
        request,
        "opportunities/opportunity_detail.html",
        {"opportunity": opportunity, "sessions": session_list_upcoming(opportunity=opportunity)},
    )
