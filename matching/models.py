"""Stored embeddings.

Vectors live in an untyped pgvector ``vector`` column, with the backend's model
name and dimension beside them. Each table has one partial HNSW index per
dimension we support, on the expression ``vector::vector(N)`` and limited to rows
with ``dimensions = N`` (HNSW needs a fixed dimension, an untyped column has
none). So a 384-dimensional MiniLM and the 512-dimensional USE model both work
without a migration: switching model is a setting plus ``manage.py embed_all``,
and queries cast the column the same way so the planner picks the right index.
Separate columns per dimension would need a code change for each new model.
"""

from django.contrib.postgres.indexes import OpClass
from django.db import models
from django.db.models import Func, Q
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from pgvector.django import HnswIndex, VectorField

from matching.embeddings import INDEXED_DIMENSIONS


def typed_vector(dimensions: int) -> Cast:
    """``vector::vector(N)``, the expression the HNSW indexes are built on."""
    return Cast("vector", VectorField(dimensions=dimensions))


def _hnsw_indexes(prefix: str) -> list[models.Index]:
    # m=32, ef_construction=200 (pgvector's defaults are 16 and 64): postings
    # cluster by topic and a person's profile lies far from all of them, and with
    # the defaults a filtered search missed the nearest clusters (bench_matching at
    # 10^5 postings: recall@10 0.905 with the defaults, 0.987 with these; the
    # build takes about 40 s instead of 10 s). Cosine because all backends return
    # unit vectors and reasons read as similarity.
    return [
        HnswIndex(
            OpClass(typed_vector(dim), name="vector_cosine_ops"),
            name=f"{prefix}_hnsw_{dim}",
            condition=Q(dimensions=dim),
            m=32,
            ef_construction=200,
        )
        for dim in INDEXED_DIMENSIONS
    ]


def _dimensions_match(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(
            dimensions=Func("vector", function="vector_dims", output_field=models.IntegerField())
        ),
        name=name,
        violation_error_message=_("ベクトルの次元数が記録と合っていません。"),
    )


class EmbeddingBase(models.Model):
    model_name = models.CharField(_("モデル"), max_length=200)
    dimensions = models.PositiveSmallIntegerField(_("次元数"))
    # sha256 of model name + source text: unchanged text and model → no re-embedding.
    source_hash = models.CharField(_("元テキストのハッシュ"), max_length=64)
    vector = VectorField(_("ベクトル"))
    updated_at = models.DateTimeField(_("更新日時"), default=timezone.now)

    class Meta:
        abstract = True


class OpportunityEmbedding(EmbeddingBase):
    opportunity = models.OneToOneField(
        "opportunities.Opportunity",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="embedding",
    )
    # Copies of the posting's cheap filters (services.opportunity_filters), so a
    # nearest-neighbour search filters on the row the index returns, without a
    # join per row, and an exact search finds the rows in a box by index.
    is_open = models.BooleanField(_("募集中"), default=False)
    min_readiness = models.PositiveSmallIntegerField(_("目安のステップ"), default=1)
    lat = models.FloatField(_("緯度"), null=True, blank=True)
    lon = models.FloatField(_("経度"), null=True, blank=True)

    class Meta:
        verbose_name = _("活動のベクトル")
        verbose_name_plural = _("活動のベクトル")
        indexes = [
            *_hnsw_indexes("matching_opp"),
            # The step is in the index too, so a box search drops the postings
            # more than one step above the person before reading their rows.
            models.Index(
                fields=["lat", "lon", "min_readiness"],
                name="matching_opp_open_box_step",
                condition=Q(is_open=True),
            ),
        ]
        constraints = [_dimensions_match("matching_opportunityembedding_dimensions_match")]

    def __str__(self) -> str:
        return f"{self.opportunity_id} ({self.model_name})"


class ParticipantEmbedding(EmbeddingBase):
    participant = models.OneToOneField(
        "people.ParticipantProfile",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="embedding",
    )

    class Meta:
        verbose_name = _("参加者のベクトル")
        verbose_name_plural = _("参加者のベクトル")
        indexes = _hnsw_indexes("matching_part")
        constraints = [_dimensions_match("matching_participantembedding_dimensions_match")]

    def __str__(self) -> str:
        return f"{self.participant_id} ({self.model_name})"


class TermEmbedding(models.Model):
    """A cache of short phrases (a skill, an interest) embedded on their own.

    Skills and interests repeat across thousands of profiles and postings (調理,
    清掃, gardening), so each phrase is embedded once per model. Ranking compares
    them with a posting's vector to say which interest or skill matched."""

    model_name = models.CharField(_("モデル"), max_length=200)
    term = models.CharField(_("語句"), max_length=100)
    dimensions = models.PositiveSmallIntegerField(_("次元数"))
    vector = VectorField(_("ベクトル"))
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("語句のベクトル")
        verbose_name_plural = _("語句のベクトル")
        constraints = [
            models.UniqueConstraint(
                fields=["model_name", "term"],
                name="matching_termembedding_one_per_model",
                violation_error_message=_("この語のベクトルはこのモデルですでに記録されています。"),
            ),
            _dimensions_match("matching_termembedding_dimensions_match"),
        ]

    def __str__(self) -> str:
        return f"{self.term} ({self.model_name})"


class Recommendation(models.Model):
    """A participant's stored "recommended for you": the top postings of the
    ranking (selectors.opportunities_for_participant) with the facts behind each,
    so pages read them in one query instead of ranking on every view. Written
    only by services.recommendations_refresh (the worker, on changes and nightly);
    reasons are built from ``facts`` when read, in the reader's language."""

    participant = models.ForeignKey(
        "people.ParticipantProfile",
        on_delete=models.CASCADE,
        related_name="recommendations",
        verbose_name=_("参加者"),
    )
    opportunity = models.ForeignKey(
        "opportunities.Opportunity",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("活動"),
    )
    rank = models.PositiveSmallIntegerField(_("順位"))
    score = models.FloatField(_("スコア"))
    feasible = models.BooleanField(_("参加できる"))
    readiness_fit = models.CharField(_("ステップとの関係"), max_length=20)
    # ranking.facts_to_json(PairFacts)
    facts = models.JSONField(_("根拠"), default=dict)
    computed_at = models.DateTimeField(_("計算日時"), default=timezone.now)

    class Meta:
        verbose_name = _("おすすめ")
        verbose_name_plural = _("おすすめ")
        ordering = ["participant", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "opportunity"],
                name="matching_recommendation_one_per_pair",
                violation_error_message=_(
                    "この参加者とこの活動のおすすめはすでに記録されています。"
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["participant", "rank"], name="matching_rec_participant_rank"),
        ]

    def __str__(self) -> str:
        return f"{self.participant_id} → {self.opportunity_id} (#{self.rank})"
