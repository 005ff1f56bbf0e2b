"""Reads for the coach pages. Access is always decided by people.selectors
(participants_visible_to / can_see_support_notes); these only shape the data."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from core.clock import JST
from matching.selectors import participants_for_opportunity, recommendations_for_participant
from opportunities.models import Opportunity, Session, Signup
from people.models import ParticipantProfile, User
from people.selectors import participants_visible_to
from training.models import Attendance

RECENT_DAYS = 30


def caseload_list(*, user: User) -> QuerySet[ParticipantProfile]:
    """The coach's caseload (everyone for the secretariat), with the figures the
    caseload page shows, computed in SQL so the page is one query per page."""
    now = timezone.now()
    since = now - timedelta(days=RECENT_DAYS)
    next_signup = Signup.objects.filter(
        participant=OuterRef("pk"),
        status=Signup.Status.CONFIRMED,
        session__status=Session.Status.SCHEDULED,
        session__starts_at__gte=now,
    ).order_by("session__starts_at")
    trainee_recent = Q(
        attendance__session__starts_at__gte=since, attendance__role=Attendance.Role.TRAINEE
    )
    return (
        participants_visible_to(user=user)
        .annotate(
            next_session_at=Subquery(next_signup.values("session__starts_at")[:1]),
            next_session_title=Subquery(next_signup.values("session__opportunity__title")[:1]),
            recent_present=Count(
                "attendance",
                filter=trainee_recent & Q(attendance__status=Attendance.Status.PRESENT),
                distinct=True,
            ),
            recent_absent=Count(
                "attendance",
                filter=trainee_recent
                & Q(attendance__status__in=[Attendance.Status.ABSENT, Attendance.Status.EXCUSED]),
                distinct=True,
            ),
            pending_requests=Count(
                "signups", filter=Q(signups__status=Signup.Status.REQUESTED), distinct=True
            ),
        )
        .order_by("-pending_requests", "code")
    )


def signup_requests_for(
    *, user: User, participant: ParticipantProfile | None = None
) -> QuerySet[Signup]:
    """ "Next step" requests waiting for this coach's decision."""
    qs = Signup.objects.filter(
        status=Signup.Status.REQUESTED,
        participant__in=participants_visible_to(user=user),
    )
    if participant is not None:
        qs = qs.filter(participant=participant)
    return qs.select_related("participant", "session__opportunity__partner").order_by(
        "session__starts_at"
    )


def signup_for_coach(*, user: User, pk: int) -> QuerySet[Signup]:
    return Signup.objects.filter(
        pk=pk, participant__in=participants_visible_to(user=user)
    ).select_related("participant", "session__opportunity__partner")


def absences_recent_for(*, user: User, days: int = 14) -> QuerySet[Attendance]:
    since = timezone.now() - timedelta(days=days)
    return (
        Attendance.objects.filter(
            participant__in=participants_visible_to(user=user),
            status__in=[Attendance.Status.ABSENT, Attendance.Status.EXCUSED],
            session__starts_at__gte=since,
        )
        .select_related("participant", "session__opportunity")
        .order_by("-session__starts_at")
    )


def training_days_count(*, participant: ParticipantProfile) -> int:
    """Distinct local (Asia/Tokyo) dates on which the participant was present as a trainee."""
    return (
        Attendance.objects.filter(
            participant=participant, role=Attendance.Role.TRAINEE, status=Attendance.Status.PRESENT
        )
        .annotate(day=TruncDate("session__starts_at", tzinfo=JST))
        .values("day")
        .distinct()
        .count()
    )


@dataclass
class AttendanceSummary:
    training_days: int = 0
    present: int = 0
    absent: int = 0
    excused: int = 0
    minutes: int = 0
    recent: list = field(default_factory=list)


def attendance_summary(*, participant: ParticipantProfile, recent: int = 10) -> AttendanceSummary:
    counts = Attendance.objects.filter(participant=participant).aggregate(
        present=Count("pk", filter=Q(status=Attendance.Status.PRESENT)),
        absent=Count("pk", filter=Q(status=Attendance.Status.ABSENT)),
        excused=Count("pk", filter=Q(status=Attendance.Status.EXCUSED)),
        minutes=Sum("minutes", filter=Q(status=Attendance.Status.PRESENT), default=0),
    )
    rows = list(
        Attendance.objects.filter(participant=participant)
        .select_related("session__opportunity__partner")
        .order_by("-session__starts_at")[:recent]
    )
    return AttendanceSummary(
        training_days=training_days_count(participant=participant), recent=rows, **counts
    )


def signups_upcoming_for(*, participant: ParticipantProfile) -> QuerySet[Signup]:
    return (
        Signup.objects.filter(
            participant=participant,
            session__starts_at__gte=timezone.now(),
        )
        .exclude(status=Signup.Status.CANCELLED)
        .select_related("session__opportunity__partner")
        .order_by("session__starts_at")
    )


def sessions_placeable(
    *, opportunities, participant: ParticipantProfile | None = None, limit_per_opportunity: int = 5
) -> dict[int, list[Session]]:
    """Upcoming, open sessions of the given opportunities, keyed by opportunity
    id, leaving out those the participant is already signed up for. Each has
    ``clash``: the participant's seat or request at the same time, or None."""
    ids = [o.pk for o in opportunities]
    result: dict[int, list[Session]] = {pk: [] for pk in ids}
    sessions = Session.objects.filter(
        opportunity_id__in=ids,
        opportunity__status=Opportunity.Status.OPEN,
        status=Session.Status.SCHEDULED,
        starts_at__gte=timezone.now(),
    ).order_by("starts_at")
    held: list[Signup] = []
    if participant is not None:
        sessions = sessions.exclude(
            pk__in=Signup.objects.filter(participant=participant)
            .exclude(status=Signup.Status.CANCELLED)
            .values("session_id")
        )
        # What already holds the participant's time, to mark dates that clash.
        held = list(
            Signup.objects.filter(
                participant=participant,
                status__in=Signup.TIME_HOLDING_STATUSES,
                session_cancelled=False,
                session_ends_at__gt=timezone.now(),
            )
            .select_related("session__opportunity")
            .order_by("session_starts_at")
        )
    for session in sessions:
        bucket = result[session.opportunity_id]
        if len(bucket) < limit_per_opportunity:
            session.clash = next(  # type: ignore[attr-defined]
                (
                    h
                    for h in held
                    if h.session_starts_at < session.ends_at
                    and h.session_ends_at > session.starts_at
                ),
                None,
            )
            bucket.append(session)
    return result


# --- ranking: matching.selectors owns it; these only scope it to the coach.


def matches_for_participant(*, participant: ParticipantProfile, limit: int = 10) -> list:
    """The participant's stored recommendations (the same list she sees), with
    the coach's wording of the reasons."""
    return recommendations_for_participant(participant=participant, limit=limit)


def matches_for_opportunity(*, opportunity: Opportunity, user: User, limit: int = 20) -> list:
    """Ranked people of the user's own caseload (everyone for the secretariat)."""
    return participants_for_opportunity(
        opportunity=opportunity, participants=participants_visible_to(user=user), limit=limit
    )
