"""The password login at /accounts/login/ is locked after repeated failures
(django-axes, counted in the database per username and client address)."""

from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from people.models import User
from tests.builders import make_user

pytestmark = pytest.mark.django_db
PASSWORD = "pass-for-tests"


def _login(client, username, password, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def _fail_until_locked(client, username, **extra):
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        _login(client, username, "wrong-password", **extra)


def test_wrong_passwords_lock_the_login_even_for_the_right_password(client):
    user = make_user(role=User.Role.COACH, username="coach_lock")
    responses = [
        _login(client, "coach_lock", "wrong-password")
        for _ in range(settings.LOGIN_FAILURE_LIMIT - 1)
    ]
    assert {r.status_code for r in responses} == {200}  # "wrong password", no lock yet
    locked = _login(client, "coach_lock", "wrong-password")
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "15分間止めています" in page and "支援員または事務局" in page
    # The right password no longer helps until the cool-off has passed.
    response = _login(client, "coach_lock", PASSWORD)
    assert response.status_code == 429 and "_auth_user_id" not in client.session
    # The count lives in the database, where every worker sees it.
    attempt = AccessAttempt.objects.get(username="coach_lock")
    assert attempt.failures_since_start == settings.LOGIN_FAILURE_LIMIT
    assert "wrong-password" not in attempt.post_data  # what was typed is never stored
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        response = _login(client, "coach_lock", PASSWORD)
        assert response.status_code == 302 and client.session["_auth_user_id"] == str(user.pk)
    assert not AccessAttempt.objects.filter(username="coach_lock").exists()


def test_retrying_while_locked_does_not_extend_the_lock(client):
    make_user(role=User.Role.COACH, username="coach_retry")
    _fail_until_locked(client, "coach_retry")
    with time_machine.travel(timezone.now() + timedelta(minutes=10)):
        assert _login(client, "coach_retry", "wrong-password").status_code == 429
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        assert _login(client, "coach_retry", PASSWORD).status_code == 302


def test_the_lock_page_speaks_english_to_english_users(client):
    make_user(role=User.Role.COACH, username="coach_en")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    _fail_until_locked(client, "coach_en")
    page = _login(client, "coach_en", PASSWORD).content.decode()
    assert "paused for 15 minutes" in page


def test_other_users_and_other_addresses_are_not_locked(client):
    make_user(role=User.Role.COACH, username="coach_a1")
    make_user(role=User.Role.COACH, username="coach_b1")
    _fail_until_locked(client, "coach_a1", REMOTE_ADDR="198.51.100.7")
    assert _login(client, "coach_a1", PASSWORD, REMOTE_ADDR="198.51.100.7").status_code == 429
    # Same address, another person: not locked (the lock is username + address).
    assert _login(client, "coach_b1", PASSWORD, REMOTE_ADDR="198.51.100.7").status_code == 302
    client.logout()
    # The same person from elsewhere: an attacker cannot lock them out.
    assert _login(client, "coach_a1", PASSWORD, REMOTE_ADDR="203.0.113.5").status_code == 302


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_a_proxy_each_client_is_counted_by_its_forwarded_address(client):
    """Every request comes from the proxy's address; X-Forwarded-For's last entry,
    added by the proxy, tells the clients apart. Entries a client adds itself
    (further left) are ignored, so forging one does not escape the lock."""
    make_user(role=User.Role.COACH, username="coach_p")
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    _fail_until_locked(client, "coach_p", HTTP_X_FORWARDED_FOR="198.51.100.7", **proxy)
    forged = "192.0.2.99, 198.51.100.7"
    assert (
        _login(client, "coach_p", PASSWORD, HTTP_X_FORWARDED_FOR=forged, **proxy).status_code == 429
    )
    assert AccessAttempt.objects.get(username="coach_p").ip_address == "198.51.100.7"
    response = _login(client, "coach_p", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.5", **proxy)
    assert response.status_code == 302


def test_admin_login_is_locked_too(client):
    make_user(role=User.Role.SECRETARIAT, username="admin_lock", is_staff=True)
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        client.post(
            reverse("admin:login"), {"username": "admin_lock", "password": "wrong-password"}
        )
    response = client.post(reverse("admin:login"), {"username": "admin_lock", "password": PASSWORD})
    assert response.status_code == 429 and "_auth_user_id" not in client.session
