"""Start-up check: stored vectors must come from the configured model."""

from django.conf import settings
from django.core.checks import Tags, Warning, register
from django.db import DatabaseError

from matching.embeddings import get_backend
from matching.models import OpportunityEmbedding, ParticipantEmbedding


@register(Tags.database)
def embeddings_match_backend(app_configs=None, databases=None, **kwargs):
    # Database checks run for migrate and `check --database default`; a Warning
    # (not an Error) so that migrate still runs after a model switch.
    if not databases or "default" not in databases:
        return []
    if settings.EMBEDDING_BACKEND == "fake":
        expected = "fake"
    else:
        try:
            expected = get_backend().model_name
        except Exception as exc:  # noqa: BLE001 - report any load failure as a check message
            return [
                Warning(
                    f"The embedding backend {settings.EMBEDDING_BACKEND!r} does not load: {exc}",
                    id="matching.W002",
                )
            ]
    problems = []
    for model in (OpportunityEmbedding, ParticipantEmbedding):
        try:
            stale = (
                model.objects.exclude(model_name=expected)
                .values_list("model_name", flat=True)
                .distinct()[:3]
            )
            stale = list(stale)
        except DatabaseError:
            return []  # tables not migrated yet
        if stale:
            problems.append(
                Warning(
                    f"{model._meta.verbose_name}: stored vectors come from {', '.join(stale)}, "
                    f"but EMBEDDING_BACKEND gives {expected}; matching ignores them until re-embedded.",
                    hint="Run `python manage.py embed_all` (it skips vectors that are already current).",
                    id="matching.W001",
                )
            )
    return problems
