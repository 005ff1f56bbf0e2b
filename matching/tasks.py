"""django-q2 tasks: load by id, call one service. Idempotent (hash check for
embeddings; recommendations are recomputed from the current rows)."""

from datetime import datetime

from django.db.models import Max

from matching import services
from matching.models import Recommendation
from opportunities.models import Opportunity
from people.models import ParticipantProfile

# A posting change refreshes the people who hold it plus this many of those it
# would suit best; everyone else follows in the nightly refresh.
NEW_HOLDERS_PER_OPPORTUNITY = 50


def embed_opportunity(opportunity_id: int) -> bool:
    opportunity = Opportunity.objects.filter(pk=opportunity_id).first()
    if opportunity is None:  # deleted before the worker got to it
        return False
    embedded = services.opportunity_embed(opportunity=opportunity)
    if embedded:  # the new vector can move it in or out of people's lists
        _refresh(ParticipantProfile.objects.filter(pk__in=_affected_by([opportunity_id])))
    return embedded


def embed_participant(participant_id: int) -> bool:
    participant = ParticipantProfile.objects.filter(pk=participant_id).first()
    if participant is None:
        return False
    embedded = services.participant_embed(participant=participant)
    if embedded:
        services.recommendations_refresh(participant=participant)
    return embedded


def _affected_by(opportunity_ids: list[int]) -> set[int]:
    from matching.selectors import participants_for_opportunity

    ids = set(
        Recommendation.objects.filter(opportunity_id__in=opportunity_ids).values_list(
            "participant_id", flat=True
        )
    )
    for opportunity in Opportunity.objects.filter(
        pk__in=opportunity_ids, status=Opportunity.Status.OPEN
    ):
        ids.update(
            m.participant.pk
            for m in participants_for_opportunity(
                opportunity=opportunity, limit=NEW_HOLDERS_PER_OPPORTUNITY
            )
        )
    return ids


def _refresh(people, *, unless_since: datetime | None = None) -> int:
    """Refresh each person's list; with ``unless_since``, skip those refreshed
    after it (a later task already saw the change: duplicates are cheap)."""
    people = people.order_by("pk")
    if unless_since is not None:
        fresh = set(
            Recommendation.objects.filter(participant__in=people.values("pk"))
            .values("participant_id")
            .annotate(last=Max("computed_at"))
            .filter(last__gte=unless_since)
            .values_list("participant_id", flat=True)
        )
        people = people.exclude(pk__in=fresh)
    done = 0
    for person in people.iterator(chunk_size=200):
        services.recommendations_refresh(participant=person)
        done += 1
    return done


def recommendations_refresh_changed(
    participant_ids: list[int], opportunity_ids: list[int], changed_at: str
) -> int:
    """After a commit that changed these people, postings or their sessions."""
    since = datetime.fromisoformat(changed_at)
    ids = set(participant_ids) | _affected_by(list(opportunity_ids))
    return _refresh(ParticipantProfile.objects.filter(pk__in=ids), unless_since=since)


def recommendations_refresh_one(participant_id: int, requested_at: str) -> int:
    """A page found no stored list for this person (new, or never refreshed)."""
    return _refresh(
        ParticipantProfile.objects.filter(pk=participant_id),
        unless_since=datetime.fromisoformat(requested_at),
    )


def recommendations_refresh_all() -> int:
    """Nightly (see setup_schedules): everyone's list, so seat counts, the
    8-week window and anything the receivers missed catch up."""
    return _refresh(ParticipantProfile.objects.all())
