"""The participant's cards say what fits and what to watch out for, in her words."""

import pytest
from django.urls import reverse

from matching import services
from tests.builders import make_opportunity, make_session
from tests.participant.conftest import days_from_now

pytestmark = pytest.mark.django_db


def test_home_cards_split_reasons_into_fits_and_watch(participant_client, participant, farm):
    near = {"lat": 35.592, "lon": 140.421}
    fits = make_opportunity(partner=farm, title="畑の草取り", min_readiness=2, **near)
    later = make_opportunity(partner=farm, title="畑の出荷作業", min_readiness=3, **near)
    for o in (fits, later):
        make_session(opportunity=o, starts_at=days_from_now(2))
    services.opportunities_embed(opportunities=[fits, later])
    services.participants_embed(participants=[participant])
    services.recommendations_refresh(participant=participant)

    html = participant_client.get(reverse("home")).content.decode()
    assert html.count("合うところ") == 2
    assert "今のステップで参加できます" in html
    assert "自宅から1km以内です" in html
    assert html.count("気をつけること") == 1
    assert "次のステップの活動です（支援員の承認が必要です）" in html
    assert "本人" not in html
    assert "今のステップに合う" not in html  # the coach's wording stays on the coach's pages


def test_search_cards_use_the_same_split(participant_client, participant, farm):
    o = make_opportunity(partner=farm, title="畑の草取り", min_readiness=2, lat=35.592, lon=140.421)
    make_session(opportunity=o, starts_at=days_from_now(2))
    services.opportunities_embed(opportunities=[o])
    html = participant_client.get(reverse("opportunity_list") + "?q=畑の草取り").content.decode()
    assert "合うところ" in html
    assert "「畑の草取り」に近い内容です" in html
