"""Several people run the suite at once against the one embedded PostgreSQL
server, and Django names every test database ``test_<name>``. Set
TEST_DB_SUFFIX to give your run a database of its own; CI leaves it unset."""

import os

import pytest


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    suffix = os.environ.get("TEST_DB_SUFFIX", "")
    if suffix:
        from django.conf import settings

        db = settings.DATABASES["default"]
        db.setdefault("TEST", {})["NAME"] = f"test_{db['NAME']}_{suffix}"
