"""Writes for partners, opportunities, sessions and sign-ups.

Capacity is guarded by ``Session.seats_taken`` and a CheckConstraint; seats are
taken with a conditional UPDATE, so concurrent sign-ups can never overbook.
"""

import secrets
from datetime import date, time, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django_q.tasks import async_task

from core.clock import at
from core.errors import Conflict, DomainError, NotAllowed
from opportunities.models import CalendarFeed, Opportunity, Session, Signup
from people.models import ParticipantProfile, User
from people.readiness import NEXT_STEP, TOO_HIGH, readiness_fit

NOTIFY_SIGNUP = "opportunities.tasks.signup_notify"
NOTIFY_SESSION_CANCELLED = "opportunities.tasks.session_cancelled_notify"


def _notify_on_commit(task: str, *args) -> None:
    transaction.on_commit(lambda: async_task(task, *args))


def opportunity_fill_location(opportunity: Opportunity) -> None:
    """An opportunity without its own place happens at its partner's."""
    if not opportunity.municipality:
        opportunity.municipality = opportunity.partner.municipality
    if not opportunity.address:
        opportunity.address = opportunity.partner.address
    if opportunity.lat is None and opportunity.lon is None:
        opportunity.lat, opportunity.lon = opportunity.partner.lat, opportunity.partner.lon


def opportunity_save(*, opportunity: Opportunity) -> Opportunity:
    opportunity_fill_location(opportunity)
    opportunity.full_clean()
    opportunity.save()
    return opportunity


def session_create(
    *,
    opportunity: Opportunity,
    starts_at,
    ends_at,
    capacity: int | None = None,
    instructor_name: str = "",
) -> Session:
    session = Session(
        opportunity=opportunity,
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity or opportunity.capacity,
        instructor_name=instructor_name,
    )
    session.full_clean()
    session.save()
    return session


@transaction.atomic
def sessions_generate_weekly(
    *,
    opportunity: Opportunity,
    weekdays: list[int],
    start: time,
    end: time,
    date_from: date,
    date_to: date,
    capacity: int | None = None,
    instructor_name: str = "",
) -> list[Session]:
    """Create one session on each chosen weekday between two dates; existing
    sessions at the same start are left as they are."""
    if start >= end:
        raise DomainError(_("終了時刻は開始時刻より後にしてください。"))
    if date_to < date_from:
        raise DomainError(_("終了日は開始日以降にしてください。"))
    if (date_to - date_from).days > 366:
        raise DomainError(_("一度に作れるのは1年分までです。"))
    created = []
    day = date_from
    while day <= date_to:
        if day.weekday() in weekdays:
            starts_at = at(day, start)
            if not Session.objects.filter(opportunity=opportunity, starts_at=starts_at).exists():
                created.append(
                    session_create(
                        opportunity=opportunity,
                        starts_at=starts_at,
                        ends_at=at(day, end),
                        capacity=capacity,
                        instructor_name=instructor_name,
                    )
                )
        day += timedelta(days=1)
    return created


@transaction.atomic
def session_cancel(*, session: Session) -> Session:
    """Cancel a session; everyone signed up is told."""
    session = Session.objects.select_for_update().get(pk=session.pk)
    if session.status == Session.Status.CANCELLED:
        return session
    if session.status == Session.Status.HELD:
        raise Conflict(_("実施済みの回は中止できません。"))
    session.status = Session.Status.CANCELLED
    session.save(update_fields=["status"])
    _notify_on_commit(NOTIFY_SESSION_CANCELLED, session.pk)
    return session


def _clash_for(
    *, participant: ParticipantProfile, session: Session, exclude_pk: int | None = None
) -> Signup | None:
    """The participant's seat or request that overlaps this session in time, if any."""
    others = Signup.objects.filter(
        participant=participant,
        status__in=Signup.TIME_HOLDING_STATUSES,
        session_cancelled=False,
        session_starts_at__lt=session.ends_at,
        session_ends_at__gt=session.starts_at,
    ).exclude(session_id=session.pk)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    return others.select_related("session__opportunity").order_by("session_starts_at", "pk").first()


def _clash_error(clash: Signup | None) -> Conflict:
    if clash is None:
        return Conflict(_("同じ時間に別の予定があります。"))
    starts = timezone.localtime(clash.session.starts_at)
    return Conflict(
        _("同じ時間に「%(title)s」（%(date)s %(time)s）の予定があります。")
        % {
            "title": clash.session.opportunity.title,
            "date": f"{starts.year}/{starts.month}/{starts.day}",
            "time": f"{starts:%H:%M}",
        }
    )


def _refuse_clash(*, participant: ParticipantProfile, session: Session, exclude_pk=None) -> None:
    clash = _clash_for(participant=participant, session=session, exclude_pk=exclude_pk)
    if clash is not None:
        raise _clash_error(clash)


def session_time_refuse_clash(*, session: Session, starts_at, ends_at) -> None:
    """Before a scheduled session is moved: refuse a time at which one of the
    people holding a seat or a request would be booked twice (the constraint
    would refuse it anyway, as an error instead of a sentence)."""
    moved = Session(pk=session.pk, starts_at=starts_at, ends_at=ends_at)
    for signup in Signup.objects.filter(
        session=session, status__in=Signup.TIME_HOLDING_STATUSES
    ).select_related("participant"):
        clash = _clash_for(participant=signup.participant, session=moved)
        if clash is not None:
            raise Conflict(
                _("%(name)sさん: %(reason)s")
                % {"name": signup.participant.display_name, "reason": _clash_error(clash).message}
            )


def _is_clash(error: IntegrityError) -> bool:
    return "opportunities_signup_no_clash" in str(error)


def _take_seat(session: Session) -> bool:
    # One conditional UPDATE rather than read-check-write: PostgreSQL re-checks
    # the condition on the row it locks, so of two people racing for the last
    # seat exactly one gets it, without locking the session for the whole
    # sign-up (the CheckConstraint on seats_taken is the backstop).
    return (
        Session.objects.filter(
            pk=session.pk, status=Session.Status.SCHEDULED, seats_taken__lt=F("capacity")
        ).update(seats_taken=F("seats_taken") + 1)
        == 1
    )


def _free_seat(session: Session) -> None:
    Session.objects.filter(pk=session.pk, seats_taken__gt=0).update(
        seats_taken=F("seats_taken") - 1
    )


@transaction.atomic
def signup_create(
    *,
    session: Session,
    participant: ParticipantProfile,
    by: User,
    waitlist_if_full: bool = True,
    notify: bool = True,
) -> Signup:
    """Sign a participant up for a session.

    A participant at or above the opportunity's step gets a seat (or the
    waitlist when full). One step below is a "next step": a participant's own
    sign-up becomes a request for their coach, while a coach placing them is the
    approval itself. Two or more steps below is not offered.
    """
    # Decide on the stored state, not on a possibly stale instance.
    session = Session.objects.select_related("opportunity").get(pk=session.pk)
    if session.status != Session.Status.SCHEDULED:
        raise Conflict(_("この回は申し込みを受け付けていません。"))
    if session.starts_at <= timezone.now():
        raise Conflict(_("この回はもう始まっているため、申し込めません。"))
    opportunity = session.opportunity
    if opportunity.status != Opportunity.Status.OPEN:
        raise Conflict(_("この活動は現在募集していません。"))
    fit = readiness_fit(participant.readiness, opportunity.min_readiness)
    placed_by_staff = by.is_coach or by.is_secretariat
    if fit == TOO_HIGH:
        raise NotAllowed(_("この活動は今のステップからは2段階以上先のため、申し込めません。"))
    # A person is in one place at a time; the exclusion constraint is the backstop.
    _refuse_clash(participant=participant, session=session)

    if fit == NEXT_STEP and not placed_by_staff:
        status = Signup.Status.REQUESTED
    elif _take_seat(session):
        status = Signup.Status.CONFIRMED
    elif waitlist_if_full:
        status = Signup.Status.WAITLISTED
    else:
        raise Conflict(_("この回は満員です。"))

    try:
        with transaction.atomic():
            signup = Signup.objects.create(
                session=session,
                participant=participant,
                status=status,
                created_by=by,
                decided_by=by if (fit == NEXT_STEP and placed_by_staff) else None,
            )
    except IntegrityError as error:
        # The outer transaction rolls back the seat we may have taken.
        if _is_clash(error):
            # Another sign-up for the same time won a race with this one.
            raise _clash_error(_clash_for(participant=participant, session=session)) from None
        raise Conflict(_("すでにこの回に申し込んでいます。")) from None
    if notify:
        _notify_on_commit(NOTIFY_SIGNUP, signup.pk, status)
    return signup


def _promote_from_waitlist(session: Session, *, notify: bool) -> Signup | None:
    """Give a freed seat to the first person waiting who is free at that time;
    someone who has meanwhile taken another seat at the same time is passed
    over (and keeps their place on the waitlist)."""
    waiting = (
        Signup.objects.select_for_update(skip_locked=True)
        .filter(session=session, status=Signup.Status.WAITLISTED)
        .select_related("session")
        .order_by("created_at", "pk")
    )
    for candidate in waiting:
        if _clash_for(participant=candidate.participant, session=session) is not None:
            continue
        if not _take_seat(session):
            return None
        candidate.status = Signup.Status.CONFIRMED
        try:
            with transaction.atomic():
                candidate.save(update_fields=["status", "updated_at"])
        except IntegrityError as error:
            if not _is_clash(error):
                raise
            # A clash that appeared after the check (a race): give the seat back.
            _free_seat(session)
            candidate.status = Signup.Status.WAITLISTED
            continue
        if notify:
            _notify_on_commit(NOTIFY_SIGNUP, candidate.pk, "promoted")
        return candidate
    return None


@transaction.atomic
def signup_cancel(*, signup: Signup, by: User, notify: bool = True) -> Signup:
    """Cancel a sign-up; a freed seat goes to the first person on the waitlist."""
    signup = Signup.objects.select_for_update().select_related("session").get(pk=signup.pk)
    if signup.status == Signup.Status.CANCELLED:
        return signup
    held_seat = signup.status == Signup.Status.CONFIRMED
    signup.status = Signup.Status.CANCELLED
    signup.save(update_fields=["status", "updated_at"])
    if notify:
        _notify_on_commit(NOTIFY_SIGNUP, signup.pk, "cancelled")  # the partner's staff
    if held_seat:
        _free_seat(signup.session)
        if signup.session.status == Session.Status.SCHEDULED:
            _promote_from_waitlist(signup.session, notify=notify)
    return signup


@transaction.atomic
def signup_approve(*, signup: Signup, by: User) -> Signup:
    """A coach approves a "next step" request: it gets a seat, or the waitlist."""
    signup = Signup.objects.select_for_update().select_related("session").get(pk=signup.pk)
    if signup.status != Signup.Status.REQUESTED:
        raise Conflict(_("この申込はすでに処理されています。"))
    # A request already holds the time, so the constraint has kept clashes out;
    # this is the same check as everywhere, for rows written before it existed.
    _refuse_clash(participant=signup.participant, session=signup.session, exclude_pk=signup.pk)
    signup.status = (
        Signup.Status.CONFIRMED if _take_seat(signup.session) else Signup.Status.WAITLISTED
    )
    signup.decided_by = by
    signup.save(update_fields=["status", "decided_by", "updated_at"])
    _notify_on_commit(NOTIFY_SIGNUP, signup.pk, "approved")
    return signup


@transaction.atomic
def signup_decline(*, signup: Signup, by: User) -> Signup:
    signup = Signup.objects.select_for_update().get(pk=signup.pk)
    if signup.status != Signup.Status.REQUESTED:
        raise Conflict(_("この申込はすでに処理されています。"))
    signup.status = Signup.Status.CANCELLED
    signup.decided_by = by
    signup.save(update_fields=["status", "decided_by", "updated_at"])
    _notify_on_commit(NOTIFY_SIGNUP, signup.pk, "declined")
    return signup


def calendar_feed_enable(*, participant: ParticipantProfile) -> CalendarFeed:
    """The participant's iCal feed, with a new secret token the first time."""
    feed, _created = CalendarFeed.objects.get_or_create(
        participant=participant, defaults={"token": secrets.token_urlsafe(32)}
    )
    return feed


def calendar_feed_revoke(*, participant: ParticipantProfile) -> CalendarFeed:
    """Replace the feed's token: the old URL stops working at once."""
    feed, _created = CalendarFeed.objects.update_or_create(
        participant=participant,
        defaults={"token": secrets.token_urlsafe(32), "created_at": timezone.now()},
    )
    return feed
