"""The one-time code a coach prints, and the participant's first login with it."""

from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from core.errors import DomainError, NotAllowed
from people.login_codes import ALPHABET, participant_login_code_issue, participant_login_code_redeem
from people.models import LoginCode, User
from people.views import FIRST_LOGIN_USERNAME
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


def test_too_many_failures_are_throttled_in_the_database(client, participant, coach):
    """Ten wrong codes from one client: the next try is refused with 429, even
    with a right code, and the count is a row in the database (shared by every
    worker), not the per-process cache."""
    from django.core.cache import cache

    code = participant_login_code_issue(participant=participant, by=coach)
    responses = [_post(client, "AAAA-AAAA") for _ in range(9)]
    assert {r.status_code for r in responses} == {200}
    assert "有効期限" in responses[-1].content.decode()
    assert _post(client, "AAAA-AAAA").status_code == 429
    cache.clear()
    response = _post(client, code)
    assert response.status_code == 429 and "_auth_user_id" not in client.session
    assert "試した回数が多すぎます" in response.content.decode()
    assert LoginCode.objects.get().used_at is None
    attempt = AccessAttempt.objects.get(username=FIRST_LOGIN_USERNAME)
    assert attempt.failures_since_start == 10
    # Neither the codes tried nor the passwords are stored.
    assert "AAAA" not in attempt.post_data and PASSWORD not in attempt.post_data
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        assert _post(client, code).status_code == 302


def test_the_throttle_is_per_client_not_per_proxy(client, participant, coach):
    """Behind the reverse proxy every request has the proxy's address; the
    forwarded client address keeps one person's mistakes from blocking another."""
    code = participant_login_code_issue(participant=participant, by=coach)
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    with override_settings(TRUSTED_PROXY_COUNT=1):
        for _ in range(10):
            client.post(
                reverse("first_login"),
                {"code": "AAAA-AAAA", "password1": PASSWORD, "password2": PASSWORD},
                HTTP_X_FORWARDED_FOR="198.51.100.7",
                **proxy,
            )
        response = client.post(
            reverse("first_login"),
            {"code": code, "password1": PASSWORD, "password2": PASSWORD},
            HTTP_X_FORWARDED_FOR="203.0.113.5",
            **proxy,
        )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(participant.user.pk)


def test_a_success_clears_the_clients_failures(client, participant, coach):
    code = participant_login_code_issue(participant=participant, by=coach)
    for _ in range(5):
        _post(client, "AAAA-AAAA")
    assert _post(client, code).status_code == 302
    assert not AccessAttempt.objects.filter(username=FIRST_LOGIN_USERNAME).exists()


def test_password_rules_do_not_count_as_wrong_codes(client, participant, coach):
    code = participant_login_code_issue(participant=participant, by=coach)
    for _ in range(12):
        assert _post(client, code, password="12345678").status_code == 200
    assert _post(client, code).status_code == 302


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("abc", "このパスワードは短すぎます。最低 8 文字以上必要です。"),
        ("password", "このパスワードは一般的すぎます。"),
        ("20262026", "このパスワードは数字しか使われていません。"),
        ("sato.example", "メールアドレス と似すぎています"),  # user…@example.jp
    ],
)
def test_password_rules_are_explained_in_japanese(client, participant, coach, password, message):
    code = participant_login_code_issue(participant=participant, by=coach)
    response = _post(client, code, password=password)
    assert response.status_code == 200 and message in response.content.decode()
    assert LoginCode.objects.get().used_at is None


def test_password_rules_are_explained_in_english_too(client, participant, coach):
    code = participant_login_code_issue(participant=participant, by=coach)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = _post(client, code, password="20262026")
    assert "This password is entirely numeric." in response.content.decode()
