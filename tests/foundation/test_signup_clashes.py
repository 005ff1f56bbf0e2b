"""No clashes: a person holds at most one seat or request at any moment. The
services refuse with a sentence naming the other session; the database refuses
too (an exclusion constraint), also when a session's time moves."""

import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, close_old_connections, connection, transaction
from django.utils import timezone

from core.errors import Conflict
from opportunities.models import Session, Signup
from opportunities.services import session_cancel, signup_cancel, signup_create
from people.models import User
from tests.builders import make_opportunity, make_participant, make_session, make_user

pytestmark = pytest.mark.django_db

MONDAY_10 = (timezone.localtime() + timedelta(days=7)).replace(
    hour=10, minute=0, second=0, microsecond=0
)


def at(hours: float, length: float = 3, **overrides) -> Session:
    starts = MONDAY_10 + timedelta(hours=hours)
    return make_session(starts_at=starts, ends_at=starts + timedelta(hours=length), **overrides)


def user_of(participant):
    return make_user(role=User.Role.PARTICIPANT)


def test_overlapping_signup_is_refused_with_the_other_sessions_name():
    participant = make_participant()
    first = at(0, opportunity=make_opportunity(title="畑の収穫"))
    signup_create(session=first, participant=participant, by=user_of(participant))
    clashing = at(2)
    with pytest.raises(Conflict) as caught:
        signup_create(session=clashing, participant=participant, by=user_of(participant))
    starts = timezone.localtime(first.starts_at)
    assert caught.value.message == (
        f"同じ時間に「畑の収穫」（{starts.year}/{starts.month}/{starts.day} 10:00）の予定があります。"
    )
    assert caught.value.status_code == 409
    assert not Signup.objects.filter(session=clashing).exists()
    clashing.refresh_from_db()
    assert clashing.seats_taken == 0


def test_back_to_back_sessions_do_not_clash():
    participant = make_participant()
    signup_create(session=at(0), participant=participant, by=user_of(participant))
    signup = signup_create(session=at(3), participant=participant, by=user_of(participant))
    assert signup.status == Signup.Status.CONFIRMED


def test_a_request_holds_the_time_and_a_cancelled_signup_frees_it():
    participant = make_participant(readiness=1)
    next_step = make_opportunity(min_readiness=2)
    request = signup_create(
        session=at(0, opportunity=next_step), participant=participant, by=user_of(participant)
    )
    assert request.status == Signup.Status.REQUESTED
    with pytest.raises(Conflict):
        signup_create(session=at(1), participant=participant, by=user_of(participant))
    signup_cancel(signup=request, by=user_of(participant))
    assert signup_create(session=at(1), participant=participant, by=user_of(participant))


def test_a_cancelled_session_frees_the_time():
    participant = make_participant()
    first = at(0)
    signup_create(session=first, participant=participant, by=user_of(participant))
    session_cancel(session=first)
    signup = signup_create(session=at(1), participant=participant, by=user_of(participant))
    assert signup.status == Signup.Status.CONFIRMED


def test_coach_placement_obeys_it_too(coach):
    participant = make_participant(coach=coach)
    signup_create(session=at(0), participant=participant, by=coach)
    with pytest.raises(Conflict):
        signup_create(session=at(1), participant=participant, by=coach)


def test_the_database_refuses_a_clash_written_past_the_services():
    participant = make_participant()
    Signup.objects.create(session=at(0), participant=participant, status="confirmed")
    with pytest.raises(IntegrityError, match="opportunities_signup_no_clash"), transaction.atomic():
        Signup.objects.create(session=at(1), participant=participant, status="requested")
    # A waitlist place holds no time; nor does a cancelled sign-up.
    Signup.objects.create(session=at(1.5), participant=participant, status="waitlisted")
    Signup.objects.create(session=at(2), participant=participant, status="cancelled")


def test_the_copy_of_the_session_time_follows_the_session():
    participant = make_participant()
    early, late = at(0), at(4)
    Signup.objects.create(session=early, participant=participant, status="confirmed")
    Signup.objects.create(session=late, participant=participant, status="confirmed")
    late.starts_at = early.starts_at + timedelta(hours=1)
    with pytest.raises(IntegrityError, match="opportunities_signup_no_clash"), transaction.atomic():
        late.save(update_fields=["starts_at"])
    late.refresh_from_db()
    early.ends_at = late.starts_at  # longer, up to the next one: no clash

    early.save(update_fields=["ends_at"])
    signup = Signup.objects.get(session=early)
    assert signup.session_ends_at == early.ends_at


def test_full_clean_names_the_clash_as_a_sentence():
    participant = make_participant()
    Signup.objects.create(session=at(0), participant=participant, status="confirmed")
    with pytest.raises(ValidationError) as caught:
        Signup(session=at(1), participant=participant, status="confirmed").full_clean()
    assert "同じ時間に別の予定があります。" in str(caught.value)


def test_waitlist_promotion_passes_over_a_person_who_would_clash():
    full = at(0, capacity=1)
    seated, busy, free = make_participant(), make_participant(), make_participant()
    seat = signup_create(session=full, participant=seated, by=user_of(seated))
    busy_wait = signup_create(session=full, participant=busy, by=user_of(busy))
    free_wait = signup_create(session=full, participant=free, by=user_of(free))
    # Meanwhile the first on the waitlist took a seat elsewhere at the same time.
    signup_create(session=at(1), participant=busy, by=user_of(busy))

    signup_cancel(signup=seat, by=user_of(seated))

    busy_wait.refresh_from_db()
    free_wait.refresh_from_db()
    assert busy_wait.status == Signup.Status.WAITLISTED
    assert free_wait.status == Signup.Status.CONFIRMED
    full.refresh_from_db()
    assert full.seats_taken == 1


@pytest.mark.django_db(transaction=True)
def test_racing_signups_for_overlapping_sessions_get_one_seat_and_one_sentence():
    participant = make_participant()
    sessions = [at(0), at(1)]
    users = [make_user(), make_user()]
    barrier = threading.Barrier(2)
    errors: list = []

    def sign_up(session, user):
        try:
            barrier.wait()
            signup_create(session=session, participant=participant, by=user)
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=sign_up, args=pair) for pair in zip(sessions, users, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    close_old_connections()

    held = Signup.objects.filter(participant=participant, status="confirmed")
    assert held.count() == 1
    assert len(errors) == 1
    assert isinstance(errors[0], Conflict)
    assert errors[0].message.startswith("同じ時間に")
    assert (
        sum(
            Session.objects.filter(pk__in=[s.pk for s in sessions]).values_list(
                "seats_taken", flat=True
            )
        )
        == 1
    )
