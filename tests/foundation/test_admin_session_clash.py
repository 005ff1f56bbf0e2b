"""Moving a scheduled session in the admin to a time at which someone signed up
would be booked twice is refused with a sentence, not a server error."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from opportunities.models import Session, Signup
from tests.builders import make_opportunity, make_session

pytestmark = pytest.mark.django_db


def _form(session: Session, starts_at) -> dict:
    local = timezone.localtime(starts_at)
    ends = local + (session.ends_at - session.starts_at)
    return {
        "opportunity": session.opportunity_id,
        "starts_at_0": local.strftime("%Y-%m-%d"),
        "starts_at_1": local.strftime("%H:%M:%S"),
        "ends_at_0": ends.strftime("%Y-%m-%d"),
        "ends_at_1": ends.strftime("%H:%M:%S"),
        "capacity": session.capacity,
        "instructor_name": "",
        "instructor": "",
    }


def test_a_move_into_a_clash_is_refused_with_the_persons_name(client, secretariat, participant):
    secretariat.is_staff = secretariat.is_superuser = True
    secretariat.save()
    client.force_login(secretariat)
    first = make_session(opportunity=make_opportunity())
    later = make_session(
        opportunity=make_opportunity(), starts_at=first.starts_at + timedelta(days=1)
    )
    for session in (first, later):
        Signup.objects.create(session=session, participant=participant, status="confirmed")
    url = reverse("admin:opportunities_session_change", args=[later.pk])

    response = client.post(url, _form(later, first.starts_at))
    assert response.status_code == 200
    assert f"{participant.display_name}さん: 同じ時間に" in response.content.decode()
    later.refresh_from_db()
    assert later.starts_at == first.starts_at + timedelta(days=1)

    response = client.post(url, _form(later, first.starts_at + timedelta(days=2)))
    assert response.status_code == 302
