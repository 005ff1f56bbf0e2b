"""Staff accounts and coach caseloads, as the secretariat manages them from
/secretariat/people/: partner staff, coaches and secretariat users (never
participants: coaches register those). Staff set their own password through a
one-time link (Django's password-reset tokens); nobody else ever sees it."""

from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from core.errors import Conflict, DomainError, NotAllowed
from people.models import ParticipantProfile, User

STAFF_ROLES = (User.Role.COACH, User.Role.PARTNER_STAFF, User.Role.SECRETARIAT)


def _check_secretariat(by: User) -> None:
    if not by.is_secretariat:
        raise NotAllowed(_("職員のアカウントを管理できるのは事務局だけです。"))


def _check_fields(*, role: str, partner, last_name: str) -> None:
    if role not in STAFF_ROLES:
        raise DomainError(_("役割は就労支援員・協力機関スタッフ・事務局から選んでください。"))
    if role == User.Role.PARTNER_STAFF and partner is None:
        raise DomainError(_("協力機関スタッフには所属する協力機関を選んでください。"))
    if role != User.Role.PARTNER_STAFF and partner is not None:
        raise DomainError(_("協力機関に所属できるのは協力機関スタッフだけです。"))
    if not last_name.strip():
        raise DomainError(_("姓を入れてください。"))


def _full_clean(user: User) -> None:
    """The model's own checks (e.g. the characters a user name may have), as a sentence."""
    try:
        user.full_clean(exclude=["password", "username"] if user.pk else ["password"])
    except ValidationError as error:
        raise DomainError(" ".join(error.messages)) from None


@transaction.atomic
def staff_account_create(
    *,
    by: User,
    username: str,
    last_name: str,
    first_name: str = "",
    email: str = "",
    role: str,
    partner=None,
    language: str = User.Language.JA,
) -> User:
    """A new staff account without a usable password: send the person the
    link from staff_password_link so they choose it themselves."""
    _check_secretariat(by)
    username = username.strip()
    if not username:
        raise DomainError(_("ユーザー名を入れてください。"))
    _check_fields(role=role, partner=partner, last_name=last_name)
    if User.objects.filter(username__iexact=username).exists():
        raise Conflict(_("そのユーザー名はすでに使われています。別の名前にしてください。"))
    user = User(
        username=username,
        last_name=last_name.strip()[:150],
        first_name=first_name.strip()[:150],
        email=email.strip(),
        role=role,
        partner=partner,
        language=language,
    )
    user.set_unusable_password()
    _full_clean(user)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        raise Conflict(
            _("そのユーザー名はすでに使われています。別の名前にしてください。")
        ) from None
    return user


@transaction.atomic
def staff_account_update(
    *,
    by: User,
    user: User,
    last_name: str,
    first_name: str = "",
    email: str = "",
    role: str,
    partner=None,
    language: str = User.Language.JA,
) -> User:
    _check_secretariat(by)
    if user.role not in STAFF_ROLES:
        raise NotAllowed(_("参加者のアカウントはこの画面では変更できません。"))
    _check_fields(role=role, partner=partner, last_name=last_name)
    if user.pk == by.pk and role != User.Role.SECRETARIAT:
        raise Conflict(_("自分自身の役割は変更できません。"))
    if user.role == User.Role.COACH and role != User.Role.COACH and user.caseload.exists():
        raise Conflict(
            _(
                "担当している参加者がいる支援員の役割は変えられません。先に担当を引き継いでください。"
            )
        )
    user.last_name = last_name.strip()[:150]
    user.first_name = first_name.strip()[:150]
    user.email = email.strip()
    user.role = role
    user.partner = partner
    user.language = language
    _full_clean(user)
    user.save()
    return user


def staff_account_set_active(*, by: User, user: User, active: bool) -> User:
    """Deactivate (or reactivate) a staff account; it can no longer log in and
    gets no email. Its history (attendance recorded, approvals) stays."""
    _check_secretariat(by)
    if user.role not in STAFF_ROLES:
        raise NotAllowed(_("参加者のアカウントはこの画面では変更できません。"))
    if user.pk == by.pk and not active:
        raise Conflict(_("自分自身のアカウントは無効にできません。"))
    user.is_active = active
    user.save(update_fields=["is_active"])
    return user


def staff_password_link(*, by: User, user: User) -> str:
    """The path of a one-time link where ``user`` sets a new password (valid
    for PASSWORD_RESET_TIMEOUT; it stops working once used)."""
    _check_secretariat(by)
    if user.role not in STAFF_ROLES or not user.is_active:
        raise NotAllowed(_("有効な職員のアカウントにだけ、パスワード設定のリンクを作れます。"))
    return reverse(
        "password_set",
        args=[
            urlsafe_base64_encode(force_bytes(user.pk)),
            default_token_generator.make_token(user),
        ],
    )


@transaction.atomic
def caseload_reassign(
    *, by: User, participants: list[ParticipantProfile], coach: User | None
) -> list[tuple[ParticipantProfile, User | None]]:
    """Give ``participants`` to ``coach`` (None: nobody for now). Returns each
    participant whose coach changed with their previous coach, for the audit log."""
    _check_secretariat(by)
    if coach is not None and not (coach.is_coach and coach.is_active):
        raise DomainError(_("引き継ぎ先には、有効な就労支援員を選んでください。"))
    changed = []
    locked = ParticipantProfile.objects.select_for_update()
    for participant in locked.filter(pk__in=[p.pk for p in participants]).order_by("code"):
        if participant.coach_id == (coach.pk if coach else None):
            continue
        previous = (
            User.objects.filter(pk=participant.coach_id).first() if participant.coach_id else None
        )
        participant.coach = coach
        participant.save(update_fields=["coach", "updated_at"])
        changed.append((participant, previous))
    return changed
