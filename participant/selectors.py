"""Reads for the participant's pages: browse with filters, ranking through the
matching app, and "my schedule"."""

from dataclasses import dataclass, field
from datetime import timedelta
from functools import cached_property

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from matching.ranking import PairFacts, ReasonSplit, participant_reasons
from matching.selectors import opportunities_search, recommendations_for_participant
from opportunities.models import Opportunity, Partner, Session, Signup
from opportunities.selectors import opportunity_list_open
from people.models import ParticipantProfile
from people.readiness import NEXT_STEP, TOO_HIGH, highest_step_offered, readiness_fit

# Local start hour ranges (Asia/Tokyo: Django's __hour lookup uses the current time zone).
TIMES_OF_DAY = {"morning": (0, 12), "afternoon": (12, 17), "evening": (17, 24)}


@dataclass
class Listing:
    """An opportunity as a list shows it. When it was ranked, ``reasons`` are
    built from the ranking's facts on first use, so a page of 12 out of 120
    search results explains only those 12."""

    opportunity: Opportunity
    given_reasons: list[str] = field(default_factory=list)
    readiness_fit: str = ""
    facts: PairFacts | None = None

    @cached_property
    def reasons(self) -> ReasonSplit:
        """What fits and what to watch out for, written to her."""
        if self.facts is not None:
            return participant_reasons(self.facts)
        return ReasonSplit(fits=list(self.given_reasons))


def readiness_fit_of(*, participant: ParticipantProfile | None, opportunity: Opportunity) -> str:
    if participant is None:
        return ""
    return readiness_fit(participant.readiness, opportunity.min_readiness)


def opportunity_browse(
    *,
    kind: str = "",
    municipality: str = "",
    weekday: int | None = None,
    time_of_day: str = "",
    fit: str = "",
    participant: ParticipantProfile | None = None,
) -> QuerySet[Opportunity]:
    """Open opportunities with the browse filters. Weekday and time of day must
    hold for the same upcoming session; ``fit`` ("fit" or "next_step") keeps what
    the participant can take now, or also the next step."""
    qs = opportunity_list_open(kind=kind, municipality=municipality)
    if weekday is not None or time_of_day in TIMES_OF_DAY:
        upcoming = Session.objects.filter(
            opportunity=OuterRef("pk"),
            status=Session.Status.SCHEDULED,
            starts_at__gte=timezone.now(),
        )
        if weekday is not None:
            # PostgreSQL's ISO day of week runs 1 = Monday … 7 = Sunday; ours 0 … 6.
            upcoming = upcoming.filter(starts_at__iso_week_day=weekday + 1)
        if time_of_day in TIMES_OF_DAY:
            low, high = TIMES_OF_DAY[time_of_day]
            upcoming = upcoming.filter(starts_at__hour__gte=low, starts_at__hour__lt=high)
        qs = qs.filter(Exists(upcoming))
    if participant is not None and fit in ("fit", "next_step"):
        highest = highest_step_offered(participant.readiness, with_next_step=fit == NEXT_STEP)
        qs = qs.filter(min_readiness__lte=highest)
    return qs


def _listings(matches) -> list[Listing]:
    return [Listing(m.opportunity, [], m.readiness_fit, m.facts) for m in matches]


def opportunity_search(
    *,
    query: str,
    participant: ParticipantProfile | None,
    opportunities: QuerySet[Opportunity],
    limit: int = 100,
) -> list[Listing]:
    """Free text through the hybrid ranking (reasons built when shown)."""
    return _listings(
        opportunities_search(
            query=query,
            participant=participant,
            opportunities=opportunities,
            limit=limit,
            explain=False,
        )
    )


def opportunity_recommended(*, participant: ParticipantProfile, limit: int = 6) -> list[Listing]:
    """ "Recommended for you", read from the stored ranking: feasible matches
    first, never a step two above."""
    matches = recommendations_for_participant(
        participant=participant, limit=limit * 2, explain=False
    )
    matches = [m for m in matches if m.readiness_fit != TOO_HIGH]
    matches.sort(key=lambda m: not m.feasible)  # stable: keeps the ranking within each group
    return _listings(matches[:limit])


def signups_upcoming(*, participant: ParticipantProfile) -> QuerySet[Signup]:
    """Active sign-ups for sessions that have not ended, soonest first."""
    return (
        Signup.objects.filter(
            participant=participant,
            status__in=Signup.ACTIVE_STATUSES,
            session__ends_at__gte=timezone.now(),
        )
        .exclude(session__status=Session.Status.CANCELLED)
        .select_related("session__opportunity__partner")
        .order_by("session__starts_at")
    )


def signups_recent_past(*, participant: ParticipantProfile, days: int = 60) -> QuerySet[Signup]:
    now = timezone.now()
    return (
        Signup.objects.filter(
            participant=participant,
            status=Signup.Status.CONFIRMED,
            session__ends_at__lt=now,
            session__starts_at__gte=now - timedelta(days=days),
        )
        .select_related("session__opportunity__partner")
        .order_by("-session__starts_at")
    )


def signups_for_feed(*, participant: ParticipantProfile, days_back: int = 30) -> QuerySet[Signup]:
    """What the iCal feed carries: recent and future sign-ups, including the
    cancelled ones, so calendar apps remove events that no longer happen."""
    return (
        Signup.objects.filter(
            participant=participant,
            session__starts_at__gte=timezone.now() - timedelta(days=days_back),
        )
        .select_related("session__opportunity__partner")
        .order_by("session__starts_at", "pk")
    )


def signups_active_by_session(
    *, participant: ParticipantProfile | None, sessions
) -> dict[int, Signup]:
    if participant is None:
        return {}
    signups = Signup.objects.filter(
        participant=participant, session__in=list(sessions), status__in=Signup.ACTIVE_STATUSES
    )
    return {s.session_id: s for s in signups}


def waitlist_position(*, signup: Signup) -> int | None:
    if signup.status != Signup.Status.WAITLISTED:
        return None
    ahead = Signup.objects.filter(
        session_id=signup.session_id, status=Signup.Status.WAITLISTED
    ).filter(
        Q(created_at__lt=signup.created_at) | Q(created_at=signup.created_at, pk__lt=signup.pk)
    )
    return ahead.count() + 1


# The offers the public map filters by, in the order the network lists them.
MAP_OFFERS = ["place", "consultation", "cool_station", "cafeteria", "food_bank", "work_acceptance"]
COOL_STATION_MONTHS = (7, 8, 9)


def partners_for_map(*, offer: str = "") -> QuerySet[Partner]:
    qs = Partner.objects.filter(is_active=True).prefetch_related(Prefetch("opening_slots"))
    if offer in Partner.OFFER_FIELDS:
        qs = qs.filter(**{Partner.OFFER_FIELDS[offer]: True})
    return qs.order_by("municipality", "name_kana", "name")
