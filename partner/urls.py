from django.urls import path

from partner import ledger_views, roster_views, statement_views, views

urlpatterns = [
    path("", views.partner_dashboard, name="partner_dashboard"),
    path("profile/", views.partner_profile, name="partner_profile"),
    path("activities/", ledger_views.partner_activity_list, name="partner_activity_list"),
    path("activities/new/", ledger_views.partner_activity_new, name="partner_activity_new"),
    path(
        "activities/<int:pk>/edit/",
        ledger_views.partner_activity_edit,
        name="partner_activity_edit",
    ),
    path(
        "activities/<int:pk>/delete/",
        ledger_views.partner_activity_delete,
        name="partner_activity_delete",
    ),
    path("opportunities/", views.partner_opportunity_list, name="partner_opportunity_list"),
    path("opportunities/new/", views.partner_opportunity_new, name="partner_opportunity_new"),
    path("opportunities/<str:code>/", views.partner_opportunity, name="partner_opportunity"),
    path(
        "opportunities/<str:code>/edit/",
        views.partner_opportunity_edit,
        name="partner_opportunity_edit",
    ),
    path(
        "opportunities/<str:code>/close/",
        views.partner_opportunity_close,
        name="partner_opportunity_close",
    ),
    path(
        "opportunities/<str:code>/sessions/new/",
        views.partner_session_create,
        name="partner_session_create",
    ),
    path(
        "opportunities/<str:code>/sessions/weekly/",
        views.partner_sessions_weekly,
        name="partner_sessions_weekly",
    ),
    path("sessions/<int:pk>/", views.partner_session_roster, name="partner_session"),
    path("sessions/<int:pk>/cancel/", views.partner_session_cancel, name="partner_session_cancel"),
    path("sessions/<int:pk>/attendance/", views.partner_attendance, name="partner_attendance"),
    path(
        "sessions/<int:pk>/supporters/", views.partner_supporter_add, name="partner_supporter_add"
    ),
    path("sessions/<int:pk>/walk-in/", roster_views.partner_walk_in, name="partner_walk_in"),
    path("statements/", statement_views.partner_statement_list, name="partner_statement_list"),
    path(
        "statements/<int:pk>/",
        statement_views.partner_statement_detail,
        name="partner_statement_detail",
    ),
    path(
        "statements/<int:pk>/export.<str:fmt>",
        statement_views.partner_statement_export,
        name="partner_statement_export",
    ),
]
