"""Secretariat pages, included under /secretariat/ by config/urls.py."""

from django.urls import path

from secretariat import ledger_views, partner_views, people_views, report_views, views

app_name = "secretariat"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("targets/", views.targets_edit, name="targets_edit"),
    path("fee-rules/", views.fee_rule_list, name="fee_rule_list"),
    path("fee-rules/new/", views.fee_rule_edit, name="fee_rule_new"),
    path("fee-rules/<str:code>/", views.fee_rule_edit, name="fee_rule_edit"),
    path("payouts/", views.payout_run_list, name="payout_run_list"),
    path("payouts/compute/", views.payout_run_compute_view, name="payout_run_compute"),
    path("payouts/<int:pk>/", views.payout_run_detail, name="payout_run_detail"),
    path(
        "payouts/<int:pk>/lines/<int:line_pk>/sessions/",
        views.payout_line_sessions,
        name="payout_line_sessions",
    ),
    path("payouts/<int:pk>/recompute/", views.payout_run_recompute, name="payout_run_recompute"),
    path("payouts/<int:pk>/approve/", views.payout_run_approve_view, name="payout_run_approve"),
    path(
        "payouts/<int:pk>/mark-paid/", views.payout_run_mark_paid_view, name="payout_run_mark_paid"
    ),
    path("payouts/<int:pk>/export.<str:fmt>", views.payout_run_export, name="payout_run_export"),
    path(
        "payouts/<int:pk>/adjustments/",
        views.payout_adjustment_add_view,
        name="payout_adjustment_add",
    ),
    path(
        "payouts/<int:pk>/adjustments/<int:adjustment_pk>/remove/",
        views.payout_adjustment_remove_view,
        name="payout_adjustment_remove",
    ),
    path("training-days/", views.training_days, name="training_days"),
    path("activities/", ledger_views.activity_list, name="activity_list"),
    path("activities/new/", ledger_views.activity_new, name="activity_new"),
    path("activities/<int:pk>/edit/", ledger_views.activity_edit, name="activity_edit"),
    path("activities/<int:pk>/delete/", ledger_views.activity_delete, name="activity_delete"),
    path("imports/", views.import_upload, name="import_upload"),
    path("imports/<int:pk>/", views.import_job, name="import_job"),
    path("imports/<int:pk>/status/", views.import_job_status, name="import_job_status"),
    path("imports/<int:pk>/confirm/", views.import_job_confirm_view, name="import_job_confirm"),
    path("audit/", views.audit_log, name="audit_log"),
    path("partners/", partner_views.partner_list, name="partner_list"),
    path("partners/new/", partner_views.partner_new, name="partner_new"),
    path("partners/<int:pk>/", partner_views.partner_edit, name="partner_edit"),
    path("partners/<int:pk>/active/", partner_views.partner_active, name="partner_active"),
    path("people/", people_views.people_list, name="people_list"),
    path("people/new/", people_views.people_new, name="people_new"),
    path("people/caseload/", people_views.caseload, name="caseload"),
    path("people/<int:pk>/", people_views.people_edit, name="people_edit"),
    path("people/<int:pk>/active/", people_views.people_active, name="people_active"),
    path(
        "people/<int:pk>/password-link/",
        people_views.people_password_link,
        name="people_password_link",
    ),
    path("progression/", report_views.progression_page, name="progression"),
    path("report/", report_views.report_page, name="report"),
    path("report/grant-report.<str:fmt>", report_views.report_download, name="report_download"),
]
