"""Participant pages: home, browse and search, detail with sign-up and cancel
in place (htmx swaps the session row; the same forms work as plain POSTs),
"my schedule" with its iCal feed."""

from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.errors import DomainError
from core.htmx import is_htmx, template_for
from opportunities import ical
from opportunities.models import CalendarFeed, Opportunity, Session, Signup
from opportunities.selectors import municipality_list, opportunity_list_open, session_list_upcoming
from opportunities.services import (
    calendar_feed_enable,
    calendar_feed_revoke,
    signup_cancel,
    signup_create,
)
from participant.context_processors import EASY_JA_COOKIE
from participant.forms import OpportunityFilterForm
from participant.selectors import (
    Listing,
    opportunity_browse,
    opportunity_recommended,
    opportunity_search,
    readiness_fit_of,
    signups_active_by_session,
    signups_for_feed,
    signups_recent_past,
    signups_upcoming,
    waitlist_position,
)
from people.models import ParticipantProfile
from people.selectors import participant_for_user

PAGE_SIZE = 12
SEARCH_LIMIT = 120
SESSIONS_SHOWN = 8  # dates listed on the detail page before "show more"


def _safe_next(request: HttpRequest) -> str:
    for candidate in (request.headers.get("HX-Current-URL"), request.headers.get("Referer")):
        if candidate and url_has_allowed_host_and_scheme(
            candidate, {request.get_host()}, request.is_secure()
        ):
            return candidate
    return reverse("home")


def participant_required(view):
    """Log in first (htmx gets an HX-Redirect); then only participants, with
    their profile passed as ``participant``."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not request.user.is_authenticated:
            next_url = request.get_full_path() if request.method == "GET" else _safe_next(request)
            response: HttpResponse = redirect_to_login(next_url)
            if is_htmx(request):
                redirect_to = response["Location"]
                response = HttpResponse(status=200)
                response["HX-Redirect"] = redirect_to
            return response
        participant = participant_for_user(user=request.user)
        if participant is None:
            raise PermissionDenied
        return view(request, *args, participant=participant, **kwargs)

    return wrapper


# --- home, browse, detail -------------------------------------------------------


def home(request):
    user = request.user
    if user.is_authenticated and not user.is_participant:
        return render(request, "participant/home.html", {"staff_landing": True})
    participant = participant_for_user(user=user)
    if participant is not None:
        return render(
            request,
            "participant/home.html",
            {
                "participant": participant,
                "recommended": opportunity_recommended(participant=participant, limit=6),
                "upcoming": signups_upcoming(participant=participant)[:5],
            },
        )
    return render(request, "participant/home.html", {"latest": opportunity_list_open()[:6]})


def opportunity_list(request):
    participant = participant_for_user(user=request.user)
    municipalities = municipality_list()
    form = OpportunityFilterForm(
        request.GET or None,
        municipalities=municipalities,
        for_participant=participant is not None,
    )
    # Everything the rendered filter form depends on besides the language (the
    # template caches that fragment by it): the choices, whether the readiness
    # filter is shown, and the values typed or picked.
    filters_key = repr(
        (
            list(municipalities),
            participant is not None,
            [(name, request.GET.getlist(name)) for name in form.fields],
        )
    )
    filters = form.cleaned_data if form.is_valid() else {}
    opportunities = opportunity_browse(
        kind=filters.get("kind", ""),
        municipality=filters.get("municipality", ""),
        weekday=filters.get("weekday"),
        time_of_day=filters.get("time_of_day", ""),
        fit=filters.get("fit", ""),
        participant=participant,
    )
    query = filters.get("q", "").strip()
    if query:
        listings = opportunity_search(
            query=query, participant=participant, opportunities=opportunities, limit=SEARCH_LIMIT
        )
        page = Paginator(listings, PAGE_SIZE).get_page(request.GET.get("page"))
        items = page.object_list
    else:
        page = Paginator(opportunities, PAGE_SIZE).get_page(request.GET.get("page"))
        items = [
            Listing(o, [], readiness_fit_of(participant=participant, opportunity=o))
            for o in page.object_list
        ]
    has_filters = any(
        filters.get(name) not in (None, "")
        for name in ("kind", "municipality", "weekday", "time_of_day", "fit")
    )
    return render(
        request,
        template_for(request, "participant/opportunity_list.html", "results"),
        {
            "form": form,
            "page": page,
            "items": items,
            "query": query,
            "has_filters": has_filters,
            "suggestions": [_("畑"), _("カフェ"), _("本"), _("掃除"), _("子ども")],
            "filters_key": filters_key,
        },
    )


@dataclass
class SessionRow:
    """One session as the participant sees it, with their own sign-up if any."""

    session: Session
    signup: Signup | None = None
    fit: str = ""
    waitlist_position: int | None = None
    message: str = ""
    error: str = ""


def _session_row(
    *,
    session: Session,
    participant: ParticipantProfile | None,
    signup: Signup | None = None,
    message: str = "",
    error: str = "",
) -> SessionRow:
    if signup is not None and signup.status == Signup.Status.CANCELLED:
        signup = None
    return SessionRow(
        session=session,
        signup=signup,
        fit=readiness_fit_of(participant=participant, opportunity=session.opportunity),
        waitlist_position=waitlist_position(signup=signup) if signup else None,
        message=message,
        error=error,
    )


def opportunity_detail(request, code: str):
    opportunity = get_object_or_404(
        Opportunity.objects.select_related("partner"),
        code=code,
        status__in=[Opportunity.Status.OPEN, Opportunity.Status.CLOSED],
    )
    participant = participant_for_user(user=request.user)
    sessions = list(session_list_upcoming(opportunity=opportunity))
    mine = signups_active_by_session(participant=participant, sessions=sessions)
    rows = [
        _session_row(session=s, participant=participant, signup=mine.get(s.pk)) for s in sessions
    ]
    # A long list of dates shows its first few; the rest open with one tap
    # (already open when one of them is the participant's own).
    more_rows = rows[SESSIONS_SHOWN:]
    return render(
        request,
        "participant/opportunity_detail.html",
        {
            "opportunity": opportunity,
            "rows": rows,
            "first_rows": rows[:SESSIONS_SHOWN],
            "more_rows": more_rows,
            "more_rows_open": any(row.signup for row in more_rows),
            "participant": participant,
            "fit": readiness_fit_of(participant=participant, opportunity=opportunity),
        },
    )


# --- sign up and cancel ---------------------------------------------------------


def _signup_message(signup: Signup) -> str:
    if signup.status == Signup.Status.CONFIRMED:
        return _("申し込みました。「わたしの予定」に入りました。当日お待ちしています。")
    if signup.status == Signup.Status.WAITLISTED:
        return _(
            "満員のため、キャンセル待ちに登録しました。席が空いたら順番に繰り上がり、お知らせします。"
        )
    return _(
        "この活動は、今のステップより一つ上の「次のステップ」です。担当の支援員に相談の依頼を送りました。支援員が承認すると参加が決まります。"
    )


def _render_row(request, row: SessionRow, participant) -> HttpResponse:
    return render(
        request,
        "participant/opportunity_detail.html#session-row",
        {"row": row, "participant": participant, "opportunity": row.session.opportunity},
    )


def _detail_url(session: Session) -> str:
    return reverse("opportunity_detail", args=[session.opportunity.code]) + f"#session-{session.pk}"


@require_POST
@participant_required
def session_signup(request, pk: int, participant: ParticipantProfile):
    session = get_object_or_404(
        Session.objects.select_related("opportunity__partner"),
        pk=pk,
        opportunity__status__in=[Opportunity.Status.OPEN, Opportunity.Status.CLOSED],
    )
    signup, message, error = None, "", ""
    try:
        signup = signup_create(session=session, participant=participant, by=request.user)
        message = _signup_message(signup)
    except DomainError as exc:
        error = exc.message
        signup = signups_active_by_session(participant=participant, sessions=[session]).get(
            session.pk
        )
    session.refresh_from_db(fields=["seats_taken", "status"])
    if is_htmx(request):
        return _render_row(
            request,
            _session_row(
                session=session,
                participant=participant,
                signup=signup,
                message=message,
                error=error,
            ),
            participant,
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, message)
    return redirect(_detail_url(session))


@require_http_methods(["GET", "POST"])
@participant_required
def signup_cancel_view(request, pk: int, participant: ParticipantProfile):
    # Only the participant's own sign-ups: anyone else's is a 404.
    signup = get_object_or_404(
        Signup.objects.select_related("session__opportunity__partner"),
        pk=pk,
        participant=participant,
    )
    from_schedule = request.POST.get("from", request.GET.get("from")) == "schedule"
    if request.method == "GET":
        return render(
            request,
            "participant/signup_cancel_confirm.html",
            {"signup": signup, "from_schedule": from_schedule},
        )
    error = ""
    try:
        signup = signup_cancel(signup=signup, by=request.user)
    except DomainError as exc:
        error = exc.message
    message = "" if error else _("キャンセルしました。まちがえたときは、もう一度申し込めます。")
    session = signup.session
    session.refresh_from_db(fields=["seats_taken", "status"])
    if is_htmx(request):
        if from_schedule:
            return render(
                request,
                "participant/my_schedule.html#schedule-item",
                {"signup": signup, "message": message, "error": error},
            )
        return _render_row(
            request,
            _session_row(
                session=session,
                participant=participant,
                signup=signup,
                message=message,
                error=error,
            ),
            participant,
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, message)
    return redirect(reverse("my_schedule") if from_schedule else _detail_url(session))


# --- やさしい日本語 (furigana) -------------------------------------------------------


@require_POST
def easy_japanese(request):
    """Turn furigana on or off (a cookie, so it also works before logging in)
    and go back to the page the person was on. A plain form; from htmx the
    whole page is reloaded."""
    on = request.POST.get("on") == "1"
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = reverse("home")
    response: HttpResponse
    if is_htmx(request):
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
    else:
        response = redirect(next_url)
    if on:
        response.set_cookie(
            EASY_JA_COOKIE,
            "1",
            max_age=365 * 24 * 3600,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
    else:
        response.delete_cookie(EASY_JA_COOKIE, samesite="Lax")
    return response


# --- my schedule and the iCal feed ----------------------------------------------


def _feed_urls(request, feed: CalendarFeed | None) -> dict:
    if feed is None:
        return {}
    url = request.build_absolute_uri(reverse("calendar_feed", args=[feed.token]))
    return {"feed_url": url, "webcal_url": "webcal://" + url.split("://", 1)[1]}


@require_GET
@participant_required
def my_schedule(request, participant: ParticipantProfile):
    feed = CalendarFeed.objects.filter(participant=participant).first()
    return render(
        request,
        "participant/my_schedule.html",
        {
            "participant": participant,
            "upcoming": signups_upcoming(participant=participant),
            "past": signups_recent_past(participant=participant)[:10],
            **_feed_urls(request, feed),
        },
    )


@require_POST
@participant_required
def my_calendar(request, participant: ParticipantProfile):
    """Turn the feed on, or revoke it (a new secret URL; the old one stops working)."""
    if request.POST.get("action") == "revoke":
        feed = calendar_feed_revoke(participant=participant)
        message = _(
            "新しいURLを作りました。前のURLはもう使えません。カレンダーアプリに新しいURLを登録し直してください。"
        )
    else:
        feed = calendar_feed_enable(participant=participant)
        message = _("カレンダー用のURLを作りました。")
    if is_htmx(request):
        return render(
            request,
            "participant/my_schedule.html#calendar",
            {"message": message, **_feed_urls(request, feed)},
        )
    messages.success(request, message)
    return redirect(reverse("my_schedule") + "#calendar")


@require_GET
def calendar_feed(request, token: str):
    feed = get_object_or_404(CalendarFeed.objects.select_related("participant"), token=token)
    body = ical.calendar_render(
        signups=signups_for_feed(participant=feed.participant),
        host=request.get_host().split(":")[0],
        name=_("ホッとステーションの予定"),
        now=timezone.now(),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="hotstation.ics"'
    response["Cache-Control"] = "private, max-age=900"
    response["X-Robots-Tag"] = "noindex"
    return response
