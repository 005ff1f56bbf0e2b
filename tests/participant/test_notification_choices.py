"""The notifications a participant chose on her profile: an opted-out person
gets no email of that kind, an opted-in one does (and other kinds still go)."""

import pytest
from django.core import mail

from opportunities import tasks
from opportunities.models import Signup
from opportunities.services import session_cancel, signup_create
from tests.builders import make_session
from tests.participant.conftest import days_from_now

pytestmark = pytest.mark.django_db


def _opt(participant, **choices):
    for name, value in choices.items():
        setattr(participant, name, value)
    participant.save(update_fields=list(choices))


def _recipients():
    return sorted(m.to[0] for m in mail.outbox)


def test_signup_results_only_to_those_who_want_them(
    participant, other_participant, opportunity, django_capture_on_commit_callbacks
):
    _opt(participant, notify_signup=False)
    first = make_session(opportunity=opportunity, capacity=5)
    with django_capture_on_commit_callbacks(execute=True):
        signup_create(session=first, participant=participant, by=participant.user)
        signup_create(session=first, participant=other_participant, by=other_participant.user)
    assert participant.user.email not in _recipients()
    assert other_participant.user.email in _recipients()


def test_reminders_only_to_those_who_want_them(participant, other_participant, opportunity):
    tomorrow = make_session(opportunity=opportunity, starts_at=days_from_now(1), capacity=5)
    for person in (participant, other_participant):
        Signup.objects.create(session=tomorrow, participant=person, status="confirmed")
    _opt(other_participant, notify_reminder=False)
    mail.outbox.clear()
    assert tasks.session_reminders_send() == 1
    assert _recipients() == [participant.user.email]


def test_cancelled_sessions_only_to_those_who_want_to_hear(
    participant, other_participant, opportunity, django_capture_on_commit_callbacks
):
    session = make_session(opportunity=opportunity, capacity=5)
    for person in (participant, other_participant):
        Signup.objects.create(session=session, participant=person, status="confirmed")
    _opt(participant, notify_changes=False)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        session_cancel(session=session)
    assert _recipients() == [other_participant.user.email]


def test_opting_out_of_one_kind_keeps_the_others(participant, opportunity):
    _opt(participant, notify_signup=False, notify_changes=False)
    tomorrow = make_session(opportunity=opportunity, starts_at=days_from_now(1), capacity=5)
    Signup.objects.create(session=tomorrow, participant=participant, status="confirmed")
    mail.outbox.clear()
    assert tasks.session_reminders_send() == 1
    assert _recipients() == [participant.user.email]
