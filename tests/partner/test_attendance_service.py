import pytest

from core.errors import Conflict, DomainError, NotAllowed
from opportunities.models import Session, Signup
from people.models import Supporter
from tests.builders import (
    make_opportunity,
    make_participant,
    make_partner,
    make_session,
    started_an_hour_ago,
)
from training.attendance import attendance_record, supporter_find_or_create
from training.models import Attendance

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(partner):
    # Attendance is taken on the day: the session started an hour ago.
    return make_session(
        opportunity=make_opportunity(partner=partner), starts_at=started_an_hour_ago()
    )


@pytest.fixture
def signed_up(session, participant):
    Signup.objects.create(session=session, participant=participant, status=Signup.Status.CONFIRMED)
    return participant


def test_present_defaults_to_session_length_and_absent_to_zero(session, signed_up, partner_staff):
    a = attendance_record(
        session=session, participant=signed_up, status="present", by=partner_staff
    )
    assert a.minutes == session.duration_minutes
    a = attendance_record(
        session=session, participant=signed_up, status="excused", by=partner_staff
    )
    assert a.minutes == 0
    assert Attendance.objects.count() == 1  # update_or_create: one row per person


def test_explicit_minutes_kept_and_session_marked_held(session, signed_up, partner_staff):
    a = attendance_record(
        session=session, participant=signed_up, status="present", minutes=45, by=partner_staff
    )
    assert a.minutes == 45 and a.recorded_by == partner_staff
    session.refresh_from_db()
    assert session.status == Session.Status.HELD


def test_only_staff_of_the_session_partner(session, signed_up, coach):
    from people.models import User
    from tests.builders import make_user

    other_staff = make_user(role=User.Role.PARTNER_STAFF, partner=make_partner())
    for user in (other_staff, coach):
        with pytest.raises(NotAllowed):
            attendance_record(session=session, participant=signed_up, status="present", by=user)


def test_not_on_roster_is_refused(session, partner_staff, coach):
    with pytest.raises(NotAllowed):
        attendance_record(
            session=session,
            participant=make_participant(coach=coach),
            status="present",
            by=partner_staff,
        )


def test_cancelled_session_refused(session, signed_up, partner_staff):
    Session.objects.filter(pk=session.pk).update(status=Session.Status.CANCELLED)
    session.refresh_from_db()
    with pytest.raises(Conflict):
        attendance_record(
            session=session, participant=signed_up, status="present", by=partner_staff
        )


def test_exactly_one_person(session, signed_up, partner_staff):
    supporter = Supporter.objects.create(code="SP1", name="鈴木")
    with pytest.raises(DomainError):
        attendance_record(
            session=session,
            participant=signed_up,
            supporter=supporter,
            status="present",
            by=partner_staff,
        )
    with pytest.raises(DomainError):
        attendance_record(session=session, status="present", by=partner_staff)


def test_supporter_gets_supporter_role(session, partner_staff):
    supporter = supporter_find_or_create(name="新しい人")
    assert supporter.code.startswith("SP")
    a = attendance_record(session=session, supporter=supporter, status="present", by=partner_staff)
    assert a.role == Attendance.Role.SUPPORTER and a.minutes == session.duration_minutes
    assert supporter_find_or_create(code=supporter.code.lower()) == supporter
    assert supporter_find_or_create(name="新しい人") == supporter
    with pytest.raises(DomainError):
        supporter_find_or_create(code="NOPE")


def test_a_day_that_has_not_come_cannot_have_attendance(partner, participant, partner_staff):
    tomorrow = make_session(opportunity=make_opportunity(partner=partner))  # three days ahead
    Signup.objects.create(session=tomorrow, participant=participant, status=Signup.Status.CONFIRMED)
    with pytest.raises(Conflict):
        attendance_record(
            session=tomorrow, participant=participant, status="present", by=partner_staff
        )
    tomorrow.refresh_from_db()
    assert tomorrow.status == Session.Status.SCHEDULED
    assert not Attendance.objects.exists()
