"""Case notes (ケース記録): a coach's running record about a participant.

Append-only: ``case_note_add`` is the only write, and a correction is a new
note. Only the participant's own coach and the secretariat write or read them
(people.selectors.can_see_support_notes); partners and the participant never do.
"""

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from core.errors import DomainError, NotAllowed
from people.models import CaseNote, ParticipantProfile, User
from people.selectors import can_see_support_notes

MAX_LENGTH = 5000


def case_note_add(*, participant: ParticipantProfile, author: User, body: str) -> CaseNote:
    if not can_see_support_notes(user=author, participant=participant):
        raise NotAllowed(_("この参加者のケース記録を書くことはできません。"))
    body = (body or "").strip()
    if not body:
        raise DomainError(_("記録の内容を書いてください。"))
    if len(body) > MAX_LENGTH:
        raise DomainError(_("ケース記録は5000文字までにしてください。"))
    return CaseNote.objects.create(participant=participant, author=author, body=body)


def case_notes_for(*, user: User, participant: ParticipantProfile) -> QuerySet[CaseNote]:
    """The participant's notes, newest first; none for anyone else."""
    if not can_see_support_notes(user=user, participant=participant):
        return CaseNote.objects.none()
    return CaseNote.objects.filter(participant=participant).select_related("author")
