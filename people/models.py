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
            ),
            models.CheckConstraint(
                condition=Q(language__in=["ja", "en"]), name="people_user_language_valid"
            ),
            models.CheckConstraint(
                condition=Q(role="partner_staff") | Q(partner__isnull=True),
                name="people_user_only_staff_belong_to_partner",
            ),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def is_participant(self) -> bool:
        return self.role == self.Role.PARTICIPANT

    @property
    def is_coach(self) -> bool:
        return self.role == self.Role.COACH

    @property
    def is_partner_staff(self) -> bool:
        return self.role == self.Role.PARTNER_STAFF

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
    max_travel_km = models.PositiveSmallIntegerField(_("移動できる距離（km）"), default=10)
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
            ),
            models.CheckConstraint(
                condition=Q(consent_given=False) | Q(consent_given_on__isnull=False),
                name="people_participant_consent_has_date",
            ),
            models.CheckConstraint(
                condition=(Q(lat__isnull=True) & Q(lon__isnull=True))
                | (Q(lat__gte=-90, lat__lte=90) & Q(lon__gte=-180, lon__lte=180)),
                name="people_participant_location_valid",
            ),
            models.CheckConstraint(
                condition=Q(max_travel_km__lte=500), name="people_participant_travel_sane"
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
                condition=Q(weekday__lte=6), name="people_availability_weekday_valid"
            ),
            models.CheckConstraint(
                condition=Q(start__lt=F("end")), name="people_availability_start_before_end"
            ),
            models.UniqueConstraint(
                fields=["participant", "weekday", "start"], name="people_availability_no_duplicates"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"


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
                condition=Q(step__gte=1, step__lte=5), name="people_assessment_step_on_ladder"
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
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant_id} {self.created_at:%Y-%m-%d}"
