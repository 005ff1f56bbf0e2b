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
