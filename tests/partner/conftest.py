import pytest


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    # Several people run test folders at the same time against the one embedded
    # server; a database name of our own keeps their runs from dropping ours.
    from django.conf import settings

    settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = "test_marketplace_staff_pages"
