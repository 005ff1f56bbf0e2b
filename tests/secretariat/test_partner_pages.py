"""The secretariat's partner pages: search and pagination, register and
edit, deactivate with confirmation (never delete); nobody else gets in."""

import pytest
from django.urls import reverse

from opportunities.models import Partner
from people.models import User
from tests.builders import make_opportunity, make_partner, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def sec_client(client, secretariat):
    client.force_login(secretariat)
    return client


def _form(**overrides):
    return {
        "code": "NEW01",
        "name": "さんむ食堂",
        "name_kana": "さんむしょくどう",
        "category": "restaurant",
        "municipality": "山武市",
        "address": "山武市成東1",
        "lat": "35.6",
        "lon": "140.4",
        "phone": "0475-11-2222",
        "offers_place": "on",
        "offers_cafeteria": "on",
        "notify_staff": "on",
        **overrides,
    }


def test_list_searches_and_paginates(sec_client):
    for n in range(30):
        make_partner(code=f"Z{n:03d}", name=f"検索用の機関{n}")
    make_partner(code="FARM1", name="さんぶ農園", municipality="横芝光町")
    html = sec_client.get(reverse("secretariat:partner_list"), {"q": "横芝"}).content.decode()
    assert 'data-partner-code="FARM1"' in html
    assert 'data-partner-code="Z000"' not in html

    first = sec_client.get(reverse("secretariat:partner_list"), {"q": "検索用"}).content.decode()
    assert first.count("data-partner-code=") == 25
    second = sec_client.get(
        reverse("secretariat:partner_list"), {"q": "検索用", "page": 2}
    ).content.decode()
    assert second.count("data-partner-code=") == 5


def test_create_and_edit_a_partner(sec_client):
    response = sec_client.post(reverse("secretariat:partner_new"), _form())
    assert response.status_code == 302
    partner = Partner.objects.get(code="NEW01")
    assert (partner.category, partner.offers_cafeteria, partner.offers_food_bank) == (
        "restaurant",
        True,
        False,
    )
    assert partner.notify_staff is True

    response = sec_client.post(
        reverse("secretariat:partner_edit", args=[partner.pk]),
        _form(name="さんむ食堂（新）", code="CHANGED", notify_staff=""),
    )
    assert response.status_code == 302
    partner.refresh_from_db()
    assert partner.name == "さんむ食堂（新）"
    assert partner.code == "NEW01"  # the code stays
    assert partner.notify_staff is False


def test_bad_input_says_why_in_japanese_and_changes_nothing(sec_client):
    make_partner(code="DUP01")
    response = sec_client.post(reverse("secretariat:partner_new"), _form(code="dup01"))
    assert response.status_code == 400
    assert "その機関コードはすでに使われています" in response.content.decode()
    response = sec_client.post(reverse("secretariat:partner_new"), _form(lat="95", lon="140"))
    assert response.status_code == 400
    assert "opportunities_partner_location_valid" not in response.content.decode()
    assert not Partner.objects.filter(code="NEW01").exists()


def test_deactivate_asks_first_and_keeps_the_partner_and_its_data(sec_client):
    partner = make_partner()
    opportunity = make_opportunity(partner=partner)
    url = reverse("secretariat:partner_active", args=[partner.pk])
    page = sec_client.get(url)
    assert page.status_code == 200
    partner.refresh_from_db()
    assert partner.is_active  # a GET only asks
    assert sec_client.post(url).status_code == 302
    partner.refresh_from_db()
    assert partner.is_active is False
    opportunity.refresh_from_db()  # still there
    assert (
        f'data-partner-code="{partner.code}"'
        not in sec_client.get(reverse("secretariat:partner_list")).content.decode()
    )
    assert (
        f'data-partner-code="{partner.code}"'
        in sec_client.get(
            reverse("secretariat:partner_list"), {"status": "inactive"}
        ).content.decode()
    )
    sec_client.post(url)  # and back
    partner.refresh_from_db()
    assert partner.is_active is True


def test_only_the_secretariat_reaches_the_partner_pages(client, partner_staff, coach, partner):
    participant_user = make_user(role=User.Role.PARTICIPANT)
    urls = [
        reverse("secretariat:partner_list"),
        reverse("secretariat:partner_new"),
        reverse("secretariat:partner_edit", args=[partner.pk]),
        reverse("secretariat:partner_active", args=[partner.pk]),
    ]
    for user in (partner_staff, coach, participant_user):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 403, (user.role, url)
        assert client.post(urls[3]).status_code == 403
    partner.refresh_from_db()
    assert partner.is_active
    client.logout()
    assert client.get(urls[0]).status_code == 302  # to the login page
