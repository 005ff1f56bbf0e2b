"""The roster shows the waitlist in order and the requests waiting for a
coach; staff record a walk-in (found by code or name, nothing but code and
name shown) under the same rules as any attendance."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from opportunities.models import Session, Signup
from people.models import User
from tests.builders import (
    make_opportunity,
    make_participant,
    make_partner,
    make_session,
    make_user,
    started_an_hour_ago,
)
from training.models import Attendance, AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, partner_staff):
    client.force_login(partner_staff)
    return client


@pytest.fixture
def session(partner):
    return make_session(
        opportunity=make_opportunity(partner=partner, title="朝市の準備"),
        starts_at=started_an_hour_ago(),
        capacity=1,
    )


@pytest.fixture
def walker(coach):
    return make_participant(
        code="W0001",
        display_name="飛込花子",
        coach=coach,
        support_notes="WALKER-SUPPORT-CANARY",
        emergency_contact="WALKER-CONTACT",
        self_description="WALKER-SELF-CANARY",
    )


def _signup(session, participant, status, minutes_ago):
    return Signup.objects.create(
        session=session,
        participant=participant,
        status=status,
        created_at=timezone.now() - timedelta(minutes=minutes_ago),
    )


def test_roster_shows_waitlist_in_order_and_pending_requests(staff_client, session):
    first = make_participant(display_name="一番目")
    second = make_participant(display_name="二番目")
    asking = make_participant(display_name="承認待ちの人", support_notes="ASKING-CANARY")
    _signup(session, second, Signup.Status.WAITLISTED, 10)
    _signup(session, first, Signup.Status.WAITLISTED, 20)
    _signup(session, asking, Signup.Status.REQUESTED, 5)
    html = staff_client.get(reverse("partner_session", args=[session.pk])).content.decode()
    waitlist = html.split('id="waitlist"')[1].split("</ol>")[0]
    assert waitlist.index("一番目") < waitlist.index("二番目")
    requested = html.split('id="requested"')[1].split("</ul>")[0]
    assert "承認待ちの人" in requested
    assert "ASKING-CANARY" not in html


def test_search_finds_by_code_or_name_and_shows_only_code_and_name(staff_client, session, walker):
    url = reverse("partner_walk_in", args=[session.pk])

    def found(query):
        html = staff_client.get(url, {"q": query}).content.decode()
        assert "WALKER-SUPPORT-CANARY" not in html
        assert "WALKER-CONTACT" not in html
        assert "WALKER-SELF-CANARY" not in html
        return 'data-participant-code="W0001"' in html.split('id="walk-in-results"')[1]

    # A stranger to this partner: a guessed code or a name alone reveals nobody;
    # the code they bring together with their name finds them.
    assert not found("W0001")
    assert not found("飛込")
    assert not found("W0001 他人")
    assert found("w0001 飛込")
    assert found("W0001\u3000飛込花子")
    # Once they have signed up here before, the code or the name alone finds them.
    earlier = make_session(opportunity=session.opportunity)
    _signup(earlier, walker, Signup.Status.CANCELLED, 60)
    assert found("w0001")
    assert found("飛込")
    # One character is not a search by name (it would list half the programme).
    assert not found("飛")


def test_a_walk_in_is_recorded_present_audited_and_may_exceed_capacity(
    staff_client, session, walker, partner_staff
):
    expected = make_participant(display_name="予約した人")
    Session.objects.filter(pk=session.pk).update(seats_taken=1)
    _signup(session, expected, Signup.Status.CONFIRMED, 30)

    response = staff_client.post(
        reverse("partner_walk_in", args=[session.pk]), {"participant": "W0001", "q": "W0001 飛込"}
    )
    assert response.status_code == 302
    attendance = Attendance.objects.get(session=session, participant=walker)
    assert attendance.status == Attendance.Status.PRESENT
    assert attendance.minutes == session.duration_minutes
    assert attendance.recorded_by == partner_staff
    assert AuditEntry.objects.filter(action="attendance_recorded").count() == 1
    assert not Signup.objects.filter(session=session, participant=walker).exists()
    session.refresh_from_db()
    assert session.status == Session.Status.HELD

    html = staff_client.get(reverse("partner_session", args=[session.pk])).content.decode()
    row = html.split('id="p-W0001"')[1].split("</li>")[0]
    assert "data-walk-in" in row  # shown as a walk-in, beside the one expected person
    assert 'id="p-' + expected.code + '"' in html


def test_no_walk_in_before_the_session_starts_or_when_cancelled(staff_client, partner, walker):
    opportunity = make_opportunity(partner=partner)
    later = make_session(opportunity=opportunity)  # in three days
    cancelled = make_session(
        opportunity=opportunity,
        starts_at=started_an_hour_ago(),
        status=Session.Status.CANCELLED,
    )
    for session, said in ((later, "始まってから"), (cancelled, "中止")):
        response = staff_client.post(
            reverse("partner_walk_in", args=[session.pk]),
            {"participant": "W0001", "q": "W0001 飛込"},
            follow=True,
        )
        assert response.status_code == 200
        assert said in " ".join(str(m) for m in response.context["messages"])
        assert not Attendance.objects.filter(session=session).exists()


def test_staff_of_another_partner_cannot_record_a_walk_in(client, session, walker):
    outsider = make_user(role=User.Role.PARTNER_STAFF, partner=make_partner())
    client.force_login(outsider)
    url = reverse("partner_walk_in", args=[session.pk])
    assert client.get(url, {"q": "W0001"}).status_code == 404
    assert client.post(url, {"participant": "W0001"}).status_code == 404
    assert client.get(reverse("partner_session", args=[session.pk])).status_code == 404
    assert not Attendance.objects.exists()


def test_unknown_participant_code_is_404(staff_client, session):
    response = staff_client.post(
        reverse("partner_walk_in", args=[session.pk]), {"participant": "NOPE"}
    )
    assert response.status_code == 404
    assert not Attendance.objects.exists()


def test_a_guessed_code_alone_records_nobody(staff_client, session, walker):
    url = reverse("partner_walk_in", args=[session.pk])
    for q in ("", "W0001", "W0001 他人"):
        assert staff_client.post(url, {"participant": "W0001", "q": q}).status_code == 404
    assert not Attendance.objects.filter(participant=walker).exists()


def test_partner_staff_record_a_walk_in_only_on_the_day(staff_client, partner, walker):
    yesterday = make_session(
        opportunity=make_opportunity(partner=partner),
        starts_at=timezone.now() - timedelta(days=2),
    )
    response = staff_client.post(
        reverse("partner_walk_in", args=[yesterday.pk]),
        {"participant": "W0001", "q": "W0001 飛込"},
        follow=True,
    )
    assert "開催日のうちに記録してください" in response.content.decode()
    assert not Attendance.objects.filter(participant=walker).exists()
