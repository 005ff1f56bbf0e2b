from django.contrib import admin

from matching.models import (
    OpportunityEmbedding,
    ParticipantEmbedding,
    Recommendation,
    TermEmbedding,
)


class ReadOnlyEmbeddingAdmin(admin.ModelAdmin):
    """Vectors are written by the embedding tasks only; the admin shows where
    they came from (model, hash, time) so a stale or missing one is easy to spot."""

    list_filter = ["model_name", "dimensions"]
    exclude = ["vector"]  # 512 floats help nobody on a form

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(OpportunityEmbedding)
class OpportunityEmbeddingAdmin(ReadOnlyEmbeddingAdmin):
    list_display = ["opportunity", "model_name", "dimensions", "updated_at"]
    list_select_related = ["opportunity"]
    search_fields = ["opportunity__title", "opportunity__code"]


@admin.register(ParticipantEmbedding)
class ParticipantEmbeddingAdmin(ReadOnlyEmbeddingAdmin):
    list_display = ["participant", "model_name", "dimensions", "updated_at"]
    list_select_related = ["participant"]
    search_fields = ["participant__code"]


@admin.register(TermEmbedding)
class TermEmbeddingAdmin(ReadOnlyEmbeddingAdmin):
    list_display = ["term", "model_name", "dimensions", "created_at"]
    search_fields = ["term"]


@admin.register(Recommendation)
class RecommendationAdmin(admin.ModelAdmin):
    """Written by the worker's refresh only; shown to check what a person was
    offered and when it was computed. The stored facts stay off the page."""

    list_display = ["participant", "rank", "opportunity", "feasible", "computed_at"]
    list_select_related = ["participant", "opportunity"]
    search_fields = ["participant__code", "opportunity__code"]
    exclude = ["facts"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
