"""Reads for the partner-staff pages. Partner staff see only
their own organisation: everything here starts from
opportunities.selectors.opportunities_managed_by / sessions_managed_by."""

from datetime import timedelta

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from core.clock import day_bounds, local_today
from opportunities.models import Opportunity, Session, Signup
from opportunities.selectors import opportunities_managed_by, sessions_managed_by
from people.models import ParticipantProfile
from training.models import Attendance, PayoutLine, PayoutRun


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
    rows: list[dict] = []
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
        # Someone recorded who never had a sign-up for this session came as a walk-in.
        signed_up = set(
            Signup.objects.filter(session=session, participant_id__in=extra).values_list(
                "participant_id", flat=True
            )
        )
        for participant in ParticipantProfile.objects.filter(pk__in=extra).only(
            "id", "code", "display_name", "emergency_contact"
        ):
            rows.append(
                {
                    "signup": None,
                    "participant": participant,
                    "attendance": attendance[participant.pk],
                    "walk_in": participant.pk not in signed_up,
                }
            )
    return rows


def signups_waiting(*, session: Session) -> dict[str, list[Signup]]:
    """Who else may come: the waitlist in the order seats go to it, and the
    requests still waiting for a coach's approval. Names only."""
    qs = (
        Signup.objects.filter(
            session=session, status__in=[Signup.Status.WAITLISTED, Signup.Status.REQUESTED]
        )
        .select_related("participant")
        .only("id", "status", "created_at", "participant__code", "participant__display_name")
        .order_by("created_at", "pk")
    )
    waiting: dict[str, list[Signup]] = {"waitlist": [], "requested": []}
    for signup in qs:
        key = "waitlist" if signup.status == Signup.Status.WAITLISTED else "requested"
        waiting[key].append(signup)
    return waiting


WALK_IN_RESULTS = 10


def walk_in_candidates(*, query: str, partner_id: int) -> list[ParticipantProfile]:
    """Participants a partner's staff can pick as a walk-in. Being in the
    programme is itself sensitive, so a search never lists strangers:
    - someone who has signed up for or come to this partner before is found by
      the exact participant code or by two characters of the name;
    - anyone else only by the exact code they bring together with (part of)
      their name, "P260123 山田", so a guessed code reveals nobody.
    Only code and display name are loaded."""
    words = query.split()
    if not words:
        return []
    known = Q(signups__session__opportunity__partner_id=partner_id) | Q(
        attendance__session__opportunity__partner_id=partner_id
    )
    text = " ".join(words)
    match = Q(code__iexact=text) & known
    if len(text) >= 2:
        match |= (Q(display_name__icontains=text) | Q(name_kana__icontains=text)) & known
    if len(words) >= 2:
        code, name = words[0], " ".join(words[1:])
        if len(name) >= 2:
            match |= Q(code__iexact=code) & (
                Q(display_name__icontains=name) | Q(name_kana__icontains=name)
            )
    return list(
        ParticipantProfile.objects.filter(match)
        .distinct()
        .only("id", "code", "display_name")
        .order_by("display_name", "code")[:WALK_IN_RESULTS]
    )


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


# -- Payout statements: a partner's own lines of approved or paid runs -------


def statement_runs(*, partner) -> QuerySet[PayoutRun]:
    """Approved or paid runs with at least one line paying ``partner``, each with
    the partner's own total. Drafts are never shown: they may still change."""
    return (
        PayoutRun.objects.filter(
            status__in=[PayoutRun.Status.APPROVED, PayoutRun.Status.PAID],
            pk__in=PayoutLine.objects.filter(partner=partner).values("run_id"),
        )
        .select_related("rule")
        .annotate(partner_total=Sum("lines__amount_yen", filter=Q(lines__partner=partner)))
        .order_by("-month", "rule__code")
    )


class PartnerStatement:
    """One run as a partner may see it: only the lines paying that partner,
    and their total. The exporters of training.exports read ``lines``,
    ``total_yen`` and the run's own fields through this view, so a download
    never carries another payee's line or the run's overall total."""

    def __init__(self, run: PayoutRun, partner) -> None:
        self._run = run
        self.partner = partner
        self.lines = run.lines.filter(partner=partner)
        self.total_yen = sum(line.amount_yen for line in self.lines)

    def __getattr__(self, name: str):
        return getattr(self._run, name)


def statement_for_partner(*, partner, pk: int) -> PartnerStatement | None:
    run = statement_runs(partner=partner).filter(pk=pk).first()
    return PartnerStatement(run, partner) if run is not None else None
