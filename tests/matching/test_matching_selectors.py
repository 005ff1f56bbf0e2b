import pytest
from django.db import connection
from django.utils import translation

from matching import selectors
from matching.selectors import (
    OpportunityMatch,
    opportunities_for_participant,
    opportunities_search,
    participants_for_opportunity,
)
from opportunities.models import Opportunity
from tests.builders import make_opportunity, make_participant
from tests.matching.conftest import available, embed_everything, weekly_sessions

pytestmark = pytest.mark.django_db


def by_title(matches: list[OpportunityMatch]) -> dict[str, OpportunityMatch]:
    return {m.opportunity.title: m for m in matches}


def test_feasible_fit_comes_first_with_reasons(farm_lover, postings):
    embed_everything()
    matches = opportunities_for_participant(participant=farm_lover)
    best = matches[0]
    assert best.opportunity == postings["farm"]
    assert best.feasible and best.readiness_fit == "fit"
    assert best.distance_km == pytest.approx(1.0, abs=0.3)
    assert "月曜午前が合う" in best.reasons
    assert "自宅から1km以内" in best.reasons
    assert "今のステップに合う" in best.reasons
    assert any(
        "草取り" in r or "畑" in r or "野菜" in r for r in best.reasons
    )  # names what matched


def test_infeasible_never_ranks_above_feasible(farm_lover, postings):
    embed_everything()
    matches = opportunities_for_participant(participant=farm_lover, limit=None)
    flags = [m.feasible for m in matches]
    assert flags == sorted(flags, reverse=True)  # all feasible, then all infeasible
    found = by_title(matches)
    assert not found["夕方の畑の水やり"].feasible
    assert "空いている時間に開催がない" in found["夕方の畑の水やり"].reasons
    assert not found["遠くの農園での野菜の収穫"].feasible
    assert any(
        r.startswith("移動できる距離（8km）より遠い")
        for r in found["遠くの農園での野菜の収穫"].reasons
    )


def test_two_steps_too_high_is_at_the_very_bottom(farm_lover, postings):
    embed_everything()
    matches = opportunities_for_participant(participant=farm_lover, limit=None)
    assert matches[-1].opportunity == postings["too_high"]
    assert matches[-1].readiness_fit == "too_high" and not matches[-1].feasible
    assert all(m.score > matches[-1].score for m in matches[:-1])


def test_next_step_is_offered_and_says_it_needs_a_coach(farm_lover, postings):
    embed_everything()
    match = by_title(opportunities_for_participant(participant=farm_lover, limit=None))[
        "畑の野菜の袋詰め"
    ]
    assert match.readiness_fit == "next_step" and match.feasible
    assert "次のステップ（支援員の承認が必要）" in match.reasons


def test_reasons_follow_the_active_language(farm_lover, postings):
    embed_everything()
    with translation.override("en"):
        best = opportunities_for_participant(participant=farm_lover, limit=1)[0]
    assert "Fits your time: Monday morning" in best.reasons
    assert "Within 1 km of home" in best.reasons
    assert "Fits your current step" in best.reasons


def test_a_full_session_only_counts_when_nothing_else_is_left(farm_lover, postings):
    embed_everything()
    sessions = list(postings["farm"].sessions.all())
    for s in sessions:
        s.seats_taken = s.capacity
        s.save()
    match = by_title(opportunities_for_participant(participant=farm_lover, limit=None))[
        "畑の草取りと野菜の収穫"
    ]
    assert match.feasible  # the waiting list is still a way in


def test_search_works_without_a_participant(postings):
    embed_everything()
    results = opportunities_search(query="書類のファイリング")
    assert results[0].opportunity == postings["office"]
    assert (
        results[0].readiness_fit == "fit" and results[0].feasible and results[0].distance_km is None
    )
    assert "「書類のファイリング」に近い内容" in results[0].reasons


def test_search_drops_postings_unrelated_to_the_query(postings):
    embed_everything()
    titles = [
        m.opportunity.title for m in opportunities_search(query="書類のファイリング", limit=None)
    ]
    assert "畑の草取りと野菜の収穫" not in titles


def test_search_for_a_participant_respects_their_limits(farm_lover, postings):
    embed_everything()
    results = opportunities_search(query="野菜の収穫", participant=farm_lover, limit=None)
    assert results[0].opportunity == postings["farm"]
    assert results[-1].readiness_fit == "too_high"


def test_missing_vectors_degrade_to_rules_and_keywords(farm_lover, postings):
    # Nothing embedded yet (the task has not run): still a sensible, feasible-first list.
    matches = opportunities_for_participant(participant=farm_lover, limit=None)
    assert matches[0].feasible
    assert matches[-1].opportunity == postings["too_high"]


def test_caller_can_narrow_the_candidates(farm_lover, postings):
    embed_everything()
    only_farm = Opportunity.objects.filter(kind=Opportunity.Kind.FARM_WELFARE)
    matches = opportunities_for_participant(participant=farm_lover, opportunities=only_farm)
    assert {m.opportunity.pk for m in matches} == set(only_farm.values_list("pk", flat=True))


def test_query_count_does_not_grow_with_candidates(
    farm_lover, postings, django_assert_max_num_queries
):
    embed_everything()
    for n in range(20):
        weekly_sessions(
            make_opportunity(title=f"追加の活動{n}", lat=35.61, lon=140.42), 0, "09:00", "11:00"
        )
    embed_everything()
    with django_assert_max_num_queries(10):
        matches = opportunities_for_participant(participant=farm_lover)
        [m.opportunity.partner.name for m in matches]  # partner is selected with the posting


@pytest.mark.parametrize("scan_limit", [5000, 0], ids=["distances-in-sql", "hnsw-iterative-scan"])
def test_nearest_neighbour_path_agrees_with_the_exhaustive_one(
    farm_lover, postings, monkeypatch, scan_limit
):
    embed_everything()
    exhaustive = opportunities_for_participant(participant=farm_lover, limit=4)
    monkeypatch.setattr(selectors, "EXACT_LIMIT", 2)  # candidate search even on this small set
    monkeypatch.setattr(selectors, "EXACT_SCAN_LIMIT", scan_limit)
    indexed = opportunities_for_participant(participant=farm_lover, limit=4)
    # The feasible head is identical; the infeasible tail may differ, since the
    # index path only fetches postings out of reach when too few are within it.
    assert [m.opportunity.pk for m in indexed if m.feasible] == [
        m.opportunity.pk for m in exhaustive if m.feasible
    ]
    assert len(indexed) == 4


def test_participants_for_opportunity_ranks_people_who_can_come(postings):
    fits = make_participant(
        self_description="畑仕事が好き", interests=["畑"], readiness=2, lat=35.60, lon=140.41
    )
    available(fits, 0, "08:00", "12:00")
    cannot_come = make_participant(
        self_description="畑仕事が好き", interests=["畑"], readiness=2, lat=35.60, lon=140.41
    )
    available(cannot_come, 4, "13:00", "17:00")
    too_early = make_participant(
        self_description="畑仕事が好き", interests=["畑"], readiness=1, lat=35.60, lon=140.41
    )
    available(too_early, 0, "08:00", "12:00")
    embed_everything()

    matches = participants_for_opportunity(opportunity=postings["next_step"], limit=None)
    order = [m.participant for m in matches]
    assert order.index(fits) < order.index(cannot_come) < order.index(too_early)
    assert matches[order.index(fits)].readiness_fit == "next_step"
    assert matches[order.index(too_early)].readiness_fit == "too_high"

    session = postings["farm"].sessions.first()
    matches = participants_for_opportunity(
        opportunity=postings["farm"], session=session, limit=None
    )
    assert matches[0].participant == fits and matches[0].feasible


def test_participants_nearest_neighbour_path_keeps_who_can_come_first(postings, monkeypatch):
    fits = make_participant(self_description="畑仕事が好き", interests=["畑"], readiness=2)
    available(fits, 2, "09:00", "13:00")
    busy = make_participant(self_description="畑仕事が好き", interests=["畑"], readiness=2)
    available(busy, 4, "13:00", "17:00")
    embed_everything()
    monkeypatch.setattr(selectors, "EXACT_LIMIT", 1)
    matches = participants_for_opportunity(opportunity=postings["next_step"], limit=2)
    assert [m.participant for m in matches] == [fits, busy]
    assert matches[0].feasible and not matches[1].feasible


def test_search_for_nonsense_finds_nothing(farm_lover, postings):
    embed_everything()
    assert opportunities_search(query="zzzzqqq") == []
    assert opportunities_search(query="zzzzqqq", participant=farm_lover, limit=None) == []
    assert opportunities_search(query="野菜の収穫")  # a real text still finds postings


@pytest.mark.parametrize("exact", [False, True], ids=["hnsw", "exact"])
def test_candidate_query_filters_on_the_copies_beside_the_vector(farm_lover, postings, exact):
    embed_everything()
    vector = selectors._stored_vectors(
        selectors.ParticipantEmbedding, "participant_id", [farm_lover.pk]
    )[farm_lover.pk]
    found = selectors.nearest_opportunity_ids(vector, 10, participant=farm_lover, exact=exact)
    assert postings["farm"].pk in found
    assert postings["too_high"].pk not in found  # two steps above: filtered in SQL

    farm = postings["farm"]
    farm.status = Opportunity.Status.CLOSED
    farm.save(update_fields=["status"])  # no text change, no task: the copy follows at once
    assert farm.embedding.__class__.objects.get(pk=farm.pk).is_open is False
    found = selectors.nearest_opportunity_ids(vector, 10, participant=farm_lover, exact=exact)
    assert farm.pk not in found


def test_the_copy_follows_a_bulk_update_too(farm_lover, postings):
    """No signal fires for a queryset update; the database trigger still copies."""
    embed_everything()
    farm = postings["farm"]
    Opportunity.objects.filter(pk=farm.pk).update(
        status=Opportunity.Status.CLOSED, min_readiness=3, lat=35.0, lon=140.0
    )
    copy = farm.embedding.__class__.objects.get(pk=farm.pk)
    assert (copy.is_open, copy.min_readiness, copy.lat, copy.lon) == (False, 3, 35.0, 140.0)
    Opportunity.objects.filter(pk=farm.pk).update(status=Opportunity.Status.OPEN)
    assert farm.embedding.__class__.objects.get(pk=farm.pk).is_open is True


def test_a_stale_copy_never_lists_a_closed_posting(farm_lover, postings, monkeypatch):
    embed_everything()
    # Should the copy beside the vector ever say open for a closed posting, the
    # posting itself is checked before it is scored.
    Opportunity.objects.filter(pk=postings["farm"].pk).update(status=Opportunity.Status.CLOSED)
    farm_copy = postings["farm"].embedding.__class__.objects.filter(pk=postings["farm"].pk)
    with connection.cursor() as cursor:  # make it stale behind the trigger's back
        cursor.execute(
            "UPDATE matching_opportunityembedding SET is_open = true WHERE opportunity_id = %s",
            [postings["farm"].pk],
        )
    assert farm_copy.get().is_open is True
    monkeypatch.setattr(selectors, "EXACT_LIMIT", 1)
    for scan_limit in (5000, 0):
        monkeypatch.setattr(selectors, "EXACT_SCAN_LIMIT", scan_limit)
        listed = opportunities_for_participant(participant=farm_lover, limit=10)
        assert postings["farm"] not in [m.opportunity for m in listed]
