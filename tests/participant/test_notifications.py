"""Notification emails: once each, in the recipient's language, never with the
support background."""

import importlib
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django_q.models import Schedule

from opportunities import notifications, tasks
from opportunities.models import NotificationLog, Signup
from opportunities.services import session_cancel, signup_approve, signup_create, signup_decline
from people.models import User
from tests.builders import make_opportunity, make_participant, make_session, make_user
from tests.participant.conftest import days_from_now
from training import tasks as training_tasks
from training.models import Attendance

pytestmark = pytest.mark.django_db
CANARIES = ("CANARY-SUPPORT-NOTE", "CANARY-OTHER-NOTE")


def _no_canary():
    for message in mail.outbox:
        for canary in CANARIES:
            assert canary not in message.subject and canary not in message.body


def test_a_retried_task_sends_nothing_twice(participant, session):
    signup = Signup.objects.create(
        session=session, participant=participant, status=Signup.Status.CONFIRMED
    )
    tasks.signup_notify(signup.pk, "confirmed")
    tasks.signup_notify(signup.pk, "confirmed")
    assert len(mail.outbox) == 1
    assert NotificationLog.objects.filter(key=f"signup:{signup.pk}:confirmed").count() == 1


def test_a_failed_send_is_not_recorded_so_the_retry_sends(participant, session, monkeypatch):
    signup = Signup.objects.create(
        session=session, participant=participant, status=Signup.Status.CONFIRMED
    )

    def broken(*args, **kwargs):
        raise ConnectionError("smtp down")

    monkeypatch.setattr(notifications, "send_mail", broken)
    with pytest.raises(ConnectionError):
        tasks.signup_notify(signup.pk, "confirmed")
    assert not NotificationLog.objects.exists()
    monkeypatch.undo()
    tasks.signup_notify(signup.pk, "confirmed")
    assert len(mail.outbox) == 1


def test_each_email_is_in_the_recipients_language(participant, other_participant, session):
    # Dates are formatted by the active language even before locale/en has
    # translations: ja "2026年11月27日", en "Nov. 27, 2026".
    ja = Signup.objects.create(
        session=session, participant=participant, status=Signup.Status.CONFIRMED
    )
    en = Signup.objects.create(
        session=session, participant=other_participant, status=Signup.Status.WAITLISTED
    )
    tasks.signup_notify(ja.pk, "confirmed")
    tasks.signup_notify(en.pk, "waitlisted")
    local = timezone.localtime(session.starts_at)
    ja_mail, en_mail = mail.outbox
    assert f"{local.year}年{local.month}月{local.day}日" in ja_mail.body
    assert f"{local.year}年" not in en_mail.body and f"{local.day}, {local.year}" in en_mail.body
    assert ja_mail.subject.startswith("申し込みが確定しました")
    assert en_mail.subject.startswith("You’re on the waiting list")


def test_all_events_reach_the_right_person_without_support_notes(
    participant, other_participant, coach, farm, django_capture_on_commit_callbacks
):
    step_up = make_session(opportunity=make_opportunity(partner=farm, min_readiness=3), capacity=1)
    with django_capture_on_commit_callbacks(execute=True):
        first = signup_create(
            session=step_up, participant=participant, by=participant.user
        )  # requested → coach
        second = signup_create(
            session=step_up, participant=other_participant, by=other_participant.user
        )
    with django_capture_on_commit_callbacks(execute=True):
        signup_approve(signup=first, by=coach)  # → participant, confirmed
        signup_decline(signup=second, by=coach)  # → other participant
    recipients = [m.to[0] for m in mail.outbox]
    assert recipients == [
        coach.email,
        coach.email,
        participant.user.email,
        other_participant.user.email,
    ]
    assert "佐藤" in mail.outbox[0].body  # the coach is told who asked
    _no_canary()


def test_session_cancelled_tells_everyone_signed_up_once(
    participant, other_participant, session, django_capture_on_commit_callbacks
):
    signup_create(session=session, participant=participant, by=participant.user)
    signup_create(
        session=session, participant=other_participant, by=other_participant.user
    )  # waitlisted
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        session_cancel(session=session)
    tasks.session_cancelled_notify(session.pk)  # a retry
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [participant.user.email, other_participant.user.email]
    )
    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert "中止" in by_recipient[participant.user.email].subject
    assert by_recipient[other_participant.user.email].subject.startswith(
        "Cancelled"
    )  # Suzuki reads English
    _no_canary()


def test_participant_without_an_account_gets_no_email_and_no_crash(
    coach, session, django_capture_on_commit_callbacks
):
    offline = make_participant(coach=coach, support_notes="CANARY-SUPPORT-NOTE")
    with django_capture_on_commit_callbacks(execute=True):
        signup_create(session=session, participant=offline, by=coach)
        session_cancel(session=session)
    assert mail.outbox == []


def test_reminder_the_day_before_goes_once_to_confirmed_participants(
    participant, other_participant, opportunity
):
    tomorrow = make_session(opportunity=opportunity, starts_at=days_from_now(1), capacity=1)
    later = make_session(opportunity=opportunity, starts_at=days_from_now(3))
    signup_create(session=tomorrow, participant=participant, by=participant.user)
    signup_create(
        session=tomorrow, participant=other_participant, by=other_participant.user
    )  # waitlisted: no reminder
    signup_create(session=later, participant=other_participant, by=other_participant.user)
    mail.outbox.clear()
    assert tasks.session_reminders_send() == 1
    assert tasks.session_reminders_send() == 0
    assert [m.to for m in mail.outbox] == [[participant.user.email]]
    assert "明日" in mail.outbox[0].subject
    _no_canary()


def test_weekly_absence_digest_for_each_coach_about_their_caseload(participant, coach, opportunity):
    other_coach = make_user(role=User.Role.COACH)
    stranger = make_participant(coach=other_coach, display_name="他の人")
    last_week = make_session(opportunity=opportunity, starts_at=days_from_now(-3))
    long_ago = make_session(opportunity=opportunity, starts_at=days_from_now(-20))
    Attendance.objects.create(
        session=last_week, participant=participant, status=Attendance.Status.ABSENT
    )
    Attendance.objects.create(
        session=long_ago, participant=participant, status=Attendance.Status.ABSENT
    )
    Attendance.objects.create(
        session=last_week, participant=stranger, status=Attendance.Status.PRESENT
    )
    assert training_tasks.absence_digest_send() == 1
    assert training_tasks.absence_digest_send() == 0
    (digest,) = mail.outbox
    assert digest.to == [coach.email]
    assert "佐藤" in digest.body and "他の人" not in digest.body
    assert digest.body.count(opportunity.title) == 1
    _no_canary()


def test_setup_schedules_is_idempotent(db):
    call_command("setup_schedules")
    call_command("setup_schedules")
    funcs = sorted(Schedule.objects.values_list("func", flat=True))
    assert funcs == [
        "matching.tasks.recommendations_refresh_all",
        "opportunities.tasks.session_reminders_send",
        "training.tasks.absence_digest_send",
    ]
    # Every scheduled function exists, so no schedule fails in the worker.
    for func in funcs:
        module, name = func.rsplit(".", 1)
        assert callable(getattr(importlib.import_module(module), name))
    assert all(s.next_run > timezone.now() - timedelta(minutes=1) for s in Schedule.objects.all())
