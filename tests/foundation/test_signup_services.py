import threading

import pytest
from django.db import close_old_connections, connection

from core.errors import Conflict, NotAllowed
from opportunities.models import Session, Signup
from opportunities.services import (
    session_cancel,
    sessions_generate_weekly,
    signup_approve,
    signup_cancel,
    signup_create,
    signup_decline,
)
from people.models import User
from people.services import readiness_record
from tests.builders import make_opportunity, make_participant, make_session, make_user

pytestmark = pytest.mark.django_db


def by(participant):
    return participant.user or make_user(role=User.Role.PARTICIPANT)


def test_signup_confirms_and_takes_a_seat():
    session = make_session(capacity=2)
    participant = make_participant(readiness=2)
    signup = signup_create(session=session, participant=participant, by=by(participant))
    session.refresh_from_db()
    assert signup.status == Signup.Status.CONFIRMED
    assert session.seats_taken == 1


def test_full_session_waitlists_and_cancel_moves_the_first_up():
    session = make_session(capacity=1)
    first, second, third = (make_participant() for _ in range(3))
    seated = signup_create(session=session, participant=first, by=by(first))
    waiting = signup_create(session=session, participant=second, by=by(second))
    later = signup_create(session=session, participant=third, by=by(third))
    assert waiting.status == Signup.Status.WAITLISTED

    signup_cancel(signup=seated, by=by(first))

    waiting.refresh_from_db()
    later.refresh_from_db()
    session.refresh_from_db()
    assert waiting.status == Signup.Status.CONFIRMED
    assert later.status == Signup.Status.WAITLISTED
    assert session.seats_taken == 1


def test_signing_up_twice_is_refused_and_keeps_one_seat():
    session = make_session(capacity=3)
    participant = make_participant()
    signup_create(session=session, participant=participant, by=by(participant))
    with pytest.raises(Conflict):
        signup_create(session=session, participant=participant, by=by(participant))
    session.refresh_from_db()
    assert session.seats_taken == 1


def test_next_step_by_participant_becomes_a_request_without_a_seat():
    session = make_session(opportunity=make_opportunity(min_readiness=3))
    participant = make_participant(readiness=2)
    signup = signup_create(session=session, participant=participant, by=by(participant))
    session.refresh_from_db()
    assert signup.status == Signup.Status.REQUESTED
    assert session.seats_taken == 0


def test_next_step_placed_by_coach_is_confirmed():
    coach = make_user(role=User.Role.COACH)
    session = make_session(opportunity=make_opportunity(min_readiness=3))
    signup = signup_create(
        session=session, participant=make_participant(readiness=2, coach=coach), by=coach
    )
    assert signup.status == Signup.Status.CONFIRMED
    assert signup.decided_by == coach


def test_two_steps_above_is_not_offered():
    session = make_session(opportunity=make_opportunity(min_readiness=4))
    participant = make_participant(readiness=2)
    with pytest.raises(NotAllowed):
        signup_create(session=session, participant=participant, by=by(participant))
    assert not Signup.objects.exists()


def test_coach_approves_or_declines_requests():
    coach = make_user(role=User.Role.COACH)
    session = make_session(opportunity=make_opportunity(min_readiness=3), capacity=1)
    a, b = make_participant(readiness=2), make_participant(readiness=2)
    request_a = signup_create(session=session, participant=a, by=by(a))
    request_b = signup_create(session=session, participant=b, by=by(b))

    assert signup_approve(signup=request_a, by=coach).status == Signup.Status.CONFIRMED
    assert signup_decline(signup=request_b, by=coach).status == Signup.Status.CANCELLED
    with pytest.raises(Conflict):
        signup_approve(signup=request_b, by=coach)


def test_cancelled_session_takes_no_signups():
    session = make_session()
    session_cancel(session=session)
    participant = make_participant()
    with pytest.raises(Conflict):
        signup_create(session=session, participant=participant, by=by(participant))


def test_a_session_that_has_started_takes_no_signups():
    from tests.builders import started_an_hour_ago

    session = make_session(starts_at=started_an_hour_ago())
    participant = make_participant()
    with pytest.raises(Conflict):
        signup_create(session=session, participant=participant, by=by(participant))
    session.refresh_from_db()
    assert session.seats_taken == 0


def test_weekly_pattern_creates_sessions_once():
    from datetime import date, time

    opportunity = make_opportunity()
    created = sessions_generate_weekly(
        opportunity=opportunity,
        weekdays=[0, 3],
        start=time(10),
        end=time(12),
        date_from=date(2026, 12, 1),
        date_to=date(2026, 12, 31),
    )
    again = sessions_generate_weekly(
        opportunity=opportunity,
        weekdays=[0, 3],
        start=time(10),
        end=time(12),
        date_from=date(2026, 12, 1),
        date_to=date(2026, 12, 31),
    )
    assert len(created) == 9  # Mondays 7,14,21,28 and Thursdays 3,10,17,24,31
    assert again == []
    assert all(s.starts_at.astimezone().hour is not None for s in created)
    first = Session.objects.filter(opportunity=opportunity).order_by("starts_at").first()
    assert first.starts_at.isoformat() == "2026-12-03T01:00:00+00:00"  # 10:00 in Tokyo


def test_readiness_record_keeps_history_and_moves_current_step():
    participant = make_participant(readiness=1)
    readiness_record(participant=participant, step=2)
    readiness_record(participant=participant, step=3)
    participant.refresh_from_db()
    assert participant.readiness == 3
    assert list(participant.assessments.values_list("step", flat=True)) == [3, 2]


@pytest.mark.django_db(transaction=True)
def test_concurrent_signups_never_overbook():
    """Twelve people sign up for four seats at the same moment, each in its own
    connection and transaction; exactly four get a seat."""
    session = make_session(capacity=4)
    participants = [make_participant() for _ in range(12)]
    users = [make_user() for _ in participants]
    barrier = threading.Barrier(len(participants))
    errors = []

    def sign_up(participant, user):
        try:
            barrier.wait()
            signup_create(
                session=Session.objects.get(pk=session.pk), participant=participant, by=user
            )
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=sign_up, args=pair)
        for pair in zip(participants, users, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    close_old_connections()

    session.refresh_from_db()
    assert errors == []
    assert session.seats_taken == 4
    assert Signup.objects.filter(session=session, status=Signup.Status.CONFIRMED).count() == 4
    assert Signup.objects.filter(session=session, status=Signup.Status.WAITLISTED).count() == 8
