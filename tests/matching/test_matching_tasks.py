from unittest import mock

import pytest
from django.test import override_settings

from matching import services, tasks
from matching.models import OpportunityEmbedding, ParticipantEmbedding, TermEmbedding
from tests.builders import make_opportunity, make_participant

pytestmark = pytest.mark.django_db


def test_saving_a_posting_embeds_it_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        opportunity = make_opportunity(title="畑の草取り", skills=["草取り"])
    assert not OpportunityEmbedding.objects.filter(
        opportunity=opportunity
    ).exists()  # nothing before commit

    for callback in callbacks:
        callback()  # Q_CLUSTER sync: the task runs here
    stored = OpportunityEmbedding.objects.get(opportunity=opportunity)
    assert (stored.model_name, stored.dimensions) == ("fake", 512)
    assert TermEmbedding.objects.filter(model_name="fake", term="草取り").exists()


def test_saving_a_profile_embeds_it_and_its_interests(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        person = make_participant(interests=["動物"], skills=["掃除"])
    assert ParticipantEmbedding.objects.filter(participant=person).exists()
    assert set(TermEmbedding.objects.values_list("term", flat=True)) >= {"動物", "掃除"}


def test_re_embeds_only_when_the_text_changes(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        opportunity = make_opportunity(title="古本の値札貼り")
    first = OpportunityEmbedding.objects.get(opportunity=opportunity)

    with mock.patch(
        "matching.embeddings.FakeBackend.encode", wraps=services.embeddings.FakeBackend().encode
    ) as encode:
        assert tasks.embed_opportunity(opportunity.pk) is False  # same text, same model: skipped
        encode.assert_not_called()

        opportunity.description = "寄贈された本のほこりを払います。"
        with django_capture_on_commit_callbacks(execute=True):
            opportunity.save()
        assert encode.call_count == 1
    second = OpportunityEmbedding.objects.get(opportunity=opportunity)
    assert second.source_hash != first.source_hash
    assert second.updated_at > first.updated_at


def test_saves_that_cannot_change_the_text_do_not_re_embed(django_capture_on_commit_callbacks):
    opportunity = make_opportunity()
    with (
        mock.patch("django_q.tasks.async_task") as async_task,
        django_capture_on_commit_callbacks(execute=True),
    ):
        opportunity.status = "closed"
        opportunity.save(update_fields=["status"])
    # Only the stored recommendations are refreshed (the status decides what is shown).
    assert [c.args[0] for c in async_task.call_args_list] == [
        "matching.tasks.recommendations_refresh_changed"
    ]


def test_a_model_switch_re_embeds(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        person = make_participant()
    stored = ParticipantEmbedding.objects.get(participant=person)
    other = services.embeddings.FakeBackend()
    other.model_name = "fake-v2"
    with mock.patch("matching.embeddings.get_backend", return_value=other):
        assert services.participant_embed(participant=person) is True
        assert services.participant_embed(participant=person) is False
    assert ParticipantEmbedding.objects.get(participant=person).model_name == "fake-v2"
    assert stored.model_name == "fake"


def test_task_for_a_deleted_row_is_a_no_op():
    assert tasks.embed_opportunity(987654) is False
    assert tasks.embed_participant(987654) is False


@override_settings(EMBEDDING_BACKEND="fake")
def test_stored_dimension_must_match_the_vector():
    from django.db import IntegrityError, transaction

    opportunity = make_opportunity()
    with pytest.raises(IntegrityError), transaction.atomic():
        OpportunityEmbedding.objects.create(
            opportunity=opportunity,
            model_name="fake",
            dimensions=384,
            source_hash="x",
            vector=[0.1] * 512,
        )
