import os

import pytest
from django.conf import settings
from django.utils import translation

from people.models import User
from tests.builders import make_participant, make_partner, make_user


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """Developers often run parts of the suite at once against the one embedded
    server; TEST_DB_SUFFIX gives a run a test database of its own. CI leaves it unset."""
    suffix = os.environ.get("TEST_DB_SUFFIX", "")
    if suffix:
        from django.conf import settings

        db = settings.DATABASES["default"]
        db.setdefault("TEST", {})["NAME"] = f"test_{db['NAME']}_{suffix}"


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the site's language. A request through the test
    client leaves its language active in this thread, so without this a
    command called after an English page would speak English."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def secretariat(db):
    return make_user(role=User.Role.SECRETARIAT, username="jimukyoku")


@pytest.fixture
def coach(db):
    return make_user(role=User.Role.COACH, username="coach_a")


@pytest.fixture
def partner(db):
    return make_partner(name="さんぶ農園")


@pytest.fixture
def partner_staff(partner):
    return make_user(role=User.Role.PARTNER_STAFF, username="staff_a", partner=partner)


@pytest.fixture
def participant(coach):
    user = make_user(role=User.Role.PARTICIPANT, username="sato")
    return make_participant(
        user=user, coach=coach, display_name="佐藤", support_notes="CANARY-SUPPORT-NOTE"
    )
