"""Every database constraint rejects bad rows: create() raises IntegrityError,
and full_clean() catches the same rule before the database does."""

from datetime import time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from opportunities.models import OpeningSlot, Opportunity, Partner, Session, Signup
from people.models import AvailabilitySlot, ParticipantProfile, ReadinessAssessment, Supporter, User
from tests.builders import make_opportunity, make_participant, make_partner, make_session, make_user
from training.models import Attendance

pytestmark = pytest.mark.django_db


def assert_rejected(build):
    """The row is refused by full_clean() and by the database itself."""
    obj = build()
    with pytest.raises(ValidationError):
        obj.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        obj.save()


def test_user_role_must_be_known():
    assert_rejected(lambda: User(username="x", role="boss"))


def test_only_partner_staff_belong_to_a_partner():
    partner = make_partner()
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="c", role=User.Role.COACH, partner=partner)


def test_partner_category_must_be_known():
    assert_rejected(lambda: Partner(code="PX", name="x", category="bank", municipality="東金市"))


def test_partner_code_is_unique():
    make_partner(code="P001")
    assert_rejected(
        lambda: Partner(code="P001", name="y", category="commerce", municipality="東金市")
    )


def test_partner_location_must_be_on_earth():
    assert_rejected(
        lambda: Partner(
            code="PL", name="x", category="commerce", municipality="東金市", lat=120, lon=140
        )
    )


def test_opening_slot_must_end_after_it_starts():
    partner = make_partner()
    assert_rejected(lambda: OpeningSlot(partner=partner, weekday=0, start=time(14), end=time(10)))


def test_opening_slot_weekday_is_0_to_6():
    partner = make_partner()
    assert_rejected(lambda: OpeningSlot(partner=partner, weekday=7, start=time(10), end=time(14)))


@pytest.mark.parametrize(
    "overrides",
    [
        {"kind": "gardening"},
        {"status": "archived"},
        {"min_readiness": 0},
        {"min_readiness": 6},
        {"capacity": 0},
        {"kind": "intermediate_employment", "employment_type": ""},
        {"kind": "volunteering", "employment_type": "employment"},
    ],
    ids=[
        "kind",
        "status",
        "readiness-low",
        "readiness-high",
        "capacity",
        "ie-needs-type",
        "type-only-for-ie",
    ],
)
def test_opportunity_rules(overrides):
    partner = make_partner()
    fields = {
        "code": "OX",
        "partner": partner,
        "title": "t",
        "kind": "volunteering",
        "status": "open",
        **overrides,
    }
    assert_rejected(lambda: Opportunity(**fields))


def test_intermediate_employment_with_type_is_accepted():
    opportunity = make_opportunity(kind="intermediate_employment", employment_type="non_employment")
    opportunity.full_clean()


def test_opportunity_partner_is_protected():
    opportunity = make_opportunity()
    with pytest.raises(Exception, match="protected"):
        opportunity.partner.delete()


def test_session_must_end_after_it_starts():
    opportunity = make_opportunity()
    now = timezone.now()
    assert_rejected(
        lambda: Session(opportunity=opportunity, starts_at=now, ends_at=now, capacity=2)
    )


def test_session_cannot_be_overbooked():
    session = make_session(capacity=2)
    session.seats_taken = 3
    assert_rejected(lambda: session)


def test_session_status_must_be_known():
    opportunity = make_opportunity()
    now = timezone.now()
    assert_rejected(
        lambda: Session(
            opportunity=opportunity,
            starts_at=now,
            ends_at=now + timedelta(hours=1),
            capacity=1,
            status="maybe",
        )
    )


def test_one_session_per_opportunity_and_start():
    session = make_session()
    assert_rejected(
        lambda: Session(
            opportunity=session.opportunity,
            starts_at=session.starts_at,
            ends_at=session.ends_at,
            capacity=1,
        )
    )


def test_participant_readiness_on_ladder():
    assert_rejected(lambda: ParticipantProfile(code="S9", display_name="x", readiness=6))


def test_participant_consent_needs_a_date():
    assert_rejected(lambda: ParticipantProfile(code="S8", display_name="x", consent_given=True))


def test_participant_code_is_unique():
    make_participant(code="S100")
    assert_rejected(lambda: ParticipantProfile(code="S100", display_name="y"))


def test_availability_must_end_after_it_starts():
    participant = make_participant()
    assert_rejected(
        lambda: AvailabilitySlot(participant=participant, weekday=1, start=time(12), end=time(9))
    )


def test_assessment_step_on_ladder():
    participant = make_participant()
    assert_rejected(
        lambda: ReadinessAssessment(
            participant=participant, step=0, assessed_on=timezone.localdate()
        )
    )


def test_one_active_signup_per_participant_and_session():
    session = make_session()
    participant = make_participant()
    Signup.objects.create(session=session, participant=participant, status="confirmed")
    assert_rejected(lambda: Signup(session=session, participant=participant, status="waitlisted"))


def test_cancelled_signups_do_not_block_a_new_one():
    session = make_session()
    participant = make_participant()
    Signup.objects.create(session=session, participant=participant, status="cancelled")
    Signup.objects.create(session=session, participant=participant, status="cancelled")
    Signup.objects.create(session=session, participant=participant, status="confirmed")


def test_signup_status_must_be_known():
    session = make_session()
    assert_rejected(lambda: Signup(session=session, participant=make_participant(), status="maybe"))


def test_session_with_signups_is_protected():
    session = make_session()
    Signup.objects.create(session=session, participant=make_participant(), status="confirmed")
    with pytest.raises(Exception, match="protected"):
        session.delete()


def test_attendance_needs_exactly_one_person():
    session = make_session()
    supporter = Supporter.objects.create(code="V1", name="ボランティア")
    participant = make_participant()
    assert_rejected(lambda: Attendance(session=session, status="present"))
    assert_rejected(
        lambda: Attendance(
            session=session,
            participant=participant,
            supporter=supporter,
            role="supporter",
            status="present",
        )
    )


def test_supporter_record_attends_as_supporter():
    session = make_session()
    supporter = Supporter.objects.create(code="V2", name="ボランティア")
    assert_rejected(
        lambda: Attendance(session=session, supporter=supporter, role="trainee", status="present")
    )


def test_attendance_status_and_role_must_be_known():
    session = make_session()
    participant = make_participant()
    assert_rejected(lambda: Attendance(session=session, participant=participant, status="late"))
    assert_rejected(
        lambda: Attendance(session=session, participant=participant, status="present", role="guest")
    )


def test_one_attendance_per_person_and_session():
    session = make_session()
    participant = make_participant()
    Attendance.objects.create(
        session=session, participant=participant, status="present", minutes=60
    )
    assert_rejected(lambda: Attendance(session=session, participant=participant, status="absent"))


def test_attended_session_is_protected():
    session = make_session()
    Attendance.objects.create(
        session=session, participant=make_participant(), status="present", minutes=60
    )
    with pytest.raises(Exception, match="protected"):
        session.delete()


def test_staff_user_with_partner_is_valid():
    partner = make_partner()
    make_user(role=User.Role.PARTNER_STAFF, partner=partner).full_clean()
