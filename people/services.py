from datetime import date

from django.db import transaction

from core.clock import local_today
from core.errors import DomainError
from people.models import ParticipantProfile, ReadinessAssessment, User


@transaction.atomic
def readiness_record(
    *,
    participant: ParticipantProfile,
    step: int,
    coach: User | None = None,
    assessed_on: date | None = None,
    notes: str = "",
) -> ReadinessAssessment:
    """Record an assessment and move the participant's current step to the latest one."""
    if not 1 <= int(step) <= 5:
        raise DomainError("ステップは1〜5で入力してください。")
    assessment = ReadinessAssessment.objects.create(
        participant=participant,
        step=step,
        coach=coach,
        assessed_on=assessed_on or local_today(),
        notes=notes,
    )
    latest = participant.assessments.order_by("-assessed_on", "-created_at", "-pk").first()
    assert latest is not None  # the one just written, at least
    ParticipantProfile.objects.filter(pk=participant.pk).update(readiness=latest.step)
    participant.readiness = latest.step
    return assessment
