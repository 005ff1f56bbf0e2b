"""Admin for the training tables. Payout runs, lines and the audit log are
read-only here: they change only through training.services, which keeps the
audit trail."""

from django import forms
from django.contrib import admin

from training.ledger import (
    activity_record_delete,
    activity_record_problems,
    activity_record_save,
)
from training.models import (
    ActivityRecord,
    Attendance,
    AuditEntry,
    FeeRule,
    ImportJob,
    ManualAdjustment,
    PayoutLine,
    PayoutRun,
    ProgrammeTarget,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Attendance)
class AttendanceAdmin(ReadOnlyAdmin):
    list_display = [
        "session",
        "participant",
        "supporter",
        "role",
        "status",
        "minutes",
        "recorded_at",
    ]
    list_filter = ["status", "role"]
    raw_id_fields = ["session", "participant", "supporter", "recorded_by"]


@admin.register(FeeRule)
class FeeRuleAdmin(ReadOnlyAdmin):
    list_display = [
        "code",
        "name",
        "payee",
        "basis",
        "rate_yen",
        "monthly_cap_yen",
        "budget_yen",
        "fiscal_year",
    ]
    list_filter = ["fiscal_year", "payee", "basis"]


class PayoutLineInline(admin.TabularInline):
    model = PayoutLine
    extra = 0
    can_delete = False
    fields = readonly_fields = (
        "position",
        "kind",
        "adjusts_month",
        "payee_code",
        "payee_name",
        "units",
        "gross_yen",
        "capped_yen",
        "amount_yen",
        "cut_by_cap",
        "cut_by_budget",
    )

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(PayoutRun)
class PayoutRunAdmin(ReadOnlyAdmin):
    list_display = ["rule", "month", "status", "total_yen", "computed_at", "approved_at", "paid_at"]
    list_filter = ["status", "rule"]
    inlines = [PayoutLineInline]


@admin.register(ManualAdjustment)
class ManualAdjustmentAdmin(ReadOnlyAdmin):
    # Added and removed on the payout page (payout_adjustment_add/remove), audited there.
    list_display = ["run", "partner", "supporter", "amount_yen", "reason", "created_by"]
    search_fields = ["reason", "partner__code", "supporter__code"]


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor_label", "action", "target_type", "target_id"]
    list_filter = ["action", "target_type"]


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdmin):
    # Started and confirmed on the secretariat's import page (training.import_jobs).
    list_display = ["created_at", "kind", "filename", "mode", "status", "rows_done", "rows_total"]
    list_filter = ["kind", "mode", "status"]
    exclude = ["data"]  # the uploaded file: personal data, not for browsing
    raw_id_fields = ["preview", "created_by"]


@admin.register(ProgrammeTarget)
class ProgrammeTargetAdmin(admin.ModelAdmin):
    list_display = ["fiscal_year", "metric", "target"]
    list_filter = ["fiscal_year"]


class ActivityRecordAdminForm(forms.ModelForm):
    class Meta:
        model = ActivityRecord
        fields = [
            "held_on",
            "partner",
            "activity",
            "counterpart_type",
            "count",
            "persons",
            "weight_kg",
            "note",
        ]

    def clean(self):
        cleaned = super().clean()
        for problem in activity_record_problems(cleaned):
            self.add_error(None, problem)
        return cleaned


@admin.register(ActivityRecord)
class ActivityRecordAdmin(admin.ModelAdmin):
    """Saves and deletes go through training.ledger, so they are audited like
    the ledger pages'; bulk deletion is off for the same reason."""

    form = ActivityRecordAdminForm
    list_display = [
        "held_on",
        "partner",
        "activity",
        "counterpart_type",
        "count",
        "persons",
        "weight_kg",
    ]
    list_filter = ["activity", "counterpart_type"]
    search_fields = ["partner__code", "partner__name", "note"]
    date_hierarchy = "held_on"
    raw_id_fields = ["partner"]
    actions = None

    def save_model(self, request, obj, form, change):
        values = {name: form.cleaned_data.get(name) for name in form.Meta.fields}
        record = ActivityRecord.objects.get(pk=obj.pk) if change else None
        saved, _outcome = activity_record_save(values=values, record=record, by=request.user)
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        activity_record_delete(record=obj, by=request.user)
