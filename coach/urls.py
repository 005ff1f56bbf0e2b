"""The coach's pages, under /coach/."""

from django.urls import path

from coach import progression_views, views

urlpatterns = [
    path("", views.coach_caseload, name="coach_caseload"),
    path("participants/new/", views.coach_participant_create, name="coach_participant_create"),
    path("participants/<str:code>/", views.coach_participant, name="coach_participant"),
    path("participants/<str:code>/assess/", views.coach_assess, name="coach_assess"),
    path(
        "participants/<str:code>/edit/",
        views.coach_participant_edit,
        name="coach_participant_edit",
    ),
    path(
        "participants/<str:code>/notes/",
        views.coach_case_note_add,
        name="coach_case_note_add",
    ),
    path("participants/<str:code>/place/", views.coach_place, name="coach_place"),
    path("participants/<str:code>/login-code/", views.coach_login_code, name="coach_login_code"),
    path("signups/<int:pk>/approve/", views.coach_signup_approve, name="coach_signup_approve"),
    path("signups/<int:pk>/decline/", views.coach_signup_decline, name="coach_signup_decline"),
    path("opportunities/<str:code>/", views.coach_opportunity, name="coach_opportunity"),
    path("progression/", progression_views.coach_progression, name="coach_progression"),
]
