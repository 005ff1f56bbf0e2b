from datetime import timedelta

import pytest
from django.utils import timezone

from people.models import User
from tests.builders import make_opportunity, make_participant, make_partner, make_session, make_user


@pytest.fixture
def farm(db):
    return make_partner(name="さんぶ農園", phone="0475-00-0000", address="山武市殿台1")


@pytest.fixture
def opportunity(farm):
    return make_opportunity(
        partner=farm,
        title="畑の収穫ボランティア",
        description="野菜の収穫と袋詰め",
        what_to_bring="軍手と帽子",
        contact_name="田中さん",
        capacity=2,
        min_readiness=2,
    )


@pytest.fixture
def session(opportunity):
    return make_session(opportunity=opportunity, capacity=1)


@pytest.fixture
def participant_client(client, participant):
    client.force_login(participant.user)
    return client


@pytest.fixture
def other_participant(coach):
    user = make_user(role=User.Role.PARTICIPANT, username="suzuki", language="en")
    return make_participant(
        user=user, coach=coach, display_name="鈴木", support_notes="CANARY-OTHER-NOTE"
    )


def days_from_now(days: int, hour: int = 10):
    local = timezone.localtime() + timedelta(days=days)
    return local.replace(hour=hour, minute=0, second=0, microsecond=0)
