"""Partner staff pages: their organisation, its opportunities and sessions,
and attendance on a phone. Objects are always looked up through
opportunities_managed_by / sessions_managed_by, so another organisation's
opportunity or session is a 404."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.clock import at, local_today
from core.errors import DomainError
from core.htmx import is_htmx
from opportunities.models import Opportunity, Session
from opportunities.partner_services import (
    opportunity_close,
    partner_opportunity_create,
    partner_opportunity_update,
    partner_profile_update,
)
from opportunities.selectors import opportunities_managed_by, sessions_managed_by
from opportunities.services import session_cancel, session_create, sessions_generate_weekly
from partner import selectors as ps
from partner.forms import (
    AttendanceForm,
    OpeningSlotFormSet,
    OpportunityForm,
    PartnerProfileForm,
    SessionForm,
    SupporterAttendanceForm,
    WeeklySessionsForm,
)
from people.models import ParticipantProfile
from training.attendance import attendance_record, supporter_find_or_create


def staff_required(*, own_partner: bool = False):
    """Partner staff of an organisation; the secretariat too, unless the page is
    about "my organisation" (own_partner), which the secretariat does not have."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            user = request.user
            is_staff = user.is_partner_staff and user.partner_id is not None
            if not (is_staff or (user.is_secretariat and not own_partner)):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return login_required(wrapper)

    return decorator


def _opportunity_or_404(request, code: str) -> Opportunity:
    return get_object_or_404(
        opportunities_managed_by(user=request.user).select_related("partner"), code=code
    )


def _session_or_404(request, pk: int) -> Session:
    return get_object_or_404(
        sessions_managed_by(user=request.user).select_related("opportunity__partner"), pk=pk
    )


@staff_required(own_partner=True)
def partner_dashboard(request):
    return render(
        request,
        "partner/dashboard.html",
        {
            "partner": request.user.partner,
            "today": ps.partner_sessions_today(user=request.user),
            "upcoming": ps.partner_sessions_upcoming(user=request.user),
        },
    )


@staff_required(own_partner=True)
def partner_profile(request):
    partner = request.user.partner
    initial_slots = [
        {"weekday": s.weekday, "start": s.start, "end": s.end} for s in partner.opening_slots.all()
    ]
    form = PartnerProfileForm(request.POST or None, instance=partner)
    slots = OpeningSlotFormSet(request.POST or None, initial=initial_slots, prefix="slots")
    if request.method == "POST" and form.is_valid() and slots.is_valid():
        chosen = [
            (f.cleaned_data["weekday"], f.cleaned_data["start"], f.cleaned_data["end"])
            for f in slots.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        try:
            partner_profile_update(
                partner=form.save(commit=False), by=request.user, opening_slots=chosen
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("機関の情報を保存しました。"))
            return redirect("partner_profile")
    return render(
        request,
        "partner/profile.html",
        {"form": form, "slots": slots, "partner": partner},
    )


@staff_required()
def partner_opportunity_list(request):
    return render(
        request,
        "partner/opportunity_list.html",
        {"opportunities": ps.partner_opportunity_list(user=request.user)},
    )


@staff_required(own_partner=True)
def partner_opportunity_new(request):
    form = OpportunityForm(request.POST or None, initial={"status": Opportunity.Status.OPEN})
    if request.method == "POST" and form.is_valid():
        try:
            opportunity = partner_opportunity_create(
                partner=request.user.partner, opportunity=form.save(commit=False), by=request.user
            )
        except DomainError as error:
            form.add_error(None, error.message)
        except ValidationError as error:  # model constraints, from full_clean
            _add_validation_error(form, error)
        else:
            messages.success(request, _("活動を作りました。日程を追加してください。"))
            return redirect("partner_opportunity", code=opportunity.code)
    return render(request, "partner/opportunity_form.html", {"form": form, "opportunity": None})


def _add_validation_error(form, error) -> None:
    if hasattr(error, "message_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@staff_required()
def partner_opportunity_edit(request, code: str):
    opportunity = _opportunity_or_404(request, code)
    form = OpportunityForm(request.POST or None, instance=opportunity)
    if request.method == "POST" and form.is_valid():
        try:
            partner_opportunity_update(opportunity=form.save(commit=False), by=request.user)
        except DomainError as error:
            form.add_error(None, error.message)
        except ValidationError as error:
            _add_validation_error(form, error)
        else:
            messages.success(request, _("活動を保存しました。"))
            return redirect("partner_opportunity", code=opportunity.code)
    return render(
        request,
        "partner/opportunity_form.html",
        {"form": form, "opportunity": opportunity},
    )


def _opportunity_page(request, opportunity, *, session_form=None, weekly_form=None, status=200):
    today = local_today()
    return render(
        request,
        "partner/opportunity_detail.html",
        {
            "opportunity": opportunity,
            "sessions": ps.partner_session_list(opportunity=opportunity),
            "session_form": session_form or SessionForm(initial={"day": today}),
            "weekly_form": weekly_form or WeeklySessionsForm(initial={"date_from": today}),
        },
        status=status,
    )


@staff_required()
def partner_opportunity(request, code: str):
    return _opportunity_page(request, _opportunity_or_404(request, code))


@staff_required()
def partner_opportunity_close(request, code: str):
    opportunity = _opportunity_or_404(request, code)
    if request.method != "POST":
        return render(
            request,
            "partner/opportunity_close_confirm.html",
            {"opportunity": opportunity},
        )
    opportunity_close(opportunity=opportunity, by=request.user)
    messages.success(request, _("募集を終了しました。"))
    return redirect("partner_opportunity", code=opportunity.code)


@staff_required()
@require_POST
def partner_session_create(request, code: str):
    opportunity = _opportunity_or_404(request, code)
    form = SessionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            session_create(
                opportunity=opportunity,
                starts_at=at(data["day"], data["start"]),
                ends_at=at(data["day"], data["end"]),
                capacity=data["capacity"],
                instructor_name=data["instructor_name"],
            )
        except DomainError as error:
            form.add_error(None, error.message)
        except ValidationError:
            form.add_error(None, _("同じ日時の回がすでにあるか、入力に誤りがあります。"))
        else:
            messages.success(request, _("日程を追加しました。"))
            return redirect("partner_opportunity", code=opportunity.code)
    return _opportunity_page(request, opportunity, session_form=form, status=400)


@staff_required()
@require_POST
def partner_sessions_weekly(request, code: str):
    opportunity = _opportunity_or_404(request, code)
    form = WeeklySessionsForm(request.POST)
    if form.is_valid():
        try:
            created = sessions_generate_weekly(opportunity=opportunity, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("%(n)d回の日程を追加しました。") % {"n": len(created)})
            return redirect("partner_opportunity", code=opportunity.code)
    return _opportunity_page(request, opportunity, weekly_form=form, status=400)


@staff_required()
def partner_session_cancel(request, pk: int):
    session = _session_or_404(request, pk)
    if request.method != "POST":
        return render(request, "partner/session_cancel_confirm.html", {"session": session})
    try:
        session_cancel(session=session)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("この回を中止しました。申し込んでいた人にお知らせします。"))
    return redirect("partner_opportunity", code=session.opportunity.code)


def _roster_context(session, **extra) -> dict:
    return {
        "session": session,
        "rows": ps.roster_for_session(session=session),
        "supporters": ps.supporters_for_session(session=session),
        "waiting": ps.signups_waiting(session=session),
        "supporter_form": SupporterAttendanceForm(initial={"minutes": session.duration_minutes}),
        **extra,
    }


@staff_required()
def partner_session_roster(request, pk: int):
    session = _session_or_404(request, pk)
    return render(request, "partner/session_roster.html", _roster_context(session))


@staff_required()
@require_POST
def partner_attendance(request, pk: int):
    """One tap per person: present / absent / excused. htmx gets the row back."""
    session = _session_or_404(request, pk)
    # Only people on this session's roster can be found from here.
    participant = get_object_or_404(
        ParticipantProfile.objects.filter(
            Q(signups__session=session) | Q(attendance__session=session)
        ).distinct(),
        code=request.POST.get("participant", ""),
    )
    form = AttendanceForm(request.POST)
    error = ""
    if form.is_valid():
        status = form.cleaned_data["status"]
        minutes = form.cleaned_data["minutes"] if status == "present" else None
        try:
            attendance_record(
                session=session,
                participant=participant,
                status=status,
                minutes=minutes,
                by=request.user,
            )
        except DomainError as err:
            error = err.message
    else:
        error = _("出欠を記録できませんでした。分は0〜1440の数字で入れて、もう一度押してください。")
    if is_htmx(request):
        row = ps.roster_row(session=session, participant_id=participant.pk)
        return render(
            request,
            "partner/session_roster.html#roster-row",
            {"session": session, "row": row, "error": error, "saved": not error},
        )
    if error:
        messages.error(request, error)
    return redirect(reverse("partner_session", args=[session.pk]) + f"#p-{participant.code}")


@staff_required()
@require_POST
def partner_supporter_add(request, pk: int):
    session = _session_or_404(request, pk)
    form = SupporterAttendanceForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            supporter = supporter_find_or_create(code=data["code"], name=data["name"])
            attendance_record(
                session=session,
                supporter=supporter,
                status="present",
                minutes=data["minutes"],
                by=request.user,
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            if is_htmx(request):
                return render(
                    request,
                    "partner/session_roster.html#supporters",
                    _roster_context(session, supporter_saved=supporter.name),
                )
            messages.success(request, _("%(name)sさんを記録しました。") % {"name": supporter.name})
            return redirect("partner_session", pk=session.pk)
    context = _roster_context(session)
    context["supporter_form"] = form
    if is_htmx(request):
        return render(request, "partner/session_roster.html#supporters", context)
    return render(request, "partner/session_roster.html", context, status=400)
