"""Attendance buttons appear only once a session has started; before that the
pages say when attendance opens, and a POST is refused with a sentence."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from opportunities.models import Session, Signup
from tests.builders import make_opportunity, make_session, started_an_hour_ago
from training.models import Attendance

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, partner_staff):
    client.force_login(partner_staff)
    return client


def session_with(participant, partner, starts_at) -> Session:
    session = make_session(opportunity=make_opportunity(partner=partner), starts_at=starts_at)
    Session.objects.filter(pk=session.pk).update(seats_taken=1)
    Signup.objects.create(session=session, participant=participant, status="confirmed")
    return session


def soon():
    return (timezone.now() + timedelta(minutes=20)).replace(microsecond=0)


def test_roster_before_start_shows_when_attendance_opens_and_no_buttons(
    staff_client, participant, partner
):
    session = session_with(participant, partner, soon())
    html = staff_client.get(reverse("partner_session", args=[session.pk])).content.decode()
    assert "data-attendance-opens" in html
    assert timezone.localtime(session.starts_at).strftime("%H:%M") in html
    assert 'name="status" value="present"' not in html
    assert reverse("partner_attendance", args=[session.pk]) not in html


def test_roster_after_start_has_the_buttons(staff_client, participant, partner):
    session = session_with(participant, partner, started_an_hour_ago())
    html = staff_client.get(reverse("partner_session", args=[session.pk])).content.decode()
    assert 'name="status" value="present"' in html
    assert "data-attendance-opens" not in html


def test_dashboard_row_says_when_attendance_opens(staff_client, participant, partner):
    later = session_with(participant, partner, soon())
    html = staff_client.get(reverse("partner_dashboard")).content.decode()
    row = html[html.index(f'data-session-id="{later.pk}"') :]
    row = row[: row.index("</li>")]
    assert "data-attendance-opens" in row
    assert "名簿・出欠" not in row


def test_attendance_post_before_start_is_refused_with_a_sentence(
    staff_client, participant, partner
):
    session = session_with(participant, partner, soon())
    response = staff_client.post(
        reverse("partner_attendance", args=[session.pk]),
        {"participant": participant.code, "status": "present", "minutes": 60},
        follow=True,
    )
    html = response.content.decode()
    assert "まだ" in html and "記録できません" in html or "まだ始まっていません" in html
    assert not Attendance.objects.filter(session=session).exists()
    session.refresh_from_db()
    assert session.status == Session.Status.SCHEDULED
