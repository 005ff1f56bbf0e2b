"""Emails to a partner's staff on sign-up, cancellation and promotion from the
waitlist: sent once each on commit, only to that partner's active staff, never
with the support background, and not at all when the partner turned them off."""

import pytest
from django.core import mail
from django.urls import reverse

from opportunities import tasks
from opportunities.models import Signup
from opportunities.services import signup_cancel, signup_create
from people.models import User
from tests.builders import make_opportunity, make_participant, make_partner, make_session, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(partner):
    return make_session(
        opportunity=make_opportunity(partner=partner, title="朝市の準備"), capacity=1
    )


@pytest.fixture
def staff(partner):
    return make_user(
        role=User.Role.PARTNER_STAFF,
        partner=partner,
        last_name="田中",
        first_name="健一",
        email="tanaka@farm.example.jp",
    )


@pytest.fixture
def other_partner_staff(db):
    return make_user(role=User.Role.PARTNER_STAFF, partner=make_partner(), email="other@example.jp")


def _staff_mail(address):
    return [m for m in mail.outbox if m.to == [address]]


def test_signup_cancel_and_promotion_reach_the_partners_staff_once(
    participant, staff, other_partner_staff, session, coach, django_capture_on_commit_callbacks
):
    waiting = make_participant(user=make_user(), coach=coach, display_name="鈴木")
    with django_capture_on_commit_callbacks(execute=True):
        first = signup_create(session=session, participant=participant, by=participant.user)
    with django_capture_on_commit_callbacks(execute=True):
        second = signup_create(session=session, participant=waiting, by=waiting.user)
    assert second.status == Signup.Status.WAITLISTED
    with django_capture_on_commit_callbacks(execute=True):
        signup_cancel(signup=first, by=participant.user)
    tasks.signup_notify(first.pk, "cancelled")  # a retried task sends nothing twice

    got = _staff_mail(staff.email)
    assert [m.subject for m in got] == [
        "新しい申し込み：佐藤さん（朝市の準備）",
        "新しい申し込み：鈴木さん（朝市の準備）",
        "申し込みのキャンセル：佐藤さん（朝市の準備）",
        "キャンセル待ちからの繰り上げ：鈴木さん（朝市の準備）",
    ]
    assert got[0].body.startswith("田中 健一様")  # family name first
    assert "キャンセル待ち" in got[1].body
    assert reverse("partner_session", args=[session.pk]) in got[0].body
    assert _staff_mail(other_partner_staff.email) == []
    # The participant is not emailed about their own cancellation.
    assert not [m for m in _staff_mail(participant.user.email) if "キャンセル" in m.subject]
    for message in mail.outbox:
        assert "CANARY-SUPPORT-NOTE" not in message.body + message.subject


def test_a_partner_that_turned_emails_off_gets_none(
    participant, staff, partner, session, django_capture_on_commit_callbacks
):
    partner.notify_staff = False
    partner.save()
    with django_capture_on_commit_callbacks(execute=True):
        signup = signup_create(session=session, participant=participant, by=participant.user)
    with django_capture_on_commit_callbacks(execute=True):
        signup_cancel(signup=signup, by=participant.user)
    assert _staff_mail(staff.email) == []
    assert _staff_mail(participant.user.email)  # the participant still hears


def test_inactive_staff_and_staff_without_email_get_nothing(
    participant, staff, partner, session, django_capture_on_commit_callbacks
):
    staff.is_active = False
    staff.save()
    make_user(role=User.Role.PARTNER_STAFF, partner=partner, email="")
    with django_capture_on_commit_callbacks(execute=True):
        signup_create(session=session, participant=participant, by=participant.user)
    assert _staff_mail(staff.email) == []
    assert [m.to for m in mail.outbox] == [[participant.user.email]]


def test_staff_can_turn_the_emails_off_on_the_profile_page(client, staff, partner):
    client.force_login(staff)
    page = client.get(reverse("partner_profile"))
    assert 'name="notify_staff"' in page.content.decode()
    data = {
        "name": partner.name,
        "category": partner.category,
        "municipality": partner.municipality,
        "address": partner.address,
        "offers_place": "on",
        "slots-TOTAL_FORMS": "0",
        "slots-INITIAL_FORMS": "0",
        "slots-MIN_NUM_FORMS": "0",
        "slots-MAX_NUM_FORMS": "1000",
    }
    response = client.post(reverse("partner_profile"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    partner.refresh_from_db()
    assert partner.notify_staff is False
    client.post(reverse("partner_profile"), {**data, "notify_staff": "on"})
    partner.refresh_from_db()
    assert partner.notify_staff is True
