from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.choices import Weekday
from people.readiness import Readiness


class User(AbstractUser):
    """Everyone who logs in. Each person has exactly one role."""

    class Role(models.TextChoices):
        PARTICIPANT = "participant", _("参加者")
        COACH = "coach", _("就労支援員")
        PARTNER_STAFF = "partner_staff", _("協力機関スタッフ")
        SECRETARIAT = "secretariat", _("事務局")

    class Language(models.TextChoices):
        JA = "ja", "日本語"
        EN = "en", "English"

    role = models.CharField(_("役割"), max_length=20, choices=Role, default=Role.PARTICIPANT)
    language = models.CharField(_("言語"), max_length=2, choices=Language, default=Language.JA)
    partner = models.ForeignKey(
        "opportunities.Partner",
        verbose_name=_("所属する協力機関"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
    )

    class Meta:
        verbose_name = _("利用者アカウント")
        verbose_name_plural = _("利用者アカウント")
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=["participant", "coach", "partner_staff", "secretariat"]),
                name="people_user_role_valid",
                violation_error_message=_(
                    "役割は「参加者」「支援員」「協力機関スタッフ」「事務局」のどれかを選んでください。"
                ),
            ),
            models.CheckConstraint(
                condition=Q(language__in=["ja", "en"]),
                name="people_user_language_valid",
                violation_error_message=_("言語は日本語か英語を選んでください。"),
            ),
            models.CheckConstraint(
                condition=Q(role="partner_staff") | Q(partner__isnull=True),
                name="people_user_only_staff_belong_to_partner",
                violation_error_message=_("協力機関に所属できるのは協力機関スタッフだけです。"),
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name as shown everywhere: family name first, then the given name
        (「姓 名」), in Japanese and English pages alike; the login name if neither is set."""
        return f"{self.last_name} {self.first_name}".strip() or self.username

    def get_full_name(self) -> str:
        return f"{self.last_name} {self.first_name}".strip()

    @property
    def is_participant(self) -> bool:
        return self.role == self.Role.PARTICIPANT

    @property
    def is_coach(self) -> bool:
        return self.role == self.Role.COACH

    @property
    def is_partner_staff(self) -> bool:
        """Staff of a partner that is still active: deactivating a partner
        closes its staff's pages, rosters and API at once (every check asks this)."""
        if self.role != self.Role.PARTNER_STAFF or self.partner_id is None:
            return False
        partner = self.partner
        return partner is not None and partner.is_active

    @property
    def is_secretariat(self) -> bool:
        return self.role == self.Role.SECRETARIAT


class ParticipantProfile(models.Model):
    """A person the programme supports.

    ``readiness`` is the step of the latest ReadinessAssessment, kept here so that
    ranking can filter in SQL; only ``people.services.readiness_record`` writes it,
    in the same transaction as the assessment. ``support_notes`` is sensitive:
    only the secretariat and the assigned coach may read it.
    """

    user = models.OneToOneField(
        User,
        verbose_name=_("ログインアカウント"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="participant_profile",
    )
    code = models.CharField(_("参加者コード"), max_length=20, unique=True)
    display_name = models.CharField(_("表示名"), max_length=100)
    name_kana = models.CharField(_("ふりがな"), max_length=100, blank=True)
    self_description = models.TextField(_("自己紹介（本人の言葉で）"), blank=True)
    skills = ArrayField(
        models.CharField(max_length=50), verbose_name=_("できること"), default=list, blank=True
    )
    interests = ArrayField(
        models.CharField(max_length=50), verbose_name=_("興味"), default=list, blank=True
    )
    municipality = models.CharField(_("住んでいる市町村"), max_length=50, blank=True)
    lat = models.FloatField(_("緯度"), null=True, blank=True)
    lon = models.FloatField(_("経度"), null=True, blank=True)
    max_travel_km = models.FloatField(_("移動できる距離（km）"), default=10)
    readiness = models.PositiveSmallIntegerField(
        _("現在のステップ"), choices=Readiness, default=Readiness.CONNECTING
    )
    coach = models.ForeignKey(
        User,
        verbose_name=_("担当支援員"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="caseload",
        limit_choices_to={"role": User.Role.COACH},
    )
    consent_given = models.BooleanField(_("データ利用への同意"), default=False)
    consent_given_on = models.DateField(_("同意日"), null=True, blank=True)
    support_notes = models.TextField(_("支援の背景（機微情報）"), blank=True)
    emergency_contact = models.CharField(_("緊急連絡先"), max_length=200, blank=True)
    notify_signup = models.BooleanField(_("申し込みの結果をメールで受け取る"), default=True)
    notify_reminder = models.BooleanField(_("前日のお知らせをメールで受け取る"), default=True)
    notify_changes = models.BooleanField(_("活動の中止や変更をメールで受け取る"), default=True)
    created_at = models.DateTimeField(_("登録日時"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    class Meta:
        verbose_name = _("参加者")
        verbose_name_plural = _("参加者")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(readiness__gte=1, readiness__lte=5),
                name="people_participant_readiness_on_ladder",
                violation_error_message=_("ステップは1から5の間で選んでください。"),
            ),
            models.CheckConstraint(
                condition=Q(consent_given=False) | Q(consent_given_on__isnull=False),
                name="people_participant_consent_has_date",
                violation_error_message=_("同意を記録するときは、同意した日も入れてください。"),
            ),
            models.CheckConstraint(
                condition=(Q(lat__isnull=True) & Q(lon__isnull=True))
                | (Q(lat__gte=-90, lat__lte=90) & Q(lon__gte=-180, lon__lte=180)),
                name="people_participant_location_valid",
                violation_error_message=_(
                    "緯度と経度は両方そろえて、正しい範囲（緯度−90〜90、経度−180〜180）で入れてください。"
                ),
            ),
            models.CheckConstraint(
                condition=Q(max_travel_km__gte=0, max_travel_km__lte=500),
                name="people_participant_travel_sane",
                violation_error_message=_("移動できる距離は0〜500kmの間で入れてください。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.display_name}"


class AvailabilitySlot(models.Model):
    """A weekly time range in which the participant can take part."""

    participant = models.ForeignKey(
        ParticipantProfile, on_delete=models.CASCADE, related_name="availability"
    )
    weekday = models.PositiveSmallIntegerField(_("曜日"), choices=Weekday)
    start = models.TimeField(_("開始"))
    end = models.TimeField(_("終了"))

    class Meta:
        verbose_name = _("参加できる時間帯")
        verbose_name_plural = _("参加できる時間帯")
        ordering = ["weekday", "start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weekday__lte=6),
                name="people_availability_weekday_valid",
                violation_error_message=_("曜日は月曜日から日曜日の中から選んでください。"),
            ),
            models.CheckConstraint(
                condition=Q(start__lt=F("end")),
                name="people_availability_start_before_end",
                violation_error_message=_("終了時刻は開始時刻より後にしてください。"),
            ),
            models.UniqueConstraint(
                fields=["participant", "weekday", "start"],
                name="people_availability_no_duplicates",
                violation_error_message=_("同じ曜日・同じ開始時刻の時間帯がすでにあります。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"


class ProfileChange(models.Model):
    """Who changed which fields of a participant's profile, and when.

    Written only by ``people.services.participant_profile_update``. ``changes``
    maps each changed field to ``[old, new]``; sensitive fields (support
    background, emergency contact) are recorded by name only, never by value.
    """

    participant = models.ForeignKey(
        ParticipantProfile,
        verbose_name=_("参加者"),
        on_delete=models.CASCADE,
        related_name="profile_changes",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("変更した人"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("変更日時"), default=timezone.now)
    fields = ArrayField(models.CharField(max_length=50), verbose_name=_("変更した項目"))
    changes = models.JSONField(_("変更内容"), default=dict)

    class Meta:
        verbose_name = _("プロフィールの変更履歴")
        verbose_name_plural = _("プロフィールの変更履歴")
        ordering = ["-changed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.participant_id} {self.changed_at:%Y-%m-%d %H:%M}"


class CaseNote(models.Model):
    """A coach's case note (ケース記録) about a participant: append-only. A
    correction is a new note; nothing is edited or deleted, so the history is
    the record. Seen by the participant's own coach and the secretariat only
    (people.case_notes), never by partners or the participant herself."""

    participant = models.ForeignKey(
        ParticipantProfile,
        verbose_name=_("参加者"),
        on_delete=models.PROTECT,
        related_name="case_notes",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("書いた人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    written_at = models.DateTimeField(_("記録日時"), default=timezone.now, editable=False)
    body = models.TextField(_("記録"))

    class Meta:
        verbose_name = _("ケース記録")
        verbose_name_plural = _("ケース記録")
        ordering = ["-written_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(body=""),
                name="people_casenote_has_body",
                violation_error_message=_("記録の内容を書いてください。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant_id} {self.written_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("Case notes are append-only; write a new note instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Case notes are append-only and are never deleted.")


class ReadinessAssessment(models.Model):
    """One coach's judgement of a participant's step on a given day. History is kept."""

    participant = models.ForeignKey(
        ParticipantProfile, on_delete=models.CASCADE, related_name="assessments"
    )
    step = models.PositiveSmallIntegerField(_("ステップ"), choices=Readiness)
    coach = models.ForeignKey(
        User,
        verbose_name=_("評価した支援員"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assessments_made",
    )
    assessed_on = models.DateField(_("評価日"))
    notes = models.TextField(_("所見"), blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("準備度の評価")
        verbose_name_plural = _("準備度の評価")
        ordering = ["-assessed_on", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(step__gte=1, step__lte=5),
                name="people_assessment_step_on_ladder",
                violation_error_message=_("ステップは1から5の間で選んでください。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant.code} {self.assessed_on} → {self.step}"


class Supporter(models.Model):
    """A volunteer supporter who is not a participant (they may be paid per hour)."""

    code = models.CharField(_("サポーターコード"), max_length=20, unique=True)
    name = models.CharField(_("氏名"), max_length=100)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("サポーター")
        verbose_name_plural = _("サポーター")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class LoginCode(models.Model):
    """A one-time code a coach prints for a participant's first login.

    Only a keyed hash of the code is stored; the code itself is shown once.
    A code is used at most once and expires after ``expires_at``.
    """

    participant = models.ForeignKey(
        ParticipantProfile,
        verbose_name=_("参加者"),
        on_delete=models.CASCADE,
        related_name="login_codes",
    )
    code_hash = models.CharField(_("コードのハッシュ"), max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("発行した人"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("発行日時"), default=timezone.now)
    expires_at = models.DateTimeField(_("有効期限"))
    used_at = models.DateTimeField(_("使用日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("初回ログインコード")
        verbose_name_plural = _("初回ログインコード")
        constraints = [
            models.CheckConstraint(
                condition=Q(created_at__lt=F("expires_at")),
                name="people_logincode_expires_after_created",
                violation_error_message=_(
                    "ログインコードの有効期限は作成日時より後にしてください。"
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant_id} {self.created_at:%Y-%m-%d}"
