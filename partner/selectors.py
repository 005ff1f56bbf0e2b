"""Reads for the partner-staff pages. Partner staff see only
their own organisation: everything here starts from
opportunities.selectors.opportunities_managed_by / sessions_managed_by."""

from datetime import timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from core.clock import day_bounds, local_today
from opportunities.models import Opportunity, Session, Signup
from opportunities.selectors import opportunities_managed_by, sessions_managed_by
from people.models import ParticipantProfile
from training.models import Attendance


def _with_counts(qs: QuerySet[Session]) -> QuerySet[Session]:
    return qs.select_related("opportunity").annotate(
        requested=Count(
            "signups", filter=Q(signups__status=Signup.Status.REQUESTED), distinct=True
        ),
        recorded=Count("attendance", distinct=True),
    )


def partner_sessions_today(*, user) -> QuerySet[Session]:
    start, end = day_bounds(local_today())
    return _with_counts(
        sessions_managed_by(user=user).filter(starts_at__gte=start, starts_at__lt=end)
    ).order_by("starts_at")


def partner_sessions_upcoming(*, user, days: int = 14) -> QuerySet[Session]:
    start, _end = day_bounds(local_today() + timedelta(days=1))
    return _with_counts(
        sessions_managed_by(user=user).filter(
            starts_at__gte=start,
            starts_at__lt=start + timedelta(days=days),
            status=Session.Status.SCHEDULED,
        )
    ).order_by("starts_at")


def partner_opportunity_list(*, user) -> QuerySet[Opportunity]:
    now = timezone.now()
    return (
        opportunities_managed_by(user=user)
        .select_related("partner")
        .annotate(
            upcoming=Count(
                "sessions",
                filter=Q(sessions__starts_at__gte=now, sessions__status=Session.Status.SCHEDULED),
            )
        )
        .order_by("status", "code")
    )


def partner_session_list(*, opportunity: Opportunity, past_days: int = 14) -> QuerySet[Session]:
    since = timezone.now() - timedelta(days=past_days)
    return _with_counts(opportunity.sessions.filter(starts_at__gte=since)).order_by("starts_at")


def roster_for_session(*, session: Session) -> list[dict]:
    """The people expected at a session, with what staff need and nothing more:
    name, emergency contact and today's attendance. Support notes, readiness
    and self-descriptions are deliberately not loaded (``only``)."""
    signups = (
        Signup.objects.filter(session=session, status=Signup.Status.CONFIRMED)
        .select_related("participant")
        .only(
            "id",
            "status",
            "participant__code",
            "participant__display_name",
            "participant__emergency_contact",
        )
        .order_by("participant__name_kana", "participant__code")
    )
    attendance = {
        a.participant_id: a
        for a in Attendance.objects.filter(session=session, participant__isnull=False).only(
            "id", "participant_id", "status", "minutes", "role"
        )
    }
    rows = []
    seen = set()
    for signup in signups:
        seen.add(signup.participant_id)
        rows.append(
            {
                "signup": signup,
                "participant": signup.participant,
                "attendance": attendance.get(signup.participant_id),
            }
        )
    # People recorded without a confirmed sign-up (e.g. their sign-up was
    # cancelled after they came) still show, so their record can be corrected.
    extra = [pid for pid in attendance if pid not in seen]
    if extra:
        for participant in ParticipantProfile.objects.filter(pk__in=extra).only(
            "id", "code", "display_name", "emergency_contact"
        ):
            rows.append(
                {
                    "signup": None,
                    "participant": participant,
                    "attendance": attendance[participant.pk],
                }
            )
    return rows


def roster_row(*, session: Session, participant_id: int) -> dict:
    for row in roster_for_session(session=session):
        if row["participant"].pk == participant_id:
            return row
    raise LookupError(participant_id)


def supporters_for_session(*, session: Session) -> QuerySet[Attendance]:
    return (
        Attendance.objects.filter(session=session, supporter__isnull=False)
        .select_related("supporter")
        .order_by("pk")
    )
