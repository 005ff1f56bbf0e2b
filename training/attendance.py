"""Taking attendance for a session, as partner staff do on a phone.

Training days and fees are counted from these rows elsewhere (training app);
this module only writes them, with the same access rule as the roster page:
only the staff of the organisation that runs the session (or the secretariat).
"""

import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import Conflict, DomainError, NotAllowed
from opportunities.models import Session, Signup
from opportunities.selectors import sessions_managed_by
from people.models import ParticipantProfile, Supporter, User
from training.models import Attendance
from training.services import attendance_snapshot, audit_record


def _check_manages(*, session: Session, by: User) -> None:
    if not sessions_managed_by(user=by).filter(pk=session.pk).exists():
        raise NotAllowed(_("この回の出欠を記録する権限がありません。"))


def attendance_check_allowed(*, session: Session) -> None:
    """The rules for any attendance at ``session``, whoever records it (the
    roster page, the API, a spreadsheet import): never for a cancelled session
    and never for a day that has not come yet. Raises Conflict."""
    if session.status == Session.Status.CANCELLED:
        raise Conflict(_("中止になった回の出欠は記録できません。"))
    # Attendance marks a session held and makes it count for fees, so a day
    # that has not come yet cannot have any; later the same day is fine.
    if timezone.localtime(session.starts_at).date() > timezone.localdate():
        raise Conflict(_("まだ来ていない日の出欠は記録できません。"))


def session_mark_held(*, session: Session) -> bool:
    """A scheduled session with attendance has been held (a cancelled one
    stays cancelled); True if it changed."""
    changed = Session.objects.filter(pk=session.pk, status=Session.Status.SCHEDULED).update(
        status=Session.Status.HELD
    )
    if changed:
        session.status = Session.Status.HELD
    return bool(changed)


@transaction.atomic
def attendance_record(
    *,
    session: Session,
    participant: ParticipantProfile | None = None,
    supporter: Supporter | None = None,
    status: str,
    minutes: int | None = None,
    role: str = Attendance.Role.TRAINEE,
    by: User,
    walk_in: bool = False,
) -> Attendance:
    """Record (or correct) one person's attendance at a session.

    Minutes default to the session's length for someone present and to 0
    otherwise. The first record marks the session as held.
    """
    _check_manages(session=session, by=by)
    if (participant is None) == (supporter is None):
        raise DomainError(_("参加者かサポーターのどちらか一人を選んでください。"))
    if status not in Attendance.Status.values:
        raise DomainError(_("出欠の区分が正しくありません。"))
    attendance_check_allowed(session=session)
    if not session.has_started:
        # On the roster and in the API attendance opens when the session starts.
        raise Conflict(
            _("この回はまだ始まっていません。出欠は%(time)sから記録できます。")
            % {"time": f"{timezone.localtime(session.starts_at):%H:%M}"}
        )
    if participant is not None:
        # Partner staff record only the people on their roster, never anyone else.
        on_roster = (
            Signup.objects.filter(session=session, participant=participant)
            .exclude(status=Signup.Status.CANCELLED)
            .exists()
            or Attendance.objects.filter(session=session, participant=participant).exists()
        )
        if not on_roster and not by.is_secretariat and not walk_in:
            raise NotAllowed(_("この回に申し込んでいない参加者です。"))
    if supporter is not None:
        role = Attendance.Role.SUPPORTER
    if minutes is None:
        minutes = session.duration_minutes if status == Attendance.Status.PRESENT else 0
    minutes = max(0, min(int(minutes), 24 * 60))

    lookup = (
        {"session": session, "participant": participant}
        if participant
        else {"session": session, "supporter": supporter}
    )
    # A change to an existing record is a correction: fees may depend on it,
    # so it goes to the audit log with its before and after.
    existing = Attendance.objects.select_for_update().filter(**lookup).first()
    before = attendance_snapshot(existing) if existing else None
    attendance, _created = Attendance.objects.update_or_create(
        **lookup,
        defaults={
            "status": status,
            "minutes": minutes,
            "role": role,
            "recorded_by": by,
            "recorded_at": timezone.now(),
        },
    )
    if before is None:
        # The first record makes the session count for fees: audited too.
        audit_record(
            by=by,
            action="attendance_recorded",
            target=attendance,
            before=None,
            after=attendance_snapshot(attendance),
        )
    elif before != attendance_snapshot(attendance):
        audit_record(
            by=by,
            action="attendance_corrected",
            target=attendance,
            before=before,
            after=attendance_snapshot(attendance),
        )
    session_mark_held(session=session)
    return attendance


def _new_supporter_code() -> str:
    for _attempt in range(20):
        code = f"SP{secrets.randbelow(10**6):06d}"
        if not Supporter.objects.filter(code=code).exists():
            return code
    raise Conflict(_("サポーターコードを作れませんでした。もう一度お試しください。"))


def supporter_find_or_create(*, code: str = "", name: str = "") -> Supporter:
    """An existing supporter by code (or by exact name), otherwise a new one."""
    code, name = code.strip(), name.strip()
    if code:
        found = Supporter.objects.filter(code__iexact=code).first()
        if found:
            return found
    if name:
        found = Supporter.objects.filter(name=name).order_by("pk").first()
        if found:
            return found
    if not name:
        raise DomainError(
            _("サポーターが見つかりません。新しく登録するときは氏名を入れてください。")
        )
    try:
        with transaction.atomic():
            return Supporter.objects.create(code=code or _new_supporter_code(), name=name)
    except IntegrityError:
        raise Conflict(_("そのサポーターコードはすでに使われています。")) from None


def attendance_record_walk_in(
    *, session: Session, participant: ParticipantProfile, by: User, minutes: int | None = None
) -> Attendance:
    """A participant who came without signing up (飛び入り), recorded present.

    Only once the session has started, never for a cancelled one. No sign-up is
    made: a seat is for someone expected, and the person is already there, so
    a walk-in may exceed the capacity. The attendance row is the record; the
    roster shows it as a walk-in. Someone already on the roster is simply
    recorded present."""
    if session.status != Session.Status.CANCELLED and session.starts_at > timezone.now():
        raise Conflict(_("飛び入りの参加は、回が始まってから記録してください。"))
    # A walk-in makes a session payable, so partner staff record one by the end
    # of the day the session ends; a later correction goes through the
    # secretariat (audited as usual).
    if not by.is_secretariat and timezone.localdate(session.ends_at) < timezone.localdate():
        raise Conflict(
            _(
                "飛び入りの参加は開催日のうちに記録してください。あとからの訂正は事務局に連絡してください。"
            )
        )
    return attendance_record(
        session=session,
        participant=participant,
        status=Attendance.Status.PRESENT,
        minutes=minutes,
        by=by,
        walk_in=True,
    )
