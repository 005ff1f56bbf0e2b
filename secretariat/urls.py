"""Secretariat pages, included under /secretariat/ by config/urls.py."""

from django.urls import path

from secretariat import views

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
    path("imports/", views.import_upload, name="import_upload"),
    path("imports/<int:pk>/", views.import_job, name="import_job"),
    path("imports/<int:pk>/status/", views.import_job_status, name="import_job_status"),
    path("imports/<int:pk>/confirm/", views.import_job_confirm_view, name="import_job_confirm"),
    path("audit/", views.audit_log, name="audit_log"),
]
