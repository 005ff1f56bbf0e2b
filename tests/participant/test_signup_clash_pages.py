"""The clash message reaches the person: the page shows the sentence naming the
other session, and the API answers 409 with the same sentence."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from opportunities.models import Signup
from tests.builders import make_opportunity, make_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def booked(participant):
    starts = (timezone.localtime() + timedelta(days=6)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    first = make_session(
        opportunity=make_opportunity(title="朝市の準備"),
        starts_at=starts,
        ends_at=starts + timedelta(hours=4),
    )
    Signup.objects.create(session=first, participant=participant, status="confirmed")
    clashing = make_session(
        opportunity=make_opportunity(title="袋詰め"),
        starts_at=starts + timedelta(hours=3),
        ends_at=starts + timedelta(hours=6),
    )
    expected = f"同じ時間に「朝市の準備」（{starts.year}/{starts.month}/{starts.day} 10:00）の予定があります。"
    return clashing, expected


def test_the_page_names_the_clashing_session(client, participant, booked):
    clashing, expected = booked
    client.force_login(participant.user)
    response = client.post(reverse("session_signup", args=[clashing.pk]), follow=True)
    assert expected in response.content.decode()
    assert not Signup.objects.filter(session=clashing).exists()


def test_the_htmx_row_names_the_clashing_session(client, participant, booked):
    clashing, expected = booked
    client.force_login(participant.user)
    response = client.post(reverse("session_signup", args=[clashing.pk]), HTTP_HX_REQUEST="true")
    assert expected in response.content.decode()


def test_the_api_answers_409_with_the_sentence(client, participant, booked):
    clashing, expected = booked
    client.force_login(participant.user)
    response = client.post(
        "/api/signups/",
        data=json.dumps({"session_id": clashing.pk}),
        content_type="application/json",
    )
    assert response.status_code == 409
    assert response.json() == {"detail": expected}
    assert not Signup.objects.filter(session=clashing).exists()
