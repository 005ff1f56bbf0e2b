"""The secretariat's back office covers every model, with search and filters."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from people.models import User
from tests.builders import make_opportunity, make_participant, make_session, make_user

pytestmark = pytest.mark.django_db

OUR_APPS = {"people", "opportunities", "matching", "training"}


def test_every_model_of_ours_is_in_the_admin():
    missing = [
        model.__name__
        for model in apps.get_models()
        if model._meta.app_label in OUR_APPS
        and model not in admin.site._registry
        and model.__name__ not in {"PayoutLine", "AvailabilitySlot", "OpeningSlot"}  # shown inline
    ]
    assert missing == []


def test_every_changelist_renders_with_search(client):
    make_session(opportunity=make_opportunity())
    make_participant(support_notes="")
    client.force_login(make_user(role=User.Role.SECRETARIAT, is_staff=True, is_superuser=True))
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in OUR_APPS:
            continue
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        params = {"q": "山武"} if model_admin.search_fields else {}
        response = client.get(url, params)
        assert response.status_code == 200, url


def test_admin_is_for_staff_only(client):
    client.force_login(make_user(role=User.Role.COACH))
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
