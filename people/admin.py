from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from people.models import (
    AvailabilitySlot,
    CaseNote,
    LoginCode,
    ParticipantProfile,
    ProfileChange,
    ReadinessAssessment,
    Supporter,
    User,
)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "last_name", "first_name", "role", "partner", "is_active"]
    list_filter = ["role", "language", "is_active", "is_staff"]
    search_fields = ["username", "first_name", "last_name", "email"]
    autocomplete_fields = ["partner"]
    fieldsets = [
        *(BaseUserAdmin.fieldsets or ()),
        (_("ホッとステーション"), {"fields": ["role", "language", "partner"]}),
    ]
    add_fieldsets = [
        *BaseUserAdmin.add_fieldsets,
        (_("ホッとステーション"), {"fields": ["role", "language", "partner"]}),
    ]


class AvailabilityInline(admin.TabularInline):
    model = AvailabilitySlot
    extra = 0


class AssessmentInline(admin.TabularInline):
    model = ReadinessAssessment
    extra = 0
    fields = ["assessed_on", "step", "coach", "notes"]
    readonly_fields = ["assessed_on", "step", "coach", "notes"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        # Assessments move the current step, so they are recorded through the
        # coach's page (people.services.readiness_record), not edited here.
        return False


@admin.register(ParticipantProfile)
class ParticipantProfileAdmin(admin.ModelAdmin):
    list_display = ["code", "display_name", "municipality", "readiness", "coach", "consent_given"]
    list_filter = ["readiness", "municipality", "consent_given", "coach"]
    search_fields = ["code", "display_name", "name_kana"]
    autocomplete_fields = ["user", "coach"]
    readonly_fields = ["readiness", "created_at", "updated_at"]
    inlines = [AvailabilityInline, AssessmentInline]


@admin.register(ReadinessAssessment)
class ReadinessAssessmentAdmin(admin.ModelAdmin):
    list_display = ["participant", "step", "assessed_on", "coach"]
    list_filter = ["step", "assessed_on"]
    search_fields = ["participant__code", "participant__display_name"]
    date_hierarchy = "assessed_on"

    def has_change_permission(self, request, obj=None):
        return False  # history is kept as recorded


@admin.register(Supporter)
class SupporterAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "created_at"]
    search_fields = ["code", "name"]


@admin.register(LoginCode)
class LoginCodeAdmin(admin.ModelAdmin):
    list_display = ["participant", "created_by", "created_at", "expires_at", "used_at"]
    exclude = ["code_hash"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CaseNote)
class CaseNoteAdmin(admin.ModelAdmin):
    """Append-only: notes are read here, written on the coach's page."""

    list_display = ("participant", "written_at", "author")
    list_select_related = ("participant", "author")
    search_fields = ("participant__code", "participant__display_name")
    readonly_fields = ("participant", "author", "written_at", "body")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ProfileChange)
class ProfileChangeAdmin(admin.ModelAdmin):
    """Read-only: written by people.services.participant_profile_update."""

    list_display = ("participant", "changed_at", "actor", "fields")
    list_select_related = ("participant", "actor")
    search_fields = ("participant__code", "participant__display_name")
    readonly_fields = ("participant", "actor", "changed_at", "fields", "changes")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
