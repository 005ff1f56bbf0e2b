"""The coaches' weekly absence digest: attendance is training's, the sending
(templates, dedupe log) is opportunities.notifications'."""

from datetime import date, timedelta

from core.clock import day_bounds, local_today
from opportunities.notifications import notification_send, site_url
from people.models import User
from training.models import Attendance


def absence_digest_send(*, today: date | None = None) -> int:
    """Each coach gets the absences of their caseload in the 7 days before ``today``."""
    today = today or local_today()
    since, _ = day_bounds(today - timedelta(days=7))
    until, _ = day_bounds(today)
    absences = (
        Attendance.objects.filter(
            status=Attendance.Status.ABSENT,
            participant__coach__isnull=False,
            session__starts_at__gte=since,
            session__starts_at__lt=until,
        )
        .select_related("participant__coach", "session__opportunity__partner")
        .order_by("participant__coach_id", "session__starts_at")
    )
    by_coach: dict[int, list] = {}
    coaches: dict[int, User] = {}
    for attendance in absences:
        # The query keeps only absences of participants who have a coach.
        assert attendance.participant is not None and attendance.participant.coach is not None
        coach = attendance.participant.coach
        coaches[coach.pk] = coach
        by_coach.setdefault(coach.pk, []).append(attendance)
    year, week, _ = today.isocalendar()
    sent = 0
    for coach_id, rows in by_coach.items():
        sent += notification_send(
            kind="absence_digest",
            key=f"coach:{coach_id}:absences:{year}-W{week:02d}",
            user=coaches[coach_id],
            context={
                "absences": rows,
                "since": today - timedelta(days=7),
                "caseload_url": site_url("/coach/"),
            },
        )
    return sent
