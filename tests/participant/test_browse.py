"""Browse and search: filters, pagination, empty state; the detail page."""

from datetime import timedelta

import pytest
from django.urls import reverse

from opportunities.models import Opportunity
from tests.builders import make_opportunity, make_session
from tests.participant.conftest import days_from_now

pytestmark = pytest.mark.django_db


def _codes(response) -> list[str]:
    return [item.opportunity.code for item in response.context["items"]]


def test_free_text_finds_an_opportunity(client, opportunity):
    make_opportunity(title="図書室の本の整理", description="本を棚に戻します")
    response = client.get(reverse("opportunity_list"), {"q": "収穫"})
    assert response.status_code == 200
    assert opportunity.code in _codes(response)
    assert "畑の収穫ボランティア" in response.content.decode()


def test_kind_and_municipality_filters(client, opportunity):
    cafe = make_opportunity(
        title="カフェの手伝い", kind=Opportunity.Kind.SUPPORTED_WORK, municipality="東金市"
    )
    response = client.get(reverse("opportunity_list"), {"kind": "supported_work"})
    assert _codes(response) == [cafe.code]
    response = client.get(reverse("opportunity_list"), {"municipality": "山武市"})
    assert opportunity.code in _codes(response) and cafe.code not in _codes(response)


def test_weekday_and_time_of_day_filter_on_the_same_session(client, opportunity):
    tomorrow = days_from_now(1, hour=9)
    monday_morning = tomorrow + timedelta(days=(7 - tomorrow.weekday()) % 7)
    make_session(opportunity=opportunity, starts_at=monday_morning)
    evening = make_opportunity(title="夕方の清掃")
    make_session(opportunity=evening, starts_at=monday_morning.replace(hour=18))
    url = reverse("opportunity_list")
    assert _codes(client.get(url, {"weekday": 0, "time_of_day": "morning"})) == [opportunity.code]
    assert _codes(client.get(url, {"weekday": 0, "time_of_day": "evening"})) == [evening.code]
    assert _codes(client.get(url, {"weekday": 1, "time_of_day": "morning"})) == []


def test_readiness_fit_filter_for_a_participant(participant_client, participant, opportunity):
    # participant is at step 2; the opportunity fits, step 3 is the next step, 4 is too high.
    next_step = make_opportunity(title="次の一歩", min_readiness=3)
    too_high = make_opportunity(title="遠い一歩", min_readiness=4)
    url = reverse("opportunity_list")
    fit = _codes(participant_client.get(url, {"fit": "fit"}))
    assert opportunity.code in fit and next_step.code not in fit
    including = _codes(participant_client.get(url, {"fit": "next_step"}))
    assert {opportunity.code, next_step.code} <= set(including) and too_high.code not in including


def test_pagination_and_htmx_results_fragment(client, farm):
    for i in range(14):
        make_opportunity(partner=farm, title=f"活動{i}")
    url = reverse("opportunity_list")
    first = client.get(url)
    assert len(first.context["items"]) == 12
    second = client.get(url, {"page": 2}, headers={"HX-Request": "true"})
    body = second.content.decode()
    assert len(second.context["items"]) == 2
    assert body.lstrip().startswith('<section id="results"') and "<html" not in body
    assert "2 / 2" in body


def test_empty_state_suggests_what_to_try(client, opportunity):
    response = client.get(
        reverse("opportunity_list"), {"q": "存在しないことばxyz", "kind": "farm_welfare"}
    )
    body = response.content.decode()
    assert "見つかりませんでした" in body
    assert "ことばだけで探す" in body and "条件をクリア" in body


def test_detail_shows_seats_left_what_to_bring_and_who_to_ask(client, opportunity):
    make_session(opportunity=opportunity, capacity=4, seats_taken=1)
    response = client.get(reverse("opportunity_detail", args=[opportunity.code]))
    body = response.content.decode()
    assert "残り3席" in body
    assert "軍手と帽子" in body and "田中さん" in body and "0475-00-0000" in body
    assert "山武市殿台1" in body and 'id="place-map"' in body and "leaflet.js" in body
    assert "ログインして申し込む" in body


def test_draft_opportunity_is_not_shown(client):
    draft = make_opportunity(status=Opportunity.Status.DRAFT)
    assert client.get(reverse("opportunity_detail", args=[draft.code])).status_code == 404


def test_home_for_participant_shows_recommendations_and_schedule(participant_client, opportunity):
    body = participant_client.get(reverse("home")).content.decode()
    assert "わたしの予定" in body and "あなたへのおすすめ" in body
    assert opportunity.title in body


def test_home_for_coach_links_to_caseload(client, coach):
    client.force_login(coach)
    body = client.get(reverse("home")).content.decode()
    assert 'href="/coach/"' in body
