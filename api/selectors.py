"""Reads behind the API. They build on the access selectors in
``opportunities.selectors`` and ``people.selectors`` so that the API and the
pages apply the same rules; objects outside a user's scope are simply absent,
which the endpoints turn into 404."""

from datetime import date, timedelta

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from core.clock import day_bounds, local_today
from core.errors import DomainError, NotAllowed
from opportunities.models import Opportunity, Partner, Session, Signup
from opportunities.selectors import opportunity_list_open, sessions_managed_by
from people.models import ParticipantProfile, User
from people.selectors import can_manage_participant, participant_for_user, participants_visible_to
from training.models import Attendance


def opportunity_search_open(
    *, q: str = "", kind: str | None = None, municipality: str = ""
) -> QuerySet[Opportunity]:
    qs = opportunity_list_open(kind=kind or "", municipality=municipality)
    if q.strip():
        q = q.strip()
        qs = qs.filter(Q(title__icontains=q) | Q(description__icontains=q))
    return qs


def opportunities_public() -> QuerySet[Opportunity]:
    """Opportunities anyone may look at: open ones, and closed ones for old links."""
    return Opportunity.objects.filter(
        status__in=[Opportunity.Status.OPEN, Opportunity.Status.CLOSED], partner__is_active=True
    ).select_related("partner")


def session_list_public(*, opportunity: Opportunity) -> QuerySet[Session]:
    return opportunity.sessions.filter(
        status=Session.Status.SCHEDULED, starts_at__gte=timezone.now()
    ).order_by("starts_at")


def sessions_open_to_signup() -> QuerySet[Session]:
    """Sessions a sign-up may name; the service decides whether it is still possible."""
    return Session.objects.filter(opportunity__in=opportunities_public()).select_related(
        "opportunity"
    )


def session_list_for_partner(
    *,
    user: User,
    date_from: date | None = None,
    date_to: date | None = None,
    status: str | None = None,
) -> QuerySet[Session]:
    """All sessions of the caller's organisation between two local dates (both included)."""
    date_from = date_from or local_today()
    date_to = date_to or date_from + timedelta(days=14)
    if date_to < date_from:
        raise DomainError(_("終了日は開始日以降にしてください。"))
    if (date_to - date_from).days > 366:
        raise DomainError(_("一度に取得できるのは1年分までです。"))
    start, _end = day_bounds(date_from)
    _start, end = day_bounds(date_to)
    qs = sessions_managed_by(user=user).filter(starts_at__gte=start, starts_at__lt=end)
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("opportunity").order_by("starts_at", "pk")


def session_list_managed(*, user: User, opportunity: Opportunity) -> QuerySet[Session]:
    return sessions_managed_by(user=user).filter(opportunity=opportunity).order_by("starts_at")


def signups_visible_to(*, user: User) -> QuerySet[Signup]:
    """A participant's own sign-ups, a coach's caseload's, or all for the secretariat.
    Partner staff read their rosters instead (``roster_for_session``)."""
    qs = Signup.objects.select_related("session__opportunity").order_by("-created_at", "-pk")
    if user.is_partner_staff:
        return qs.none()
    return qs.filter(participant__in=participants_visible_to(user=user))


def signup_list(
    *, user: User, status: str | None = None, participant_id: int | None = None
) -> QuerySet[Signup]:
    qs = signups_visible_to(user=user)
    if status:
        qs = qs.filter(status=status)
    if participant_id:
        qs = qs.filter(participant_id=participant_id)
    return qs


def participant_to_sign_up(*, user: User, participant_id: int | None) -> ParticipantProfile:
    """Whom a sign-up is for: a participant signs themself up, a coach names
    someone from their caseload, the secretariat anyone."""
    if user.is_partner_staff:
        raise NotAllowed(_("協力機関スタッフは申し込みを作れません。"))
    if participant_id is None:
        participant = participant_for_user(user=user)
        if participant is None:
            raise DomainError(_("申し込む参加者を指定してください。"))
        return participant
    return get_object_or_404(participants_visible_to(user=user), pk=participant_id)


def roster_for_session(*, session: Session) -> QuerySet[Signup]:
    """Who is coming: confirmed sign-ups, with nothing but what staff need."""
    return (
        Signup.objects.filter(session=session, status=Signup.Status.CONFIRMED)
        .select_related("participant")
        .only(
            "id",
            "status",
            "participant__id",
            "participant__display_name",
            "participant__emergency_contact",
        )
        .order_by("participant__name_kana", "participant__display_name", "pk")
    )


def attendance_for_session(*, session: Session) -> QuerySet[Attendance]:
    return (
        Attendance.objects.filter(session=session)
        .select_related("participant")
        .only(
            "id",
            "session_id",
            "participant_id",
            "supporter_id",
            "role",
            "status",
            "minutes",
            "recorded_at",
            "participant__display_name",
        )
        .order_by("pk")
    )


def partner_for_staff(*, user: User) -> Partner:
    """The organisation a staff member posts for (the secretariat posts for none)."""
    if user.partner is None:
        raise NotAllowed(_("協力機関に所属するスタッフだけが活動を登録できます。"))
    return user.partner


def require_can_decide(*, user: User, signup: Signup) -> None:
    """Approving or declining a next step is for the participant's coach or the secretariat."""
    if not can_manage_participant(user=user, participant=signup.participant):
        raise NotAllowed(_("この申込を承認できるのは担当の支援員です。"))
