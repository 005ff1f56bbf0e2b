from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import (
    ArrayField,
    DateTimeRangeField,
    RangeBoundary,
    RangeOperators,
)
from django.db import models
from django.db.models import F, Func, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.choices import Weekday
from people.readiness import Readiness

LOCATION_VALID = (Q(lat__isnull=True) & Q(lon__isnull=True)) | (
    Q(lat__gte=-90, lat__lte=90) & Q(lon__gte=-180, lon__lte=180)
)


class Partner(models.Model):
    """A partner organisation (協力機関) of the network: a farm, a shop, a temple…"""

    class Category(models.TextChoices):
        MEDICAL_WELFARE = "medical_welfare", _("医療福祉機関")
        COMMERCE = "commerce", _("商工機関")
        EDUCATION = "education", _("教育機関")
        RESTAURANT = "restaurant", _("飲食店")
        PUBLIC = "public", _("公共機関")
        TOURISM = "tourism", _("観光機関")
        TEMPLE_SHRINE = "temple_shrine", _("寺社団体")

    # Offer codes as the spreadsheets spell them, with the field that stores each.
    OFFER_FIELDS = {
        "place": "offers_place",
        "consultation": "offers_consultation",
        "work_acceptance": "offers_work_acceptance",
        "cafeteria": "offers_cafeteria",
        "food_bank": "offers_food_bank",
        "cool_station": "offers_cool_station",
    }

    code = models.CharField(_("機関コード"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    name_kana = models.CharField(_("ふりがな"), max_length=200, blank=True)
    category = models.CharField(_("分類"), max_length=20, choices=Category)
    description = models.TextField(_("紹介"), blank=True)
    municipality = models.CharField(_("市町村"), max_length=50)
    address = models.CharField(_("住所"), max_length=300, blank=True)
    lat = models.FloatField(_("緯度"), null=True, blank=True)
    lon = models.FloatField(_("経度"), null=True, blank=True)
    phone = models.CharField(_("電話番号"), max_length=30, blank=True)
    offers_place = models.BooleanField(_("居場所の提供"), default=True)
    offers_consultation = models.BooleanField(_("お困り事の相談"), default=False)
    offers_work_acceptance = models.BooleanField(_("仕事・ボランティアの受入れ"), default=False)
    offers_cafeteria = models.BooleanField(_("子ども食堂"), default=False)
    offers_food_bank = models.BooleanField(_("フードバンク"), default=False)
    offers_cool_station = models.BooleanField(_("クールステーション（7〜9月）"), default=False)
    open_during_business_hours = models.BooleanField(_("営業時間中いつでも"), default=False)
    opening_notes = models.TextField(_("開所時間の補足"), blank=True)
    is_active = models.BooleanField(_("有効"), default=True)
    notify_staff = models.BooleanField(
        _("申込・キャンセル・繰り上げをスタッフにメールで知らせる"), default=True
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("協力機関")
        verbose_name_plural = _("協力機関")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    category__in=[
                        "medical_welfare",
                        "commerce",
                        "education",
                        "restaurant",
                        "public",
                        "tourism",
                        "temple_shrine",
                    ]
                ),
                name="opportunities_partner_category_valid",
                violation_error_message=_("分類は一覧の中から選んでください。"),
            ),
            models.CheckConstraint(
                condition=LOCATION_VALID,
                name="opportunities_partner_location_valid",
                violation_error_message=_(
                    "緯度と経度は両方そろえて、正しい範囲（緯度−90〜90、経度−180〜180）で入れてください。"
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def offer_codes(self) -> list[str]:
        return [code for code, field in self.OFFER_FIELDS.items() if getattr(self, field)]


class OpeningSlot(models.Model):
    """A weekly opening time of a partner (e.g. every Monday 10:00–14:00)."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="opening_slots")
    weekday = models.PositiveSmallIntegerField(_("曜日"), choices=Weekday)
    start = models.TimeField(_("開始"))
    end = models.TimeField(_("終了"))

    class Meta:
        verbose_name = _("開所時間")
        verbose_name_plural = _("開所時間")
        ordering = ["weekday", "start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weekday__lte=6),
                name="opportunities_openingslot_weekday_valid",
                violation_error_message=_("曜日は月曜日から日曜日の中から選んでください。"),
            ),
            models.CheckConstraint(
                condition=Q(start__lt=F("end")),
                name="opportunities_openingslot_start_before_end",
                violation_error_message=_("終了時刻は開始時刻より後にしてください。"),
            ),
            models.UniqueConstraint(
                fields=["partner", "weekday", "start"],
                name="opportunities_openingslot_no_duplicates",
                violation_error_message=_("同じ曜日・同じ開始時刻の開所時間がすでにあります。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"


class Opportunity(models.Model):
    """A graded opportunity a partner opens: volunteering, supported work,
    intermediate employment (中間的就労) or farm-welfare (農福連携) work.

    ``min_readiness`` is the lowest step on the readiness ladder at which a person
    can take it without a coach's approval; one step below that is a "next step"
    that a coach approves, two or more below is not offered.
    """

    class Kind(models.TextChoices):
        VOLUNTEERING = "volunteering", _("ボランティア")
        SUPPORTED_WORK = "supported_work", _("支援付き就労・就労体験")
        INTERMEDIATE_EMPLOYMENT = "intermediate_employment", _("中間的就労")
        FARM_WELFARE = "farm_welfare", _("農福連携")

    class EmploymentType(models.TextChoices):
        NONE = "", _("（なし）")
        NON_EMPLOYMENT = "non_employment", _("非雇用型")
        EMPLOYMENT = "employment", _("雇用型")

    class Status(models.TextChoices):
        DRAFT = "draft", _("下書き")
        OPEN = "open", _("募集中")
        CLOSED = "closed", _("終了")

    code = models.CharField(_("活動コード"), max_length=20, unique=True)
    partner = models.ForeignKey(
        Partner, verbose_name=_("協力機関"), on_delete=models.PROTECT, related_name="opportunities"
    )
    title = models.CharField(_("タイトル"), max_length=200)
    description = models.TextField(_("内容"), blank=True)
    kind = models.CharField(_("種類"), max_length=30, choices=Kind)
    employment_type = models.CharField(
        _("雇用形態"), max_length=20, choices=EmploymentType, blank=True, default=""
    )
    is_farm_setting = models.BooleanField(_("農作業を含む"), default=False)
    min_readiness = models.PositiveSmallIntegerField(
        _("目安のステップ"), choices=Readiness, default=Readiness.CONNECTING
    )
    skills = ArrayField(
        models.CharField(max_length=50), verbose_name=_("必要なスキル"), default=list, blank=True
    )
    useful_skills = ArrayField(
        models.CharField(max_length=50),
        verbose_name=_("あると良いスキル"),
        default=list,
        blank=True,
    )
    status = models.CharField(_("状態"), max_length=10, choices=Status, default=Status.DRAFT)
    municipality = models.CharField(_("市町村"), max_length=50, blank=True)
    address = models.CharField(_("場所"), max_length=300, blank=True)
    lat = models.FloatField(_("緯度"), null=True, blank=True)
    lon = models.FloatField(_("経度"), null=True, blank=True)
    capacity = models.PositiveSmallIntegerField(_("1回の定員"), default=3)
    what_to_bring = models.TextField(_("持ち物"), blank=True)
    contact_name = models.CharField(_("問い合わせ先"), max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("活動")
        verbose_name_plural = _("活動")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    kind__in=[
                        "volunteering",
                        "supported_work",
                        "intermediate_employment",
                        "farm_welfare",
                    ]
                ),
                name="opportunities_opportunity_kind_valid",
                violation_error_message=_("活動の種類は一覧の中から選んでください。"),
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "open", "closed"]),
                name="opportunities_opportunity_status_valid",
                violation_error_message=_(
                    "状態は「下書き」「募集中」「終了」のどれかを選んでください。"
                ),
            ),
            models.CheckConstraint(
                condition=Q(min_readiness__gte=1, min_readiness__lte=5),
                name="opportunities_opportunity_readiness_on_ladder",
                violation_error_message=_("目安のステップは1から5の間で選んでください。"),
            ),
            models.CheckConstraint(
                condition=Q(capacity__gte=1),
                name="opportunities_opportunity_capacity_positive",
                violation_error_message=_("1回の定員は1人以上にしてください。"),
            ),
            # Only intermediate employment has an employment type, and it must have one.
            models.CheckConstraint(
                condition=(
                    Q(kind="intermediate_employment")
                    & Q(employment_type__in=["non_employment", "employment"])
                )
                | (~Q(kind="intermediate_employment") & Q(employment_type="")),
                name="opportunities_opportunity_employment_type_matches_kind",
                violation_error_message=_(
                    "雇用形態は、種類が「中間的就労」のときだけ選んでください（中間的就労では必ず選びます）。"
                ),
            ),
            models.CheckConstraint(
                condition=LOCATION_VALID,
                name="opportunities_opportunity_location_valid",
                violation_error_message=_(
                    "緯度と経度は両方そろえて、正しい範囲（緯度−90〜90、経度−180〜180）で入れてください。"
                ),
            ),
        ]
        indexes = [models.Index(fields=["status", "kind"], name="opp_status_kind_idx")]

    def __str__(self) -> str:
        return self.title


class Session(models.Model):
    """One occurrence of an opportunity. ``seats_taken`` counts confirmed sign-ups
    and is only changed by the sign-up services with a conditional UPDATE, so the
    check constraint below holds even under concurrent sign-ups."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("予定")
        HELD = "held", _("実施済み")
        CANCELLED = "cancelled", _("中止")

    opportunity = models.ForeignKey(
        Opportunity, verbose_name=_("活動"), on_delete=models.PROTECT, related_name="sessions"
    )
    starts_at = models.DateTimeField(_("開始"))
    ends_at = models.DateTimeField(_("終了"))
    capacity = models.PositiveSmallIntegerField(_("定員"))
    seats_taken = models.PositiveSmallIntegerField(_("確定済みの人数"), default=0)
    instructor_name = models.CharField(_("指導者"), max_length=100, blank=True)
    instructor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("指導スタッフ"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(_("状態"), max_length=10, choices=Status, default=Status.SCHEDULED)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("開催回")
        verbose_name_plural = _("開催回")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_at__lt=F("ends_at")),
                name="opportunities_session_starts_before_ends",
                violation_error_message=_("終了日時は開始日時より後にしてください。"),
            ),
            models.CheckConstraint(
                condition=Q(capacity__gte=1),
                name="opportunities_session_capacity_positive",
                violation_error_message=_("定員は1人以上にしてください。"),
            ),
            models.CheckConstraint(
                condition=Q(seats_taken__lte=F("capacity")),
                name="opportunities_session_not_overbooked",
                violation_error_message=_(
                    "確定済みの人数が定員を超えています。定員を増やすか、申込を調整してください。"
                ),
            ),
            models.CheckConstraint(
                condition=Q(status__in=["scheduled", "held", "cancelled"]),
                name="opportunities_session_status_valid",
                violation_error_message=_(
                    "状態は「予定」「実施済み」「中止」のどれかを選んでください。"
                ),
            ),
            # Spreadsheet imports identify a session by opportunity, date and start.
            models.UniqueConstraint(
                fields=["opportunity", "starts_at"],
                name="opportunities_session_one_per_start",
                violation_error_message=_("この活動には同じ開始日時の回がすでにあります。"),
            ),
        ]
        indexes = [models.Index(fields=["starts_at"], name="session_starts_at_idx")]

    def __str__(self) -> str:
        return f"{self.opportunity.title} {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.seats_taken, 0)

    @property
    def duration_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    @property
    def has_started(self) -> bool:
        """Attendance is taken from the start of a session on."""
        return self.starts_at <= timezone.now()


class TsTzRange(Func):
    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


class Signup(models.Model):
    """A participant's place in a session.

    ``requested`` waits for a coach (a "next step" one readiness step up);
    ``confirmed`` holds a seat; ``waitlisted`` waits for a seat in order of
    ``created_at``; ``cancelled`` is kept for history. At most one sign-up per
    participant and session is not cancelled.
    """

    class Status(models.TextChoices):
        REQUESTED = "requested", _("承認待ち")
        CONFIRMED = "confirmed", _("確定")
        WAITLISTED = "waitlisted", _("キャンセル待ち")
        CANCELLED = "cancelled", _("キャンセル")

    ACTIVE_STATUSES = [Status.REQUESTED, Status.CONFIRMED, Status.WAITLISTED]
    # The sign-ups that hold a person's time: a seat, or a request waiting for a
    # coach. A person holds at most one of these at any moment (see Meta).
    TIME_HOLDING_STATUSES = [Status.REQUESTED, Status.CONFIRMED]

    session = models.ForeignKey(
        Session, verbose_name=_("開催回"), on_delete=models.PROTECT, related_name="signups"
    )
    participant = models.ForeignKey(
        "people.ParticipantProfile",
        verbose_name=_("参加者"),
        on_delete=models.PROTECT,
        related_name="signups",
    )
    status = models.CharField(_("状態"), max_length=12, choices=Status)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申込した人"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("承認した支援員"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("申込日時"), default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    # Copies of the session's time and whether it is cancelled, so that the
    # exclusion constraint below can see them. A database trigger (migration
    # 0005) keeps them equal to the session's on every insert and every session
    # update; save() fills them in for the in-memory instance.
    session_starts_at = models.DateTimeField(_("開始"), editable=False)
    session_ends_at = models.DateTimeField(_("終了"), editable=False)
    session_cancelled = models.BooleanField(_("開催回が中止"), default=False, editable=False)

    class Meta:
        verbose_name = _("申込")
        verbose_name_plural = _("申込")
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["requested", "confirmed", "waitlisted", "cancelled"]),
                name="opportunities_signup_status_valid",
                violation_error_message=_("申込の状態が正しくありません。"),
            ),
            models.UniqueConstraint(
                fields=["session", "participant"],
                condition=~Q(status="cancelled"),
                name="opportunities_signup_one_active_per_person",
                violation_error_message=_("すでにこの回に申し込んでいます。"),
            ),
            # No clashes: one person, at most one seat or request at any moment.
            ExclusionConstraint(
                name="opportunities_signup_no_clash",
                expressions=[
                    ("participant", RangeOperators.EQUAL),
                    (
                        TsTzRange("session_starts_at", "session_ends_at", RangeBoundary()),
                        RangeOperators.OVERLAPS,
                    ),
                ],
                condition=Q(status__in=["requested", "confirmed"], session_cancelled=False),
                violation_error_message=_("同じ時間に別の予定があります。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant} → {self.session} ({self.get_status_display()})"

    def save(self, *args, **kwargs):
        self.copy_session_times()
        super().save(*args, **kwargs)

    def copy_session_times(self) -> None:
        """The trigger is the source of truth; this keeps the instance in step."""
        if self.session_id is not None and (
            self.session_starts_at is None or self.session_ends_at is None
        ):
            session = self.session
            self.session_starts_at = session.starts_at
            self.session_ends_at = session.ends_at
            self.session_cancelled = session.status == Session.Status.CANCELLED

    def clean_fields(self, exclude=None):
        self.copy_session_times()
        super().clean_fields(exclude=exclude)

    def validate_constraints(self, exclude=None):
        # ExclusionConstraint.validate() cannot evaluate its condition when a
        # field the condition reads has already failed validation; that field
        # has its own error, so skip the clash check then.
        if exclude and {"status", "session_cancelled"} & set(exclude):
            exclude = {*exclude, "participant"}
        super().validate_constraints(exclude=exclude)


class NotificationLog(models.Model):
    """One notification that has been sent. ``key`` names the event and the
    recipient (e.g. ``signup:42:confirmed``); its uniqueness is what makes a
    retried task send nothing the second time."""

    kind = models.CharField(_("種類"), max_length=40)
    key = models.CharField(_("キー"), max_length=200, unique=True)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("宛先"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    sent_at = models.DateTimeField(_("送信日時"), default=timezone.now)

    class Meta:
        verbose_name = _("送信済みの通知")
        verbose_name_plural = _("送信済みの通知")
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        return self.key


class CalendarFeed(models.Model):
    """The secret token of a participant's iCal feed. Revoking replaces the token,
    so the old URL stops working."""

    participant = models.OneToOneField(
        "people.ParticipantProfile",
        verbose_name=_("参加者"),
        on_delete=models.CASCADE,
        related_name="calendar_feed",
    )
    token = models.CharField(_("トークン"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("作成日時"), default=timezone.now)

    class Meta:
        verbose_name = _("カレンダー配信")
        verbose_name_plural = _("カレンダー配信")

    def __str__(self) -> str:
        return f"{self.participant_id}"
