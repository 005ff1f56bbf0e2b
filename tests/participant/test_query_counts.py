"""The participant pages do not grow a query per row."""

import pytest
from django.urls import reverse

from opportunities.services import signup_create
from tests.builders import make_opportunity, make_participant, make_session
from tests.participant.conftest import days_from_now

pytestmark = pytest.mark.django_db


def _count(client, url, django_assert_max_num_queries, limit):
    with django_assert_max_num_queries(limit):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("rows", [2, 8])
def test_detail_and_schedule_queries_do_not_grow_with_rows(
    participant_client, participant, coach, opportunity, rows, django_assert_max_num_queries
):
    for day in range(rows):
        session = make_session(
            opportunity=opportunity, starts_at=days_from_now(day + 1), capacity=1
        )
        signup_create(session=session, participant=participant, by=participant.user)
    other = make_participant(coach=coach)
    signup_create(
        session=session, participant=other, by=coach
    )  # one waitlisted row for someone else
    _count(
        participant_client,
        reverse("opportunity_detail", args=[opportunity.code]),
        django_assert_max_num_queries,
        10,
    )
    _count(participant_client, reverse("my_schedule"), django_assert_max_num_queries, 10)


def test_browse_page_query_count(client, farm, django_assert_max_num_queries):
    for i in range(12):
        make_opportunity(partner=farm, title=f"活動{i}")
    _count(client, reverse("opportunity_list"), django_assert_max_num_queries, 8)


# --- pinned counts per participant page (issue 11) -----------------------------------------
# Each page's queries, counted with stored recommendations in place. A change
# that adds a query per row, or ranking work on home, fails here.


@pytest.fixture
def catalogue(farm, participant):
    from matching import services

    postings = []
    for i in range(14):
        o = make_opportunity(partner=farm, title=f"畑の活動{i}", description="野菜の収穫と草取り")
        make_session(opportunity=o, starts_at=days_from_now(i % 5 + 1))
        postings.append(o)
    services.opportunities_embed(opportunities=postings)
    services.participants_embed(participants=[participant])
    services.recommendations_refresh(participant=participant)
    return postings


def test_home_reads_stored_recommendations_without_ranking(
    participant_client, participant, catalogue, django_assert_num_queries
):
    from unittest import mock

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with (
        mock.patch("matching.embeddings.FakeBackend.encode") as encode,
        mock.patch("matching.selectors._rank_opportunities") as rank,
        CaptureQueriesContext(connection) as queries,
    ):
        response = participant_client.get(reverse("home"))
    assert response.status_code == 200
    assert len(response.context["recommended"]) == 6
    encode.assert_not_called()
    rank.assert_not_called()
    sql = " ".join(q["sql"].lower() for q in queries)
    assert "matching_opportunityembedding" not in sql and "<=>" not in sql
    assert sql.count('from "matching_recommendation"') == 1
    # session + user + participant + upcoming sign-ups + the recommendations
    assert len(queries) <= 6, [q["sql"][:80] for q in queries]


def test_each_participant_page_has_a_pinned_query_count(
    participant_client, participant, catalogue, django_assert_max_num_queries
):
    signup_create(
        session=catalogue[0].sessions.first(), participant=participant, by=participant.user
    )
    # Measured: home 5, browse 6, search 10 (9 once the postings' texts are
    # cached, see test_search_prefilter), detail 6, my schedule 6.
    pages = {
        reverse("home"): 5,
        reverse("opportunity_list"): 6,
        reverse("opportunity_list") + "?q=畑": 10,
        reverse("opportunity_detail", args=[catalogue[0].code]): 6,
        reverse("my_schedule"): 6,
    }
    for url, limit in pages.items():
        _count(participant_client, url, django_assert_max_num_queries, limit)


def test_search_builds_reasons_only_for_the_page_shown(participant_client, participant, catalogue):
    from unittest import mock

    from matching import ranking

    with mock.patch(
        "participant.selectors.participant_reasons", wraps=ranking.participant_reasons
    ) as explain:
        response = participant_client.get(reverse("opportunity_list") + "?q=畑の活動")
    assert response.status_code == 200
    assert len(response.context["items"]) == 12  # the first page of 14 results
    assert explain.call_count == 12
    with mock.patch(
        "participant.selectors.participant_reasons", wraps=ranking.participant_reasons
    ) as explain:
        participant_client.get(reverse("opportunity_list") + "?q=畑の活動&page=2")
    assert explain.call_count == 2  # page 2: only its two results


def test_cached_filter_form_follows_the_chosen_filters(participant_client, catalogue):
    # The filter form's markup is cached per (language, choices, values): a
    # different choice or typed text must never be served another one's form.
    town = catalogue[0].municipality
    url = reverse("opportunity_list")
    plain = participant_client.get(url + "?q=畑").content.decode()
    chosen = participant_client.get(url + f"?q=畑&municipality={town}").content.decode()
    assert f'<option value="{town}" selected>' in chosen
    assert f'<option value="{town}" selected>' not in plain
    again = participant_client.get(url + "?q=畑").content.decode()
    assert f'<option value="{town}" selected>' not in again
    assert 'value="本"' in participant_client.get(url + "?q=本").content.decode()
