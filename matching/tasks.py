"""django-q2 tasks: load by id, call one service. Idempotent (hash check)."""

from matching import services
from opportunities.models import Opportunity
from people.models import ParticipantProfile


def embed_opportunity(opportunity_id: int) -> bool:
    opportunity = Opportunity.objects.filter(pk=opportunity_id).first()
    if opportunity is None:  # deleted before the worker got to it
        return False
    return services.opportunity_embed(opportunity=opportunity)


def embed_participant(participant_id: int) -> bool:
    participant = ParticipantProfile.objects.filter(pk=participant_id).first()
    if participant is None:
        return False
    return services.participant_embed(participant=participant)
