import pytest

from tests.api.dbname import django_db_modify_db_settings  # noqa: F401 - fixture
from tests.api.world import build_world


@pytest.fixture
def world(db):
    return build_world()
