"""Walk-ins on the roster page: a participant who came without signing up.

Staff search by participant code or name (only code and display name are
shown) and record the person present; the rules are training.attendance's."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from core.errors import DomainError
from partner import selectors as ps
from partner.views import _roster_context, _session_or_404, staff_required
from training.attendance import attendance_record_walk_in


@staff_required()
def partner_walk_in(request, pk: int):
    """GET ?q= searches for the person; POST records them present."""
    session = _session_or_404(request, pk)
    if request.method != "POST":
        query = request.GET.get("q", "")[:100]
        candidates = ps.walk_in_candidates(query=query, partner_id=session.opportunity.partner_id)
        context = _roster_context(
            session, walk_in_query=query, walk_in_candidates=candidates, walk_in_searched=True
        )
        return render(request, "partner/session_roster.html", context)
    # Only someone the search (posted with the choice) finds: a guessed code
    # alone must not reveal, or record, anybody.
    found = ps.walk_in_candidates(
        query=request.POST.get("q", "")[:100], partner_id=session.opportunity.partner_id
    )
    participant = next(
        (p for p in found if p.code.lower() == request.POST.get("participant", "").lower()), None
    )
    if participant is None:
        raise Http404
    try:
        attendance_record_walk_in(session=session, participant=participant, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("partner_session", pk=session.pk)
    messages.success(
        request,
        _("%(name)sさんを飛び入りの出席として記録しました。") % {"name": participant.display_name},
    )
    return redirect(reverse("partner_session", args=[session.pk]) + f"#p-{participant.code}")
