"""A partner's own payout statements, read-only: the approved or paid months
that pay the partner, and downloads of the partner's own lines. Drafts and
other organisations' statements are a 404."""

from typing import cast

from django.http import Http404, HttpResponse
from django.shortcuts import render

from partner import selectors as ps
from partner.views import staff_required
from training.exports import CONTENT_TYPES, EXPORTERS, line_note, units_text
from training.models import PayoutRun

DOWNLOADS = ("csv", "pdf")


def _statement_or_404(request, pk: int) -> ps.PartnerStatement:
    statement = ps.statement_for_partner(partner=request.user.partner, pk=pk)
    if statement is None:
        raise Http404
    return statement


@staff_required(own_partner=True)
def partner_statement_list(request):
    return render(
        request,
        "partner/statement_list.html",
        {"partner": request.user.partner, "runs": ps.statement_runs(partner=request.user.partner)},
    )


@staff_required(own_partner=True)
def partner_statement_detail(request, pk: int):
    statement = _statement_or_404(request, pk)
    basis = statement.rule.basis
    lines = [
        {"line": line, "units": units_text(line, basis), "note": line_note(line)}
        for line in statement.lines.order_by("position")
    ]
    return render(
        request,
        "partner/statement_detail.html",
        {"statement": statement, "lines": lines, "downloads": DOWNLOADS},
    )


@staff_required(own_partner=True)
def partner_statement_export(request, pk: int, fmt: str):
    if fmt not in DOWNLOADS:
        raise Http404
    statement = _statement_or_404(request, pk)
    # The exporters read a run; this view of it holds only the partner's lines.
    run = cast(PayoutRun, statement)
    response = HttpResponse(EXPORTERS[fmt](run), content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = (
        f'attachment; filename="statement-{statement.partner.code}-{statement.rule.code}'
        f'-{statement.month:%Y-%m}.{fmt}"'
    )
    return response
