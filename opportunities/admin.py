from django import forms
from django.contrib import admin

from core.errors import DomainError
from opportunities.models import (
    CalendarFeed,
    NotificationLog,
    OpeningSlot,
    Opportunity,
    Partner,
    Session,
    Signup,
)
from opportunities.services import session_time_refuse_clash


class OpeningSlotInline(admin.TabularInline):
    model = OpeningSlot
    extra = 0


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "category",
        "municipality",
        "offers_place",
        "offers_work_acceptance",
        "offers_cafeteria",
        "offers_food_bank",
        "offers_cool_station",
        "is_active",
    ]
    list_filter = [
        "category",
        "municipality",
        "is_active",
        "offers_place",
        "offers_consultation",
        "offers_work_acceptance",
        "offers_cafeteria",
        "offers_food_bank",
        "offers_cool_station",
    ]
    search_fields = ["code", "name", "name_kana", "address"]
    inlines = [OpeningSlotInline]


@admin.register(Opportunity)
class OpportunityAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "partner", "kind", "min_readiness", "status", "municipality"]
    list_filter = [
        "kind",
        "status",
        "min_readiness",
        "employment_type",
        "is_farm_setting",
        "municipality",
    ]
    search_fields = ["code", "title", "description", "partner__name"]
    autocomplete_fields = ["partner"]


class SessionAdminForm(forms.ModelForm):
    class Meta:
        model = Session
        # The admin's fieldsets decide what is shown; these are all a form may carry.
        fields = [
            "opportunity",
            "starts_at",
            "ends_at",
            "capacity",
            "instructor_name",
            "instructor",
        ]

    def clean(self):
        cleaned = super().clean()
        starts_at, ends_at = cleaned.get("starts_at"), cleaned.get("ends_at")
        if self.instance.pk and starts_at and ends_at:
            try:
                session_time_refuse_clash(
                    session=self.instance, starts_at=starts_at, ends_at=ends_at
                )
            except DomainError as error:
                raise forms.ValidationError(error.message) from None
        return cleaned


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    form = SessionAdminForm
    list_display = ["opportunity", "starts_at", "ends_at", "capacity", "seats_taken", "status"]
    list_filter = ["status", "opportunity__kind"]
    search_fields = ["opportunity__code", "opportunity__title", "instructor_name"]
    date_hierarchy = "starts_at"
    autocomplete_fields = ["opportunity"]
    # Only the sign-up services move the seat counter. The status too has one
    # path each: attendance marks a session held, session_cancel cancels it and
    # tells the people signed up; an edit here would do neither.
    readonly_fields = ["seats_taken", "status"]

    def get_readonly_fields(self, request, obj=None):
        # Once held (attendance taken) or cancelled, a session's place and times
        # decide fees already counted or paid: corrections go through the
        # attendance pages and services, which keep the audit log.
        if obj is not None and obj.status != Session.Status.SCHEDULED:
            return [*self.readonly_fields, "opportunity", "starts_at", "ends_at", "capacity"]
        return self.readonly_fields


@admin.register(Signup)
class SignupAdmin(admin.ModelAdmin):
    list_display = ["participant", "session", "status", "created_at", "created_by"]
    list_filter = ["status"]
    search_fields = [
        "participant__code",
        "participant__display_name",
        "session__opportunity__title",
    ]
    raw_id_fields = ["session", "participant"]
    readonly_fields = ["status", "created_by", "decided_by", "created_at"]

    def has_add_permission(self, request):
        return False  # sign-ups go through the capacity-safe services


@admin.register(NotificationLog)
class NotificationLogAdmin(admin.ModelAdmin):
    list_display = ["kind", "recipient", "sent_at"]
    list_filter = ["kind"]
    search_fields = ["key", "recipient__username"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # a record of what was sent; editing it would re-send or hide mail


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    list_display = ["participant", "created_at"]
    exclude = ["token"]  # the secret stays out of the back office

    def has_add_permission(self, request):
        return False
