import pytest
from django.test import Client

from people.auth import api_token_issue
from tests.api.world import build_world


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def as_user():
    """A Django test client logged in as ``user`` (anonymous for None)."""

    def make(user):
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make


@pytest.fixture
def bearer():
    """A client that sends a partner staff member's API token, and no cookie."""

    def make(user):
        return Client(headers={"Authorization": f"Bearer {api_token_issue(user=user)}"})

    return make
