"""The one-time code a coach prints, and the participant's first login with it."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from core.errors import DomainError, NotAllowed
from people.login_codes import ALPHABET, participant_login_code_issue, participant_login_code_redeem
from people.models import LoginCode, User
from tests.builders import make_participant, make_user

pytestmark = pytest.mark.django_db
PASSWORD = "hatake-2026-sanbu"


def _post(client, code, password=PASSWORD):
    return client.post(
        reverse("first_login"), {"code": code, "password1": password, "password2": password}
    )


def test_code_is_short_unambiguous_and_stored_only_as_a_hash(participant, coach):
    code = participant_login_code_issue(participant=participant, by=coach)
    assert len(code) == 9 and code[4] == "-"
    assert set(code.replace("-", "")) <= set(ALPHABET)
    assert not set("0O1IL") & set(code)
    stored = LoginCode.objects.get()
    assert code.replace("-", "") not in stored.code_hash


def test_first_login_sets_the_password_and_logs_in(client, participant, coach):
    code = participant_login_code_issue(participant=participant, by=coach)
    response = _post(client, code.lower().replace("-", " "))  # as people type it
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert client.session["_auth_user_id"] == str(participant.user.pk)
    participant.user.refresh_from_db()
    assert participant.user.check_password(PASSWORD)
    assert participant.user.username in client.get(reverse("home")).content.decode()


def test_code_works_only_once(client, participant, coach):
    code = participant_login_code_issue(participant=participant, by=coach)
    _post(client, code)
    client.logout()
    response = _post(client, code, password="another-pass-2026")
    assert response.status_code == 200 and "有効期限" in response.content.decode()
    participant.user.refresh_from_db()
    assert participant.user.check_password(PASSWORD)


def test_code_expires_after_14_days(participant, coach):
    code = participant_login_code_issue(participant=participant, by=coach)
    with (
        time_machine.travel(timezone.now() + timedelta(days=14, minutes=1)),
        pytest.raises(DomainError),
    ):
        participant_login_code_redeem(code=code, password=PASSWORD)
    with time_machine.travel(timezone.now() + timedelta(days=13)):
        assert participant_login_code_redeem(code=code, password=PASSWORD) == participant.user


def test_a_new_code_retires_the_old_one(participant, coach):
    old = participant_login_code_issue(participant=participant, by=coach)
    new = participant_login_code_issue(participant=participant, by=coach)
    with pytest.raises(DomainError):
        participant_login_code_redeem(code=old, password=PASSWORD)
    participant_login_code_redeem(code=new, password=PASSWORD)


def test_weak_password_keeps_the_code_usable(client, participant, coach):
    code = participant_login_code_issue(participant=participant, by=coach)
    response = _post(client, code, password="abc")
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert LoginCode.objects.get().used_at is None


def test_only_the_participants_coach_or_secretariat_may_issue(participant, secretariat):
    other_coach = make_user(role=User.Role.COACH)
    with pytest.raises(NotAllowed):
        participant_login_code_issue(participant=participant, by=other_coach)
    assert participant_login_code_issue(participant=participant, by=secretariat)


def test_participant_without_an_account_gets_no_code(coach):
    with pytest.raises(DomainError):
        participant_login_code_issue(participant=make_participant(coach=coach), by=coach)


def test_link_prefills_the_code(client, db):
    assert (
        'value="ABCD-EFGH"'
        in client.get(reverse("first_login"), {"code": "ABCD-EFGH"}).content.decode()
    )


def test_too_many_failures_are_throttled(client, db):
    from django.core.cache import cache

    cache.clear()
    for _ in range(10):
        _post(client, "AAAA-AAAA")
    assert _post(client, "AAAA-AAAA").status_code == 429
    cache.clear()
