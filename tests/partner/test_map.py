import json
import re

import pytest
from django.urls import reverse

from tests.builders import make_partner

pytestmark = pytest.mark.django_db


@pytest.fixture
def partners(db):
    return {
        "cool": make_partner(name="すずしい公民館", offers_cool_station=True, offers_place=True),
        "food": make_partner(
            name="みんなのフードバンク", offers_food_bank=True, offers_place=False
        ),
        "closed": make_partner(name="休止中の店", offers_cool_station=True, is_active=False),
        "nomap": make_partner(name="座標なしの寺", offers_cool_station=True, lat=None, lon=None),
    }


def test_map_lists_active_partners_without_js(client, partners):
    response = client.get(reverse("partner_map"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "すずしい公民館" in html and "みんなのフードバンク" in html
    assert "休止中の店" not in html
    assert 'id="partners-data"' in html
    assert "vendor/leaflet/dist/leaflet.js" in html


def test_map_filter_by_offer_is_a_plain_get(client, partners):
    html = client.get(reverse("partner_map"), {"offer": "cool_station"}).content.decode()
    assert "すずしい公民館" in html and "座標なしの寺" in html
    assert "みんなのフードバンク" not in html
    assert "7〜9月" in html


def test_map_markers_come_from_json_script(client, partners):
    response = client.get(reverse("partner_map"), {"offer": "food_bank"})
    data = response.context["data"]
    assert [p["name"] for p in data] == ["みんなのフードバンク"]
    html = response.content.decode()
    match = re.search(r'<script id="partners-data"[^>]*>(.*?)</script>', html, re.S)
    parsed = json.loads(match.group(1))
    assert parsed[0]["lat"] == pytest.approx(35.60)


def test_unknown_offer_shows_everyone(client, partners):
    html = client.get(reverse("partner_map"), {"offer": "nonsense"}).content.decode()
    assert "すずしい公民館" in html and "みんなのフードバンク" in html
