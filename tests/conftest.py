import pytest

from people.models import User
from tests.builders import make_participant, make_partner, make_user


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
    return make_participant(user=user, coach=coach, display_name="佐藤", support_notes="CANARY-SUPPORT-NOTE")
