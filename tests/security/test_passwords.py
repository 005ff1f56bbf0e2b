"""Django's four password validators are on, and the demo password still passes
them for every demo account (seed_demo sets it without validation, but a person
changing it back, or the first-login form, goes through them)."""

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from devtools import demo_data
from people.models import User


def test_the_four_validators_are_configured():
    names = [v["NAME"].rsplit(".", 1)[1] for v in settings.AUTH_PASSWORD_VALIDATORS]
    assert names == [
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    ]
    with pytest.raises(ValidationError):
        validate_password("1234567")  # short
    with pytest.raises(ValidationError):
        validate_password("84736251")  # only digits


def _demo_accounts():
    yield demo_data.SECRETARIAT
    yield from demo_data.COACHES
    yield from demo_data.PARTNER_STAFF
    for spec in demo_data.PARTICIPANTS:
        if "login" in spec:
            yield {"username": spec["login"], "last_name": spec["name"], "first_name": ""}


def test_the_demo_password_passes_for_every_demo_account():
    accounts = list(_demo_accounts())
    assert len(accounts) > 10
    for account in accounts:
        user = User(
            username=account["username"],
            first_name=account.get("first_name", ""),
            last_name=account.get("last_name", ""),
            email=account.get("email") or f"{account['username']}@example.org",
        )
        validate_password(demo_data.DEMO_PASSWORD, user)
