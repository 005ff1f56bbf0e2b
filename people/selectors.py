"""Who may see whom. Every page and API endpoint that shows a participant goes
through these, so the privacy rules live in one place:

- a participant sees only themself;
- a coach sees their own caseload in full, and other participants not at all;
- partner staff see only participants signed up for or attending their own
  organisation's sessions, and never the support background;
- the secretariat sees everything.
"""

from django.db.models import Q, QuerySet

from people.models import ParticipantProfile, User


def participant_for_user(*, user: User) -> ParticipantProfile | None:
    if not user.is_authenticated or not user.is_participant:
        return None
    return ParticipantProfile.objects.filter(user=user).first()


def participants_visible_to(*, user: User) -> QuerySet[ParticipantProfile]:
    qs = ParticipantProfile.objects.all()
    if not user.is_authenticated:
        return qs.none()
    if user.is_secretariat:
        return qs
    if user.is_coach:
        return qs.filter(coach=user)
    if user.is_participant:
        return qs.filter(user=user)
    if user.is_partner_staff and user.partner_id:
        return qs.filter(
            Q(signups__session__opportunity__partner_id=user.partner_id)
            | Q(attendance__session__opportunity__partner_id=user.partner_id)
        ).distinct()
    return qs.none()


def can_see_support_notes(*, user: User, participant: ParticipantProfile) -> bool:
    """Support background: the secretariat and the assigned coach only."""
    if not user.is_authenticated:
        return False
    return user.is_secretariat or (user.is_coach and participant.coach_id == user.pk)


def can_manage_participant(*, user: User, participant: ParticipantProfile) -> bool:
    """Place, assess and approve for a participant: their coach or the secretariat."""
    return can_see_support_notes(user=user, participant=participant)
