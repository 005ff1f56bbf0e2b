from django.urls import path

from partner import views

urlpatterns = [
    path("", views.partner_dashboard, name="partner_dashboard"),
    path("profile/", views.partner_profile, name="partner_profile"),
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
]
