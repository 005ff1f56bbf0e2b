from django.apps import apps
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.clock import fiscal_year_of, local_today
from core.money import format_yen
from opportunities.models import Opportunity
from training.engine import Terms


class Attendance(models.Model):
    """Who was at a session: a participant as trainee (or supporter), or a
    registered supporter. Training days and fees are counted from these rows."""

    class Status(models.TextChoices):
        PRESENT = "present", _("出席")
        ABSENT = "absent", _("欠席")
        EXCUSED = "excused", _("連絡あり欠席")

    class Role(models.TextChoices):
        TRAINEE = "trainee", _("訓練生")
        SUPPORTER = "supporter", _("サポーター")

    session = models.ForeignKey(
        "opportunities.Session",
        verbose_name=_("開催回"),
        on_delete=models.PROTECT,
        related_name="attendance",
    )
    participant = models.ForeignKey(
        "people.ParticipantProfile",
        verbose_name=_("参加者"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attendance",
    )
    supporter = models.ForeignKey(
        "people.Supporter",
        verbose_name=_("サポーター"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attendance",
    )
    role = models.CharField(_("役割"), max_length=10, choices=Role, default=Role.TRAINEE)
    status = models.CharField(_("出欠"), max_length=10, choices=Status)
    minutes = models.PositiveSmallIntegerField(_("参加時間（分）"), default=0)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("記録者"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("記録日時"), default=timezone.now)

    class Meta:
        verbose_name = _("出欠")
        verbose_name_plural = _("出欠")
        ordering = ["session__starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["present", "absent", "excused"]),
                name="training_attendance_status_valid",
                violation_error_message=_(
                    "出欠は「出席」「欠席」「連絡あり欠席」のどれかを選んでください。"
                ),
            ),
            models.CheckConstraint(
                condition=Q(role__in=["trainee", "supporter"]),
                name="training_attendance_role_valid",
                violation_error_message=_("役割は「訓練生」か「支援者」を選んでください。"),
            ),
            # Exactly one person: a participant or a supporter record.
            models.CheckConstraint(
                condition=(Q(participant__isnull=False) & Q(supporter__isnull=True))
                | (Q(participant__isnull=True) & Q(supporter__isnull=False)),
                name="training_attendance_exactly_one_person",
                violation_error_message=_(
                    "出欠は参加者か支援者のどちらか一人について記録してください。"
                ),
            ),
            models.CheckConstraint(
                condition=Q(supporter__isnull=True) | Q(role="supporter"),
                name="training_attendance_supporter_role",
                violation_error_message=_("支援者の出欠は役割を「支援者」にしてください。"),
            ),
            models.CheckConstraint(
                condition=Q(minutes__lte=24 * 60),
                name="training_attendance_minutes_sane",
                violation_error_message=_("時間は1日（1440分）以内で入れてください。"),
            ),
            models.UniqueConstraint(
                fields=["session", "participant"],
                condition=Q(participant__isnull=False),
                name="training_attendance_one_per_participant",
                violation_error_message=_("この回のこの参加者の出欠はすでに記録されています。"),
            ),
            models.UniqueConstraint(
                fields=["session", "supporter"],
                condition=Q(supporter__isnull=False),
                name="training_attendance_one_per_supporter",
                violation_error_message=_("この回のこの支援者の出欠はすでに記録されています。"),
            ),
        ]

    def __str__(self) -> str:
        who = self.participant or self.supporter
        return f"{who} @ {self.session} ({self.get_status_display()})"


def _fiscal_year_default() -> int:
    return fiscal_year_of(local_today())


class FeeRule(models.Model):
    """How the secretariat pays for work training: the instruction fee (指導料)
    to the partner that hosted the sessions, or the supporter fee per hour.

    ``budget_yen`` is for the fiscal year ``fiscal_year`` (April–March); the
    monthly runs of the rule spend it in date order. ``kinds`` lists the
    opportunity kinds the rule covers; empty covers all.
    """

    class Payee(models.TextChoices):
        PARTNER = "partner", _("協力機関")
        SUPPORTER = "supporter", _("サポーター")

    class Basis(models.TextChoices):
        SESSION = "session", _("1回あたり")
        DAY = "day", _("1日あたり")
        MONTH = "month", _("1か月あたり")
        HOUR = "hour", _("1時間あたり")

    code = models.CharField(_("ルールコード"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    payee = models.CharField(_("支払先"), max_length=10, choices=Payee)
    basis = models.CharField(_("単位"), max_length=10, choices=Basis)
    rate_yen = models.PositiveIntegerField(_("単価（円）"))
    monthly_cap_yen = models.PositiveIntegerField(_("月額上限（円）"), null=True, blank=True)
    budget_yen = models.BigIntegerField(_("年度予算（円）"), null=True, blank=True)
    fiscal_year = models.PositiveSmallIntegerField(_("年度"), default=_fiscal_year_default)
    kinds = ArrayField(
        models.CharField(max_length=30), verbose_name=_("対象の活動種類"), default=list, blank=True
    )
    valid_from = models.DateField(_("適用開始日"))
    valid_to = models.DateField(_("適用終了日"))
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("謝金ルール")
        verbose_name_plural = _("謝金ルール")
        ordering = ["fiscal_year", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(payee__in=["partner", "supporter"]),
                name="training_feerule_payee_valid",
                violation_error_message=_("支払先は「協力機関」か「支援者」を選んでください。"),
            ),
            models.CheckConstraint(
                condition=Q(basis__in=["session", "day", "month", "hour"]),
                name="training_feerule_basis_valid",
                violation_error_message=_("計算単位は一覧の中から選んでください。"),
            ),
            # Partners are paid per session, day or month; supporters per hour.
            models.CheckConstraint(
                condition=(Q(payee="partner") & Q(basis__in=["session", "day", "month"]))
                | (Q(payee="supporter") & Q(basis="hour")),
                name="training_feerule_basis_fits_payee",
                violation_error_message=_(
                    "協力機関には回・日・月単位、支援者には時間単位の料金を設定してください。"
                ),
            ),
            models.CheckConstraint(
                condition=Q(budget_yen__isnull=True) | Q(budget_yen__gte=0),
                name="training_feerule_budget_not_negative",
                violation_error_message=_("予算は0円以上で入れてください。"),
            ),
            models.CheckConstraint(
                condition=Q(valid_from__lte=F("valid_to")),
                name="training_feerule_valid_from_before_to",
                violation_error_message=_("適用終了日は適用開始日以降にしてください。"),
            ),
            models.CheckConstraint(
                condition=Q(fiscal_year__gte=2000, fiscal_year__lte=2100),
                name="training_feerule_fiscal_year_sane",
                violation_error_message=_("年度は2000〜2100の間で入れてください。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def kind_labels(self) -> list[str]:
        labels = dict(Opportunity.Kind.choices)
        return [str(labels.get(k, k)) for k in self.kinds]

    @property
    def terms(self):
        return Terms(basis=self.basis, rate_yen=self.rate_yen, monthly_cap_yen=self.monthly_cap_yen)


class PayoutRun(models.Model):
    """One rule's payout for one local month: draft → approved → paid.

    A draft is recomputed from attendance as often as needed; once approved
    its lines never change. Corrections to an approved month are carried by
    adjustment lines in a later draft of the same rule.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("下書き")
        APPROVED = "approved", _("承認済み")
        PAID = "paid", _("支払済み")

    rule = models.ForeignKey(
        FeeRule, verbose_name=_("謝金ルール"), on_delete=models.PROTECT, related_name="runs"
    )
    month = models.DateField(_("対象月"))  # always the 1st of the local month
    status = models.CharField(_("状態"), max_length=10, choices=Status, default=Status.DRAFT)
    total_yen = models.BigIntegerField(_("支払額合計"), default=0)
    computed_at = models.DateTimeField(_("計算日時"), default=timezone.now)
    approved_at = models.DateTimeField(_("承認日時"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("承認者"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    paid_at = models.DateTimeField(_("支払日時"), null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("支払処理者"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("月次支払")
        verbose_name_plural = _("月次支払")
        ordering = ["-month", "rule__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "month"],
                name="training_payoutrun_one_per_rule_month",
                violation_error_message=_("この料金ルールのこの月の支払計算はすでにあります。"),
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "approved", "paid"]),
                name="training_payoutrun_status_valid",
                violation_error_message=_("支払計算の状態が正しくありません。"),
            ),
            models.CheckConstraint(
                condition=Q(month__day=1),
                name="training_payoutrun_month_is_first_day",
                violation_error_message=_("対象月は月の1日で入れてください。"),
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(approved_at__isnull=False),
                name="training_payoutrun_approved_has_time",
                violation_error_message=_("承認済みの支払計算には承認日時が必要です。"),
            ),
            models.CheckConstraint(
                condition=~Q(status="paid") | Q(paid_at__isnull=False),
                name="training_payoutrun_paid_has_time",
                violation_error_message=_("支払済みにするには支払日時が必要です。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule.code} {self.month:%Y-%m} ({self.get_status_display()})"

    @property
    def is_frozen(self) -> bool:
        return self.status != self.Status.DRAFT


class PayoutLine(models.Model):
    """One payee's money in a run: a regular line for the run's month, or an
    adjustment for an earlier approved month (``adjusts_month``), which may be
    negative. ``amount_yen`` is what is paid after the monthly cap and the
    fiscal-year budget; ``session_ids`` keeps the qualifying sessions behind
    the line, so an approved statement still shows what it paid for."""

    class Kind(models.TextChoices):
        REGULAR = "regular", _("通常")
        ADJUSTMENT = "adjustment", _("過月分の調整")
        MANUAL = "manual", _("手動調整")

    run = models.ForeignKey(PayoutRun, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(_("順番"))
    kind = models.CharField(_("種別"), max_length=12, choices=Kind, default=Kind.REGULAR)
    adjusts_month = models.DateField(_("調整対象月"), null=True, blank=True)
    partner = models.ForeignKey(
        "opportunities.Partner", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    supporter = models.ForeignKey(
        "people.Supporter", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    participant = models.ForeignKey(
        "people.ParticipantProfile",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    payee_code = models.CharField(_("支払先コード"), max_length=40)
    payee_name = models.CharField(_("支払先"), max_length=200)
    units = models.PositiveIntegerField(
        _("数量"), default=0
    )  # sessions, days, months, or quarter hours
    gross_yen = models.BigIntegerField(_("単価×数量"))
    capped_yen = models.BigIntegerField(_("上限適用後"))
    amount_yen = models.BigIntegerField(_("支払額"))
    cut_by_cap = models.BooleanField(_("月額上限で減額"), default=False)
    cut_by_budget = models.BooleanField(_("予算超過で減額"), default=False)
    first_session_at = models.DateTimeField(_("最初の対象開催"), null=True, blank=True)
    session_ids = ArrayField(
        models.BigIntegerField(), verbose_name=_("対象の開催回"), default=list, blank=True
    )
    reason = models.CharField(_("調整の理由"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("支払明細行")
        verbose_name_plural = _("支払明細行")
        ordering = ["run", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "position"],
                name="training_payoutline_position_unique",
                violation_error_message=_("明細の順番が重なっています。"),
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["regular", "adjustment", "manual"]),
                name="training_payoutline_kind_valid",
                violation_error_message=_("明細の種類が正しくありません。"),
            ),
            models.CheckConstraint(
                condition=(Q(kind="regular") & Q(adjusts_month__isnull=True) & Q(amount_yen__gte=0))
                | (Q(kind="adjustment") & Q(adjusts_month__isnull=False))
                | (Q(kind="manual") & Q(adjusts_month__isnull=True) & ~Q(reason="")),
                name="training_payoutline_adjustment_has_month",
                violation_error_message=_(
                    "明細の内容が種類と合っていません（調整には対象月、手動の明細には理由が必要です）。"
                ),
            ),
            models.CheckConstraint(
                condition=(
                    Q(partner__isnull=False)
                    & Q(supporter__isnull=True)
                    & Q(participant__isnull=True)
                )
                | (
                    Q(partner__isnull=True)
                    & Q(supporter__isnull=False)
                    & Q(participant__isnull=True)
                )
                | (
                    Q(partner__isnull=True)
                    & Q(supporter__isnull=True)
                    & Q(participant__isnull=False)
                ),
                name="training_payoutline_exactly_one_payee",
                violation_error_message=_("明細の支払先は一つだけにしてください。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.payee_code} {self.amount_yen}"

    @property
    def hours(self) -> str:
        """Quarter hours shown as hours (2.25)."""
        return f"{self.units / 4:g}"


class ManualAdjustment(models.Model):
    """An amount the secretariat adds to or takes from a payee in a draft run,
    with the reason that goes on the statement. Kept apart from the lines,
    which are rebuilt on every recomputation; approving the run freezes it."""

    run = models.ForeignKey(PayoutRun, on_delete=models.CASCADE, related_name="manual_adjustments")
    partner = models.ForeignKey(
        "opportunities.Partner", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    supporter = models.ForeignKey(
        "people.Supporter", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    amount_yen = models.BigIntegerField(_("調整額（円）"))
    reason = models.CharField(_("理由"), max_length=500)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登録者"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("登録日時"), default=timezone.now)

    class Meta:
        verbose_name = _("手動調整")
        verbose_name_plural = _("手動調整")
        ordering = ["run", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(amount_yen=0)
                & Q(amount_yen__gte=-10_000_000)
                & Q(amount_yen__lte=10_000_000),
                name="training_manualadjustment_amount_sane",
                violation_error_message=_("調整額は0円以外で、±1,000万円以内にしてください。"),
            ),
            models.CheckConstraint(
                condition=~Q(reason=""),
                name="training_manualadjustment_has_reason",
                violation_error_message=_("調整の理由を書いてください。"),
            ),
            models.CheckConstraint(
                condition=Q(partner__isnull=False, supporter__isnull=True)
                | Q(partner__isnull=True, supporter__isnull=False),
                name="training_manualadjustment_one_payee",
                violation_error_message=_(
                    "調整の相手は協力機関か支援者のどちらか一つにしてください。"
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.run} {self.amount_yen} {self.reason}"

    @property
    def payee(self):
        return self.partner or self.supporter


def _audit_text(key: str, value, labels: dict | None = None) -> str:
    if value is None:
        return "—"
    if labels and not isinstance(value, list) and value in labels:
        return str(labels[value])
    if key == "lines" and isinstance(value, list):
        return str(_("%(n)s行") % {"n": len(value)})
    if isinstance(value, bool):
        return str(_("はい") if value else _("いいえ"))
    if isinstance(value, int) and key.endswith("_yen"):
        return format_yen(value)
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return str(value)


class AuditEntry(models.Model):
    """Append-only record of every state change and correction that touches
    money: who, when, before and after."""

    ACTION_LABELS = {
        "payout_run_created": _("支払の下書きを作成"),
        "payout_run_recomputed": _("支払の下書きを再計算"),
        "payout_run_approved": _("支払を承認"),
        "payout_run_paid": _("支払済みにした"),
        "payout_adjustment_added": _("支払に手動調整を追加"),
        "payout_adjustment_removed": _("支払の手動調整を取り消し"),
        "attendance_recorded": _("出欠を記録"),
        "attendance_corrected": _("出欠を訂正"),
        "session_corrected": _("開催回を訂正"),
        "fee_rule_created": _("謝金ルールを作成"),
        "fee_rule_changed": _("謝金ルールを変更"),
        "target_changed": _("目標を変更"),
        "activity_record_created": _("活動実績を登録"),
        "activity_record_changed": _("活動実績を変更"),
        "activity_record_deleted": _("活動実績を削除"),
        "caseload_reassigned": _("担当支援員を変更"),
        "staff_account_created": _("職員のアカウントを作成"),
        "staff_account_changed": _("職員のアカウントを変更"),
        "staff_account_activated": _("職員のアカウントを有効に戻した"),
        "staff_account_deactivated": _("職員のアカウントを無効にした"),
        "staff_password_link_issued": _("パスワード設定のリンクを発行"),
    }

    at = models.DateTimeField(_("日時"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作者"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_label = models.CharField(_("操作者（表示）"), max_length=150)
    action = models.CharField(_("操作"), max_length=40)
    target_type = models.CharField(_("対象"), max_length=40)
    target_id = models.CharField(_("対象ID"), max_length=40)
    before = models.JSONField(_("変更前"), null=True, blank=True)
    after = models.JSONField(_("変更後"), null=True, blank=True)

    class Meta:
        verbose_name = _("監査ログ")
        verbose_name_plural = _("監査ログ")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["target_type", "target_id"], name="training_audit_target_idx")
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.target_type}#{self.target_id}"

    @property
    def action_label(self) -> str:
        return str(self.ACTION_LABELS.get(self.action, self.action))

    FIELD_LABELS = {
        "status": _("状態"),
        "total_yen": _("支払額合計"),
        "lines": _("明細行"),
        "minutes": _("時間（分）"),
        "role": _("役割"),
        "target": _("目標値"),
        "amount_yen": _("金額"),
        "reason": _("理由"),
        "name": _("名称"),
        "payee": _("支払先"),
        "basis": _("単位"),
        "rate_yen": _("単価（円）"),
        "monthly_cap_yen": _("月額上限（円）"),
        "budget_yen": _("年度予算（円）"),
        "fiscal_year": _("年度"),
        "kinds": _("対象の活動種類"),
        "valid_from": _("適用開始日"),
        "valid_to": _("適用終了日"),
        "starts_at": _("開始"),
        "ends_at": _("終了"),
        "partner": _("協力機関"),
        "coach": _("担当支援員"),
        "activity": pgettext_lazy("ledger", "活動"),
        "held_on": _("実施日"),
        "counterpart_type": _("寄付元・配布先の種類"),
        "count": _("回数・件数"),
        "persons": _("人数"),
        "weight_kg": _("重さ（kg）"),
        "note": _("メモ"),
    }

    @property
    def target_label(self) -> str:
        try:
            model = apps.get_model(self.target_type)
        except (LookupError, ValueError):
            return f"{self.target_type}#{self.target_id}"
        return f"{model._meta.verbose_name} #{self.target_id}"

    def changes(self) -> list[tuple[str, str, str]]:
        """(field, before, after) for each value that changed, in words a
        person reads: a created record shows its values, "—" where none."""
        before, after = self.before or {}, self.after or {}
        rows = []
        choices = self._choice_labels()
        for key in dict.fromkeys([*before, *after]):
            old, new = before.get(key), after.get(key)
            if old == new and self.before is not None:
                continue
            label = str(self.FIELD_LABELS.get(key, key))
            named = choices.get(key, {})
            rows.append((label, _audit_text(key, old, named), _audit_text(key, new, named)))
        return rows

    def _choice_labels(self) -> dict[str, dict]:
        """The target model's choices by field name, so "draft" reads 下書き."""
        try:
            model = apps.get_model(self.target_type)
        except (LookupError, ValueError):
            return {}
        return {
            field.name: dict(field.flatchoices)
            for field in model._meta.fields
            if getattr(field, "choices", None)
        }


class ProgrammeTarget(models.Model):
    """A fiscal year's target in the units of the plan (domain.md §1a)."""

    class Metric(models.TextChoices):
        PLACES_SITES = "places_sites", _("居場所（ホッとステーション）箇所数")
        PLACES_PERSONS = "places_persons", _("居場所 延べ人数")
        UE_DAYS = "ue_days", _("ユニバーサル就労 稼働日数")
        UE_PERSON_DAYS = "ue_person_days", _("ユニバーサル就労 延べ人数")
        CAFETERIA_SESSIONS = "cafeteria_sessions", _("子ども食堂 開催回数")
        CAFETERIA_PERSONS = "cafeteria_persons", _("子ども食堂 延べ人数")
        FOOD_BANK_DAYS = "food_bank_days", _("フードバンク 活動日数")
        FOOD_BANK_PERSONS = "food_bank_persons", _("フードバンク 延べ人数")

    fiscal_year = models.PositiveSmallIntegerField(_("年度"))
    metric = models.CharField(_("指標"), max_length=30, choices=Metric)
    target = models.PositiveIntegerField(_("目標"))

    class Meta:
        verbose_name = _("事業目標")
        verbose_name_plural = _("事業目標")
        ordering = ["fiscal_year", "metric"]
        constraints = [
            models.UniqueConstraint(
                fields=["fiscal_year", "metric"],
                name="training_programmetarget_one_per_metric",
                violation_error_message=_("この年度のこの指標の目標はすでにあります。"),
            ),
            models.CheckConstraint(
                condition=Q(
                    metric__in=[
                        "places_sites",
                        "places_persons",
                        "ue_days",
                        "ue_person_days",
                        "cafeteria_sessions",
                        "cafeteria_persons",
                        "food_bank_days",
                        "food_bank_persons",
                    ]
                ),
                name="training_programmetarget_metric_valid",
                violation_error_message=_("指標は一覧の中から選んでください。"),
            ),
        ]

    def __str__(self) -> str:
        return f"FY{self.fiscal_year} {self.get_metric_display()}: {self.target}"


FOOD_ACTIVITIES = ("food_donation", "food_distribution")


class ActivityRecord(models.Model):
    """A line of the activity ledger: a partner's non-training activity on a
    day – visits to its place-to-be, a children's cafeteria session, food
    received as a donation or handed out, a cool-station day – with how many
    times (count), how many people and, for food, the weight in kg. The
    dashboard and the grant report count these against the plan's targets.
    One line per partner, activity, day and counterpart type, so importing a
    file again updates the lines instead of adding them twice."""

    class Activity(models.TextChoices):
        PLACE_VISIT = "place_visit", _("居場所の来所")
        CAFETERIA = "cafeteria", _("子ども食堂")
        FOOD_DONATION = "food_donation", _("食品の寄付受入")
        FOOD_DISTRIBUTION = "food_distribution", _("食品の配布")
        COOL_STATION = "cool_station", _("クールステーション")

    class CounterpartType(models.TextChoices):
        """Who gave the food (a donation) or received it (a distribution)."""

        INDIVIDUAL = "individual", _("個人")
        BUSINESS = "business", _("企業・商店")
        FARM = "farm", _("農家")
        SCHOOL = "school", _("学校")
        WELFARE = "welfare", _("福祉施設")
        GOVERNMENT = "government", _("行政")
        HOUSEHOLD = "household", _("世帯")
        OTHER = "other", _("その他")

    FOOD = FOOD_ACTIVITIES

    held_on = models.DateField(_("実施日"))
    partner = models.ForeignKey(
        "opportunities.Partner",
        verbose_name=_("協力機関"),
        on_delete=models.PROTECT,
        related_name="activity_records",
    )
    activity = models.CharField(pgettext_lazy("ledger", "活動"), max_length=20, choices=Activity)
    count = models.PositiveIntegerField(
        _("回数・件数"), default=1, help_text=_("開催回数・来所回数・寄付や配布の件数")
    )
    persons = models.PositiveIntegerField(_("人数"), default=0)
    weight_kg = models.DecimalField(
        _("重さ（kg）"),
        max_digits=10,
        decimal_places=1,
        null=True,
        blank=True,
        help_text=_("食品の寄付受入・配布のときだけ入力します。"),
    )
    counterpart_type = models.CharField(
        _("寄付元・配布先の種類"), max_length=20, choices=CounterpartType, blank=True, default=""
    )
    note = models.TextField(_("メモ"), blank=True, default="")
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("入力者"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("登録日時"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    class Meta:
        verbose_name = _("活動実績")
        verbose_name_plural = _("活動実績")
        ordering = ["-held_on", "partner_id", "activity", "counterpart_type"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    activity__in=[
                        "place_visit",
                        "cafeteria",
                        "food_donation",
                        "food_distribution",
                        "cool_station",
                    ]
                ),
                name="training_activityrecord_activity_valid",
                violation_error_message=_("活動の種類は一覧の中から選んでください。"),
            ),
            models.CheckConstraint(
                condition=Q(
                    counterpart_type__in=[
                        "",
                        "individual",
                        "business",
                        "farm",
                        "school",
                        "welfare",
                        "government",
                        "household",
                        "other",
                    ]
                ),
                name="training_activityrecord_counterpart_type_valid",
                violation_error_message=_("相手の種類は一覧の中から選んでください。"),
            ),
            # A weight belongs to food only.
            models.CheckConstraint(
                condition=Q(weight_kg__isnull=True) | Q(activity__in=list(FOOD_ACTIVITIES)),
                name="training_activityrecord_weight_only_for_food",
                violation_error_message=_(
                    "重さ（kg）は食品の寄付受入・配布のときだけ入力できます。"
                ),
            ),
            models.CheckConstraint(
                condition=Q(count__gte=0)
                & Q(persons__gte=0)
                & (Q(weight_kg__isnull=True) | Q(weight_kg__gte=0)),
                name="training_activityrecord_non_negative",
                violation_error_message=_("件数・人数・重さは0以上で入れてください。"),
            ),
            models.UniqueConstraint(
                fields=["partner", "activity", "held_on", "counterpart_type"],
                name="training_activityrecord_one_per_day_and_counterpart",
                violation_error_message=_("この協力機関のこの日・この相手の記録はすでにあります。"),
            ),
        ]
        indexes = [
            models.Index(fields=["held_on", "activity"], name="training_activity_day_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.partner} {self.get_activity_display()} {self.held_on}"

    @property
    def is_food(self) -> bool:
        return self.activity in FOOD_ACTIVITIES


IMPORT_MAX_BYTES = 5 * 1024 * 1024  # the upload page's cap, kept by the table too


class ImportJob(models.Model):
    """One run of a spreadsheet import in the django-q2 worker: a preview
    (checks and writes, then rolls back) or the write run that confirms a
    done, error-free preview with the same bytes (training.import_jobs)."""

    class Mode(models.TextChoices):
        PREVIEW = "preview", _("確認")
        WRITE = "write", _("取り込み")

    class Status(models.TextChoices):
        QUEUED = "queued", _("順番待ち")
        RUNNING = "running", _("処理中")
        DONE = "done", _("完了")
        FAILED = "failed", _("失敗")

    kind = models.CharField(_("種類"), max_length=40)
    filename = models.CharField(_("ファイル名"), max_length=255)
    data = models.BinaryField(_("ファイルの中身"))
    mode = models.CharField(_("処理"), max_length=10, choices=Mode, default=Mode.PREVIEW)
    status = models.CharField(_("状態"), max_length=10, choices=Status, default=Status.QUEUED)
    preview = models.OneToOneField(
        "self",
        verbose_name=_("確認した処理"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="write_job",
    )
    rows_done = models.PositiveIntegerField(_("処理済みの行"), default=0)
    rows_total = models.PositiveIntegerField(_("行数"), default=0)
    report = models.JSONField(_("結果"), default=dict, blank=True)
    message = models.TextField(_("メッセージ"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("依頼者"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("受付日時"), default=timezone.now)
    started_at = models.DateTimeField(_("開始日時"), null=True, blank=True)
    finished_at = models.DateTimeField(_("終了日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("取り込み処理")
        verbose_name_plural = _("取り込み処理")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(mode__in=["preview", "write"]),
                name="training_importjob_mode_valid",
                violation_error_message=_("取り込みの種類が正しくありません。"),
            ),
            models.CheckConstraint(
                condition=Q(status__in=["queued", "running", "done", "failed"]),
                name="training_importjob_status_valid",
                violation_error_message=_("取り込みの状態が正しくありません。"),
            ),
            models.CheckConstraint(
                condition=~Q(kind="") & ~Q(filename=""),
                name="training_importjob_kind_and_filename_given",
                violation_error_message=_("取り込むファイルの種類と名前が必要です。"),
            ),
            # A write run always confirms a preview; a preview confirms nothing.
            models.CheckConstraint(
                condition=Q(mode="write", preview__isnull=False)
                | Q(mode="preview", preview__isnull=True),
                name="training_importjob_write_confirms_a_preview",
                violation_error_message=_(
                    "書き込みは確認（プレビュー）を済ませた取り込みからだけ行えます。"
                ),
            ),
            models.CheckConstraint(
                condition=Q(rows_done__lte=F("rows_total")),
                name="training_importjob_progress_within_total",
                violation_error_message=_("処理済みの行数が全体の行数を超えています。"),
            ),
            models.CheckConstraint(
                condition=Q(status__in=["done", "failed"], finished_at__isnull=False)
                | Q(status__in=["queued", "running"], finished_at__isnull=True),
                name="training_importjob_finished_when_over",
                violation_error_message=_("取り込みの終了日時と状態が合っていません。"),
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("data"), IMPORT_MAX_BYTES),
                name="training_importjob_data_within_cap",
                violation_error_message=_("ファイルが大きすぎます。5MB以下にしてください。"),
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.kind} {self.filename} ({self.get_mode_display()} {self.get_status_display()})"
        )

    @property
    def over(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self) -> int:
        if self.over:
            return 100
        return self.rows_done * 100 // self.rows_total if self.rows_total else 0
