"""Writes that only coaches (or the secretariat) make from the coach pages."""

import secrets

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.clock import local_today
from core.errors import Conflict, NotAllowed
from people.models import ParticipantProfile, User


def _new_participant_code() -> str:
    prefix = f"P{local_today():%y}"
    for _attempt in range(50):
        code = f"{prefix}{secrets.randbelow(10**4):04d}"
        if (
            not ParticipantProfile.objects.filter(code=code).exists()
            and not User.objects.filter(username=code).exists()
        ):
            return code
    raise Conflict(_("参加者コードを作れませんでした。もう一度お試しください。"))


@transaction.atomic
def participant_account_create(
    *,
    by: User,
    display_name: str,
    name_kana: str = "",
    code: str = "",
    municipality: str = "",
    email: str = "",
) -> ParticipantProfile:
    """Create a participant with a login (no password yet: they sign in first
    with a one-time code). A coach's new participant joins their caseload."""
    if not (by.is_coach or by.is_secretariat):
        raise NotAllowed(_("参加者を登録できるのは支援員と事務局だけです。"))
    code = code.strip() or _new_participant_code()
    if (
        ParticipantProfile.objects.filter(code__iexact=code).exists()
        or User.objects.filter(username__iexact=code).exists()
    ):
        raise Conflict(_("その参加者コードはすでに使われています。"))
    user = User(
        username=code,
        role=User.Role.PARTICIPANT,
        email=email.strip(),
        first_name=display_name[:150],
    )
    user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save()
            participant = ParticipantProfile.objects.create(
                user=user,
                code=code,
                display_name=display_name.strip(),
                name_kana=name_kana.strip(),
                municipality=municipality.strip(),
                coach=by if by.is_coach else None,
            )
    except IntegrityError:
        raise Conflict(_("その参加者コードはすでに使われています。")) from None
    return participant
