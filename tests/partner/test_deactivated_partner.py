"""Deactivating a partner closes its staff's pages, rosters and API at once."""

import pytest
from django.urls import reverse

from opportunities.models import Partner
from people.auth import api_token_issue
from tests.builders import make_opportunity, make_session

pytestmark = pytest.mark.django_db


def test_staff_of_a_deactivated_partner_are_shut_out_of_pages_and_api(
    client, partner, partner_staff
):
    session = make_session(opportunity=make_opportunity(partner=partner))
    token = api_token_issue(user=partner_staff)
    client.force_login(partner_staff)
    urls = [
        reverse("partner_dashboard"),
        reverse("partner_session", args=[session.pk]),
        reverse("partner_activity_list"),
    ]
    assert [client.get(url).status_code for url in urls] == [200, 200, 200]
    api = reverse("api:list_partner_sessions")
    assert client.get(api, headers={"Authorization": f"Bearer {token}"}).status_code == 200

    Partner.objects.filter(pk=partner.pk).update(is_active=False)
    assert all(client.get(url).status_code in (403, 404) for url in urls)
    assert client.get(api, headers={"Authorization": f"Bearer {token}"}).status_code in (401, 403)
