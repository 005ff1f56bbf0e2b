from collections.abc import Iterable
from datetime import date, time
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from core.choices import Weekday
from core.clock import local_today
from core.errors import DomainError, NotAllowed
from people import skills
from people.models import (
    AvailabilitySlot,
    ParticipantProfile,
    ProfileChange,
    ReadinessAssessment,
    User,
)
from people.selectors import can_manage_participant


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


# ---------------------------------------------------------------------------
# Profile edits: the participant on /my/profile/, a coach on the coach pages.
# ---------------------------------------------------------------------------

# What a participant may change about herself.
SELF_EDITABLE_FIELDS = frozenset(
    {
        "self_description",
        "skills",
        "interests",
        "availability",
        "max_travel_km",
        "language",
        "email",
        "notify_signup",
        "notify_reminder",
        "notify_changes",
    }
)
# What her coach (or the secretariat) may change besides.
COACH_EDITABLE_FIELDS = SELF_EDITABLE_FIELDS | {
    "display_name",
    "name_kana",
    "municipality",
    "emergency_contact",
    "support_notes",
}
# Recorded in the history by name only, never by value.
SENSITIVE_FIELDS = frozenset({"support_notes", "emergency_contact"})
USER_FIELDS = frozenset({"email", "language"})
TERM_FIELDS = frozenset({"skills", "interests"})
MAX_TERMS = 30


def _slot_text(weekday: int, start: time, end: time) -> str:
    return f"{Weekday(weekday).label} {start:%H:%M}–{end:%H:%M}"


def availability_errors(slots: Iterable[tuple[int, time, time]]) -> list[str]:
    """Sentences naming what is wrong with weekly slots ``(weekday, start, end)``:
    a start not before its end, or two slots of one day that overlap."""
    errors: list[str] = []
    valid: list[tuple[int, time, time]] = []
    for weekday, start, end in slots:
        if weekday not in Weekday.values:
            errors.append(_("曜日を選んでください。"))
        elif start >= end:
            errors.append(
                _("%(slot)s: 終わりの時刻は始まりの時刻より後にしてください。")
                % {"slot": _slot_text(weekday, start, end)}
            )
        else:
            valid.append((weekday, start, end))
    valid.sort()
    for (day_a, start_a, end_a), (day_b, start_b, end_b) in zip(valid, valid[1:], strict=False):
        if day_a == day_b and start_b < end_a:
            errors.append(
                _("%(first)s と %(second)s の時間が重なっています。一つにまとめてください。")
                % {
                    "first": _slot_text(day_a, start_a, end_a),
                    "second": _slot_text(day_b, start_b, end_b),
                }
            )
    return errors


def _clean_changes(changes: dict) -> dict:
    """Check and normalise every value; raise DomainError with all problems."""
    cleaned: dict = {}
    problems: list[str] = []
    for name, value in changes.items():
        if name in TERM_FIELDS:
            terms = skills.canonical_terms(str(t) for t in value or [])
            if any(len(t) > 50 for t in terms):
                problems.append(_("ひとつの言葉は50文字までにしてください。"))
            elif len(terms) > MAX_TERMS:
                problems.append(_("選べるのは30個までです。"))
            cleaned[name] = terms
        elif name == "availability":
            slots = [(int(d), s, e) for d, s, e in value or []]
            problems.extend(availability_errors(slots))
            cleaned[name] = sorted(slots)
        elif name == "max_travel_km":
            try:
                km = Decimal(str(value)).quantize(Decimal("0.1"))
            except (InvalidOperation, ValueError):
                problems.append(_("移動できる距離は数字で入力してください。"))
                continue
            if not Decimal(0) <= km <= Decimal(500):
                problems.append(_("移動できる距離は0〜500kmの間で入力してください。"))
            cleaned[name] = float(km)
        elif name == "email":
            email = (value or "").strip()
            if email:
                try:
                    validate_email(email)
                except ValidationError:
                    problems.append(_("メールアドレスの形が正しくありません。"))
            cleaned[name] = email
        elif name == "language":
            if value not in User.Language.values:
                problems.append(_("言語は日本語か英語を選んでください。"))
            cleaned[name] = value
        elif name in {"notify_signup", "notify_reminder", "notify_changes"}:
            cleaned[name] = bool(value)
        elif name == "display_name":
            cleaned[name] = (value or "").strip()
            if not cleaned[name]:
                problems.append(_("表示名を入力してください。"))
        else:
            cleaned[name] = (value or "").strip() if isinstance(value, str) else value
    if problems:
        raise DomainError(" ".join(dict.fromkeys(problems)))
    return cleaned


def _history_value(name: str, value):
    if isinstance(value, list) and name == "availability":
        return [_slot_text(d, s, e) for d, s, e in value]
    return value


@transaction.atomic
def participant_profile_update(
    *, participant: ParticipantProfile, actor: User, changes: dict
) -> ParticipantProfile:
    """Change a participant's profile, account settings (email, language) and
    weekly availability in one transaction, and record who changed what.

    ``changes`` maps field names to new values; ``availability`` is the whole
    new list of ``(weekday, start, end)``. The participant may change her own
    SELF_EDITABLE_FIELDS; her coach and the secretariat may also change
    COACH_EDITABLE_FIELDS. Bad input raises DomainError and changes nothing.
    Saving enqueues re-embedding (matching's post_save receiver) when the text
    changed.
    """
    if actor.is_participant and participant.user_id == actor.pk:
        allowed = SELF_EDITABLE_FIELDS
    elif can_manage_participant(user=actor, participant=participant):
        allowed = COACH_EDITABLE_FIELDS
    else:
        raise NotAllowed(_("このプロフィールを変更することはできません。"))
    unknown = set(changes) - allowed
    if unknown:
        raise NotAllowed(_("変更できない項目が含まれています。"))
    if USER_FIELDS & set(changes) and participant.user is None:
        raise DomainError(_("ログインアカウントがないため、メールアドレスと言語は変更できません。"))
    cleaned = _clean_changes(changes)

    participant = ParticipantProfile.objects.select_for_update().get(pk=participant.pk)
    user = participant.user
    history: dict[str, list] = {}

    def note(name: str, old, new) -> None:
        if old != new:
            history[name] = (
                [None, None]
                if name in SENSITIVE_FIELDS
                else [_history_value(name, old), _history_value(name, new)]
            )

    profile_fields: list[str] = []
    for name, new in cleaned.items():
        if name in USER_FIELDS or name == "availability":
            continue
        old = getattr(participant, name)
        if old != new:
            note(name, old, new)
            setattr(participant, name, new)
            profile_fields.append(name)

    user_fields: list[str] = []
    if user is not None:
        for name in USER_FIELDS & set(cleaned):
            old = getattr(user, name)
            if old != cleaned[name]:
                note(name, old, cleaned[name])
                setattr(user, name, cleaned[name])
                user_fields.append(name)

    if "availability" in cleaned:
        old_slots = [
            (s.weekday, s.start, s.end)
            for s in participant.availability.order_by("weekday", "start")
        ]
        if old_slots != cleaned["availability"]:
            note("availability", old_slots, cleaned["availability"])
            participant.availability.all().delete()
            AvailabilitySlot.objects.bulk_create(
                [
                    AvailabilitySlot(participant=participant, weekday=d, start=s, end=e)
                    for d, s, e in cleaned["availability"]
                ]
            )

    if not history:
        return participant
    if user_fields:
        assert user is not None
        user.save(update_fields=user_fields)
    # Always saved when anything changed (availability too), so updated_at moves
    # and matching's receiver sees the save; it re-embeds only if the text changed.
    participant.save(update_fields=[*profile_fields, "updated_at"])
    ProfileChange.objects.create(
        participant=participant,
        actor=actor,
        fields=sorted(history),
        changes=history,
    )
    return participant
