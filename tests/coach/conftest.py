import os

import pytest


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    # Several people run the suite at once against the one embedded server:
    # TEST_DB_SUFFIX gives a run its own test database (as tests/api does).
    suffix = os.environ.get("TEST_DB_SUFFIX", "")
    if suffix:
        from django.conf import settings

        db = settings.DATABASES["default"]
        db.setdefault("TEST", {})["NAME"] = f"test_{db['NAME']}_{suffix}"
