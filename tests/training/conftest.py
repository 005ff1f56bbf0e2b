import pytest

from tests.training.builders import make_user


@pytest.fixture
def secretariat(db):
    return make_user(role="secretariat")


@pytest.fixture
def coach(db):
    return make_user(role="coach")
