"""One-time codes for a participant's first login.

A coach creates the participant's account and prints a short code; the
participant types it on /welcome/ and chooses a password. Codes are 8
characters from an alphabet without look-alikes (no 0/O, 1/I/L), so they are
easy to read aloud and type. Only a keyed hash is stored (opportunities.LoginCode),
a code works once, expires after 14 days, and issuing a new one retires the old.
"""

import hashlib
import hmac
import secrets
import unicodedata
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError, NotAllowed
from people.models import LoginCode, ParticipantProfile, User
from people.selectors import can_manage_participant

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
VALID_FOR = timedelta(days=14)


class WeakPassword(DomainError):
    """The code was right but the chosen password breaks a rule of
    AUTH_PASSWORD_VALIDATORS; the message lists each rule, in the user's language."""


def code_normalise(code: str) -> str:
    """Accept what people type: lower case, full-width letters, spaces and hyphens."""
    code = unicodedata.normalize("NFKC", code)
    return "".join(ch for ch in code.upper() if ch.isascii() and ch.isalnum())


def code_hash(code: str) -> str:
    return hmac.new(
        settings.SECRET_KEY.encode(), code_normalise(code).encode(), hashlib.sha256
    ).hexdigest()


def code_format(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


@transaction.atomic
def participant_login_code_issue(*, participant: ParticipantProfile, by: User) -> str:
    """A new one-time code (formatted "ABCD-EFGH") for the participant's first
    login. Show it once; it cannot be read back. Earlier unused codes stop working."""
    if not can_manage_participant(user=by, participant=participant):
        raise NotAllowed(_("この参加者のログインコードは発行できません。"))
    if participant.user_id is None:
        raise DomainError(_("先に参加者のログインアカウントを作ってください。"))
    now = timezone.now()
    LoginCode.objects.filter(participant=participant, used_at__isnull=True).delete()
    code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    LoginCode.objects.create(
        participant=participant,
        code_hash=code_hash(code),
        created_by=by,
        created_at=now,
        expires_at=now + VALID_FOR,
    )
    return code_format(code)


@transaction.atomic
def participant_login_code_redeem(*, code: str, password: str) -> User:
    """Use a code once: set the participant's password and return their account."""
    now = timezone.now()
    login_code = (
        LoginCode.objects.select_for_update(of=("self",))
        .select_related("participant__user")
        .filter(code_hash=code_hash(code))
        .first()
    )
    if login_code is None or login_code.used_at is not None or login_code.expires_at <= now:
        raise DomainError(
            _(
                "コードが正しくないか、有効期限が切れています。支援員に新しいコードをお願いしてください。"
            )
        )
    user = login_code.participant.user
    if user is None or not user.is_active:
        raise DomainError(_("このコードは使えません。支援員にご相談ください。"))
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise WeakPassword(" ".join(error.messages)) from None
    user.set_password(password)
    user.save(update_fields=["password"])
    login_code.used_at = now
    login_code.save(update_fields=["used_at"])
    return user
