"""The iCal feed behind a secret token, and its revocation."""

import pytest
from django.urls import reverse

from opportunities.ical import fold
from opportunities.models import CalendarFeed
from opportunities.services import session_cancel, signup_create
from tests.builders import make_session

pytestmark = pytest.mark.django_db


def _enable(client) -> str:
    client.post(reverse("my_calendar"), {"action": "enable"})
    page = client.get(reverse("my_schedule")).content.decode()
    feed = CalendarFeed.objects.get()
    assert feed.token in page
    return reverse("calendar_feed", args=[feed.token])


def test_feed_is_a_valid_calendar_with_the_participants_events(
    participant_client, participant, session, client
):
    signup = signup_create(session=session, participant=participant, by=participant.user)
    url = _enable(participant_client)
    client.logout()  # calendar apps fetch without a session
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    text = response.content.decode()
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n") and text.endswith(
        "END:VCALENDAR\r\n"
    )
    unfolded = text.replace("\r\n ", "")
    start = session.starts_at.astimezone(__import__("datetime").UTC).strftime("%Y%m%dT%H%M%SZ")
    assert f"UID:signup-{signup.pk}@testserver" in unfolded
    assert f"DTSTART:{start}" in unfolded and "DTEND:" in unfolded
    assert "SUMMARY:畑の収穫ボランティア" in unfolded
    assert "LOCATION:さんぶ農園" in unfolded and "STATUS:CONFIRMED" in unfolded
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))


def test_feed_shows_only_the_owners_signups_and_cancelled_sessions(
    participant_client, participant, other_participant, opportunity
):
    mine = make_session(opportunity=opportunity)
    theirs = make_session(
        opportunity=opportunity,
        starts_at=mine.starts_at.replace(hour=(mine.starts_at.hour + 4) % 24),
    )
    signup_create(session=mine, participant=participant, by=participant.user)
    other = signup_create(session=theirs, participant=other_participant, by=other_participant.user)
    session_cancel(session=mine)
    text = participant_client.get(_enable(participant_client)).content.decode()
    assert "STATUS:CANCELLED" in text
    assert f"signup-{other.pk}@" not in text


def test_revoking_makes_the_old_url_404(participant_client, participant):
    old_url = _enable(participant_client)
    assert participant_client.get(old_url).status_code == 200
    response = participant_client.post(
        reverse("my_calendar"), {"action": "revoke"}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<section class="card" id="calendar">')
    new_token = CalendarFeed.objects.get().token
    assert new_token in body
    assert participant_client.get(old_url).status_code == 404
    assert participant_client.get(reverse("calendar_feed", args=[new_token])).status_code == 200


def test_unknown_token_is_404(client, db):
    assert client.get(reverse("calendar_feed", args=["nope"])).status_code == 404


def test_fold_never_splits_a_japanese_character():
    line = "SUMMARY:" + "畑" * 60
    folded = fold(line)
    assert folded.replace("\r\n ", "") == line
    assert all(len(part.encode()) <= 75 for part in folded.split("\r\n"))
