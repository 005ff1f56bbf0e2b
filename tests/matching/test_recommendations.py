"""Stored recommendations: refreshed by the worker, read in one query, explained
in the reader's language; the participant's reasons split in two."""

from unittest import mock

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django_q.models import Schedule

from matching import embeddings, ranking, services
from matching.models import Recommendation
from matching.ranking import (
    PairFacts,
    facts_from_json,
    facts_to_json,
    pair_reasons,
    participant_reasons,
)
from matching.rules import ScheduleFit, WeeklySlot
from matching.selectors import opportunities_for_participant, recommendations_for_participant
from opportunities.models import Opportunity
from tests.builders import make_opportunity, make_participant
from tests.matching.conftest import available, embed_everything, weekly_sessions

pytestmark = pytest.mark.django_db


def stored(person) -> list[str]:
    return list(
        Recommendation.objects.filter(participant=person)
        .order_by("rank")
        .values_list("opportunity__title", flat=True)
    )


def test_refresh_stores_the_live_ranking_with_its_facts(farm_lover, postings):
    embed_everything()
    assert services.recommendations_refresh(participant=farm_lover) == len(postings)
    live = opportunities_for_participant(participant=farm_lover, limit=30)
    assert stored(farm_lover) == [m.opportunity.title for m in live]
    rows = list(Recommendation.objects.filter(participant=farm_lover).order_by("rank"))
    assert [r.rank for r in rows] == list(range(1, len(live) + 1))
    assert rows[0].feasible and rows[0].readiness_fit == "fit"
    # The stored facts explain exactly as the live ranking does.
    assert pair_reasons(facts_from_json(rows[0].facts)) == live[0].reasons

    read = recommendations_for_participant(participant=farm_lover, limit=3)
    assert [m.opportunity.title for m in read] == [m.opportunity.title for m in live[:3]]
    assert read[0].reasons == live[0].reasons


def test_refresh_replaces_the_rows(farm_lover, postings):
    embed_everything()
    services.recommendations_refresh(participant=farm_lover)
    services.recommendations_refresh(participant=farm_lover, limit=2)
    assert len(stored(farm_lover)) == 2


def test_reading_is_one_query_and_ranks_nothing(farm_lover, postings):
    embed_everything()
    services.recommendations_refresh(participant=farm_lover)
    with (
        mock.patch("matching.embeddings.FakeBackend.encode") as encode,
        CaptureQueriesContext(connection) as queries,
    ):
        matches = recommendations_for_participant(participant=farm_lover, limit=10)
    assert matches and len(queries) == 1
    encode.assert_not_called()
    assert "vector" not in queries[0]["sql"].lower()


def test_a_posting_closed_since_is_not_shown(
    farm_lover, postings, django_capture_on_commit_callbacks
):
    embed_everything()
    services.recommendations_refresh(participant=farm_lover)
    # A queryset update: no signal, no refresh; the read-time filter still hides it.
    Opportunity.objects.filter(pk=postings["farm"].pk).update(status=Opportunity.Status.CLOSED)
    with django_capture_on_commit_callbacks(execute=True):
        titles = [
            m.opportunity.title for m in recommendations_for_participant(participant=farm_lover)
        ]
    assert postings["farm"].title not in titles
    assert titles  # the others are still there
    # ...and the short list queued a refresh that dropped the closed posting.
    assert postings["farm"].title not in stored(farm_lover)


def test_reasons_are_built_in_the_active_language(farm_lover, postings):
    embed_everything()
    with translation.override("ja"):
        services.recommendations_refresh(participant=farm_lover)
    with translation.override("en"):
        best = recommendations_for_participant(participant=farm_lover)[0]
        assert "Fits your current step" in best.reasons
        assert "Within 1 km of home" in best.reasons
    with translation.override("ja"):
        assert (
            "今のステップに合う"
            in recommendations_for_participant(participant=farm_lover)[0].reasons
        )


def test_a_new_person_is_ranked_live_and_a_refresh_is_queued(
    farm_lover, postings, django_capture_on_commit_callbacks
):
    embed_everything()
    assert not Recommendation.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        matches = recommendations_for_participant(participant=farm_lover)
    assert matches[0].opportunity == postings["farm"]
    # Q_CLUSTER sync: the queued refresh ran on commit.
    assert stored(farm_lover)[0] == postings["farm"].title


def test_changes_refresh_the_stored_list_after_commit(
    farm_lover, postings, django_capture_on_commit_callbacks
):
    embed_everything()
    services.recommendations_refresh(participant=farm_lover)
    assert postings["far"].title in stored(farm_lover)

    # A new posting next door: after commit (embedding, then refresh) it is on her list.
    with django_capture_on_commit_callbacks(execute=True):
        new = make_opportunity(
            title="畑で野菜の草取り",
            description="畑の草取りと野菜の世話。",
            skills=["草取り"],
            min_readiness=2,
            lat=35.6035,
            lon=140.4145,
        )
        weekly_sessions(new, 0, "09:00", "11:00")
    assert new.title in stored(farm_lover)

    # Closing a posting through a save refreshes the people who hold it.
    with django_capture_on_commit_callbacks(execute=True):
        postings["far"].status = Opportunity.Status.CLOSED
        postings["far"].save(update_fields=["status"])
    assert postings["far"].title not in stored(farm_lover)

    # Her own change (a free evening) moves the evening posting up.
    before = stored(farm_lover).index("夕方の畑の水やり")
    with django_capture_on_commit_callbacks(execute=True):
        available(farm_lover, 4, "16:00", "20:00")
    assert stored(farm_lover).index("夕方の畑の水やり") < before


def test_many_saves_in_one_transaction_queue_one_refresh(
    farm_lover, postings, django_capture_on_commit_callbacks
):
    with (
        mock.patch("django_q.tasks.async_task") as async_task,
        django_capture_on_commit_callbacks(execute=True),
        transaction.atomic(),
    ):
        for n in range(5):
            weekly_sessions(postings["office"], n, "13:00", "15:00", weeks=2)
        available(farm_lover, 5, "09:00", "12:00")
    refreshes = [
        c
        for c in async_task.call_args_list
        if c.args[0].endswith("recommendations_refresh_changed")
    ]
    assert len(refreshes) == 1
    participants, opportunities, _at = refreshes[0].args[1:]
    # (the batch also holds what the fixtures saved in this test's transaction)
    assert farm_lover.pk in participants and postings["office"].pk in opportunities


def test_a_rolled_back_change_queues_nothing(farm_lover, django_capture_on_commit_callbacks):
    with mock.patch("django_q.tasks.async_task") as async_task:
        with django_capture_on_commit_callbacks(execute=True):
            try:
                with transaction.atomic():
                    available(farm_lover, 5, "09:00", "12:00")
                    raise RuntimeError
            except RuntimeError:
                pass
        with django_capture_on_commit_callbacks(execute=True):
            farm_lover.readiness = 3
            farm_lover.save(update_fields=["readiness"])
    calls = [c.args[1:3] for c in async_task.call_args_list]
    assert calls == [([farm_lover.pk], [])]


def test_contact_settings_do_not_refresh(farm_lover, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        farm_lover.notify_reminder = False
        farm_lover.save(update_fields=["notify_reminder", "updated_at"])
    assert callbacks == []


def test_nightly_refresh_is_scheduled_and_covers_everyone(farm_lover, postings):
    call_command("setup_schedules")
    schedule = Schedule.objects.get(func="matching.tasks.recommendations_refresh_all")
    assert schedule.schedule_type == Schedule.DAILY
    embed_everything()
    other = make_participant()
    from matching import tasks

    assert tasks.recommendations_refresh_all() == 2
    assert stored(farm_lover) and stored(other)


# --------------------------------------------------------------------------- reasons for her


def _facts(**overrides) -> PairFacts:
    monday = WeeklySlot(0, *[__import__("datetime").time(h) for h in (9, 11)])
    base = {
        "participant_step": 2,
        "min_step": 2,
        "schedule": ScheduleFit(1.0, (monday,), ()),
        "distance_km": 3.2,
        "max_travel_km": 8.0,
        "term_similarities": {"畑": 0.9},
        "interests": frozenset({"畑"}),
        "setting_why": ("+quiet", "-social"),
    }
    return PairFacts(**{**base, **overrides})


def test_participant_reasons_split_what_fits_from_what_to_watch():
    with translation.override("ja"):
        split = participant_reasons(_facts())
    assert split.fits == [
        "畑への関心に合います",
        "静かな場所で落ち着いてできます",
        "月曜午前の空いている時間に合います",
        "自宅から3kmです",
        "今のステップで参加できます",
    ]
    assert split.watch == ["人と接する場面が多いです"]
    assert not any("本人" in r for r in [*split.fits, *split.watch])
    # The coach's wording is unchanged.
    assert "人と接する場面が多い（本人は苦手）" in pair_reasons(_facts())


def test_participant_reasons_put_obstacles_under_watch():
    with translation.override("ja"):
        split = participant_reasons(
            _facts(
                min_step=3,
                distance_km=12.0,
                schedule=ScheduleFit(0.0, (), ()),
                setting_why=("-physical",),
            )
        )
    assert split.fits == ["畑への関心に合います"]
    assert split.watch == [
        "体力を使う作業です",
        "空いている時間には開催がありません",
        "移動できる距離（8km）より遠い場所です（12km）",
        "次のステップの活動です（支援員の承認が必要です）",
    ]


def test_terms_are_shown_through_the_vocabulary():
    with mock.patch.object(ranking, "term_label", lambda term: f"<{term}>"):
        assert participant_reasons(_facts()).fits[0] == "<畑>への関心に合います"
        assert pair_reasons(_facts())[0] == "<畑>への関心が近い"


def test_facts_survive_json():
    facts = _facts(literal_terms=("畑",), language_gap=0.4, profile_similarity=0.31)
    import json

    again = facts_from_json(json.loads(json.dumps(facts_to_json(facts))))
    assert again == facts


# --------------------------------------------------------------------------- query cache


def test_search_text_is_embedded_once_per_normalised_form():
    embeddings._cached_query.cache_clear()
    assert embeddings.query_key("  ＦＡＲＭ　\n work ") == "farm work"
    with mock.patch(
        "matching.embeddings.FakeBackend.encode", wraps=embeddings.FakeBackend().encode
    ) as encode:
        first = embeddings.embed_query("Farm work")
        again = embeddings.embed_query("  ＦＡＲＭ　 WORK ")
        embeddings._cached_query.cache_clear()  # another process: the Django cache has it
        third = embeddings.embed_query("farm work")
    assert encode.call_count == 1
    assert (first == again).all() and (first == third).all()


def test_embed_all_refreshes_the_stored_lists(farm_lover, postings):
    call_command("embed_all", verbosity=0)  # Q_CLUSTER sync: the queued refresh runs here
    assert stored(farm_lover)[0] == postings["farm"].title


def test_a_widened_search_stays_within_pgvectors_ef_search_limit():
    # A search page asks for 120 results; widening once more asked pgvector for
    # ef_search 1440 (its maximum is 1000) and the page failed at 10^5 postings.
    from matching import selectors

    with selectors._vector_search(4 * max(selectors.ANN_CANDIDATES, 3 * 120)):
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('hnsw.ef_search')")
            assert cursor.fetchone()[0] == "1000"
