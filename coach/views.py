"""The coach pages: caseload, a participant, an opportunity's suitable
participants, placing and approving. Access: people.selectors decides who sees
whom; a participant outside the coach's caseload is a 404, never a 403, so the
page does not even confirm that the person exists."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coach import selectors as cs
from coach.forms import (
    AssessmentForm,
    AvailabilityFormSet,
    CaseNoteForm,
    ParticipantCreateForm,
    ParticipantEditForm,
)
from core.clock import local_today
from core.errors import DomainError
from core.htmx import is_htmx
from opportunities.models import Opportunity, Session
from opportunities.selectors import session_list_upcoming
from opportunities.services import signup_approve, signup_create, signup_decline
from people.case_notes import case_note_add, case_notes_for
from people.coach_services import participant_account_create
from people.login_codes import participant_login_code_issue
from people.selectors import can_manage_participant, can_see_support_notes, participants_visible_to
from people.services import participant_profile_update, readiness_record

CASELOAD_PAGE_SIZE = 25


def coach_required(view):
    """Coaches, and the secretariat (who sees everyone)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not (request.user.is_coach or request.user.is_secretariat):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return login_required(wrapper)


def _next_or(request, fallback: str):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(fallback)


def _participant_or_404(request, code: str):
    return get_object_or_404(participants_visible_to(user=request.user), code=code)


@coach_required
def coach_caseload(request):
    page = Paginator(cs.caseload_list(user=request.user), CASELOAD_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "coach/caseload.html",
        {
            "page": page,
            "requests": cs.signup_requests_for(user=request.user)[:30],
            "absences": cs.absences_recent_for(user=request.user)[:10],
        },
    )


def _participant_context(request, participant, assessment_form=None, case_note_form=None) -> dict:
    matches = cs.matches_for_participant(participant=participant, limit=10)
    placeable = cs.sessions_placeable(
        opportunities=[m.opportunity for m in matches], participant=participant
    )
    for match in matches:
        match.sessions = placeable.get(match.opportunity.pk, [])
    return {
        "participant": participant,
        "can_see_notes": can_see_support_notes(user=request.user, participant=participant),
        "assessments": participant.assessments.select_related("coach")[:20],
        "assessment_form": assessment_form
        or AssessmentForm(initial={"step": participant.readiness, "assessed_on": local_today()}),
        "matches": matches,
        "requests": cs.signup_requests_for(user=request.user, participant=participant),
        "upcoming": cs.signups_upcoming_for(participant=participant)[:10],
        "attendance": cs.attendance_summary(participant=participant),
        "can_manage": can_manage_participant(user=request.user, participant=participant),
        "case_notes": case_notes_for(user=request.user, participant=participant)[:50],
        "case_note_form": case_note_form or CaseNoteForm(),
    }


@coach_required
def coach_participant(request, code: str):
    participant = _participant_or_404(request, code)
    return render(
        request, "coach/participant_detail.html", _participant_context(request, participant)
    )


@coach_required
@require_POST
def coach_assess(request, code: str):
    participant = _participant_or_404(request, code)
    if not can_manage_participant(user=request.user, participant=participant):
        raise PermissionDenied
    form = AssessmentForm(request.POST)
    saved = False
    if form.is_valid():
        try:
            readiness_record(
                participant=participant,
                step=form.cleaned_data["step"],
                coach=request.user,
                assessed_on=form.cleaned_data["assessed_on"],
                notes=form.cleaned_data["notes"],
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("評価を記録しました。"))
            if not is_htmx(request):
                return redirect("coach_participant", code=participant.code)
            saved = True
            # A fresh form for the next assessment.
            form = AssessmentForm(
                initial={"step": participant.readiness, "assessed_on": local_today()}
            )
    context = {
        "participant": participant,
        "assessments": participant.assessments.select_related("coach")[:20],
        "assessment_form": form,
        "saved": saved,
    }
    if is_htmx(request):
        return render(request, "coach/participant_detail.html#readiness", context)
    return render(
        request,
        "coach/participant_detail.html",
        _participant_context(request, participant, form),
        status=400,
    )


@coach_required
@require_POST
def coach_place(request, code: str):
    """Sign a participant up on their behalf; for a "next step" this is the approval."""
    participant = _participant_or_404(request, code)
    if not can_manage_participant(user=request.user, participant=participant):
        raise PermissionDenied
    try:
        session_id = int(request.POST.get("session", ""))
    except ValueError:
        messages.error(request, _("日程を選んでください。"))
        return _next_or(request, reverse("coach_participant", args=[participant.code]))
    session = get_object_or_404(Session.objects.select_related("opportunity"), pk=session_id)
    try:
        signup = signup_create(session=session, participant=participant, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        if signup.status == signup.Status.CONFIRMED:
            messages.success(
                request,
                _("%(name)sさんを%(title)sに申し込みました（確定）。")
                % {"name": participant.display_name, "title": session.opportunity.title},
            )
        else:
            messages.warning(
                request,
                _("満員のため、%(name)sさんをキャンセル待ちにしました。")
                % {"name": participant.display_name},
            )
    return _next_or(request, reverse("coach_participant", args=[participant.code]))


def _decided(request, signup, message: str):
    if is_htmx(request):
        return render(
            request, "coach/partials/signup_request.html", {"signup": signup, "result": message}
        )
    messages.success(request, message)
    return _next_or(request, reverse("coach_caseload"))


@coach_required
@require_POST
def coach_signup_approve(request, pk: int):
    signup = get_object_or_404(cs.signup_for_coach(user=request.user, pk=pk))
    try:
        signup = signup_approve(signup=signup, by=request.user)
    except DomainError as error:
        return _decided(request, signup, error.message)
    if signup.status == signup.Status.CONFIRMED:
        message = _("承認しました。参加が確定しました。")
    else:
        message = _("承認しました。満員のためキャンセル待ちです。")
    return _decided(request, signup, message)


@coach_required
def coach_signup_decline(request, pk: int):
    """GET asks for confirmation (the no-JavaScript path); POST declines."""
    signup = get_object_or_404(cs.signup_for_coach(user=request.user, pk=pk))
    if request.method != "POST":
        return render(
            request,
            "coach/signup_decline_confirm.html",
            {"signup": signup, "next": request.GET.get("next", "")},
        )
    try:
        signup = signup_decline(signup=signup, by=request.user)
    except DomainError as error:
        return _decided(request, signup, error.message)
    return _decided(request, signup, _("見送りました。"))


@coach_required
def coach_opportunity(request, code: str):
    opportunity = get_object_or_404(
        Opportunity.objects.select_related("partner"),
        code=code,
        status__in=[Opportunity.Status.OPEN, Opportunity.Status.CLOSED],
    )
    return render(
        request,
        "coach/opportunity_matches.html",
        {
            "opportunity": opportunity,
            "matches": cs.matches_for_opportunity(opportunity=opportunity, user=request.user),
            "sessions": list(session_list_upcoming(opportunity=opportunity, limit=6)),
        },
    )


@coach_required
def coach_participant_create(request):
    form = ParticipantCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            participant = participant_account_create(by=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_error("code" if "コード" in error.message else None, error.message)
        else:
            return render(
                request,
                "coach/first_login.html",
                {
                    "participant": participant,
                    "login_code": participant_login_code_issue(
                        participant=participant, by=request.user
                    ),
                    "created": True,
                },
            )
    return render(request, "coach/participant_create.html", {"form": form})


@coach_required
@require_POST
def coach_login_code(request, code: str):
    """Issue a fresh first-login code (e.g. the printed one was lost)."""
    participant = _participant_or_404(request, code)
    if not can_manage_participant(user=request.user, participant=participant):
        raise PermissionDenied
    return render(
        request,
        "coach/first_login.html",
        {
            "participant": participant,
            "login_code": participant_login_code_issue(participant=participant, by=request.user),
            "created": False,
        },
    )


@coach_required
@require_POST
def coach_case_note_add(request, code: str):
    """Append a case note; notes are never edited (a correction is a new note)."""
    participant = _participant_or_404(request, code)
    if not can_manage_participant(user=request.user, participant=participant):
        raise PermissionDenied
    form = CaseNoteForm(request.POST)
    if form.is_valid():
        try:
            case_note_add(
                participant=participant, author=request.user, body=form.cleaned_data["body"]
            )
        except DomainError as error:
            form.add_error("body", error.message)
        else:
            messages.success(request, _("ケース記録を残しました。"))
            return redirect(reverse("coach_participant", args=[participant.code]) + "#case-notes")
    return render(
        request,
        "coach/participant_detail.html",
        _participant_context(request, participant, case_note_form=form),
        status=400,
    )


def _edit_initial(participant) -> dict:
    return {
        "display_name": participant.display_name,
        "name_kana": participant.name_kana,
        "self_description": participant.self_description,
        "skills": "、".join(participant.skills),
        "interests": "、".join(participant.interests),
        "municipality": participant.municipality,
        "max_travel_km": participant.max_travel_km,
        "emergency_contact": participant.emergency_contact,
        "support_notes": participant.support_notes,
    }


@coach_required
def coach_participant_edit(request, code: str):
    """The coach edits a participant's profile, availability, emergency contact
    and support background, through people.services (which records who changed
    what, never the sensitive values)."""
    participant = _participant_or_404(request, code)
    if not can_manage_participant(user=request.user, participant=participant):
        raise PermissionDenied
    slots = [
        {"weekday": s.weekday, "start": s.start, "end": s.end}
        for s in participant.availability.order_by("weekday", "start")
    ]
    if request.method == "POST":
        form = ParticipantEditForm(request.POST)
        availability = AvailabilityFormSet(request.POST, prefix="slots")
    else:
        form = ParticipantEditForm(initial=_edit_initial(participant))
        availability = AvailabilityFormSet(initial=slots, prefix="slots")
    status = 200
    if request.method == "POST":
        if form.is_valid() and availability.is_valid():
            data = dict(form.cleaned_data)
            data["skills"] = form.split_terms(data["skills"])
            data["interests"] = form.split_terms(data["interests"])
            data["availability"] = [
                (row["weekday"], row["start"], row["end"])
                for row in availability.cleaned_data
                if row and row.get("weekday") is not None
            ]
            try:
                participant_profile_update(
                    participant=participant, actor=request.user, changes=data
                )
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("プロフィールを保存しました。"))
                return redirect("coach_participant", code=participant.code)
        status = 400
    return render(
        request,
        "coach/participant_edit.html",
        {"participant": participant, "form": form, "availability": availability},
        status=status,
    )
