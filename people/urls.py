from django.urls import path

from opportunities import map_views
from people import views

urlpatterns = [
    path("coach/", views.coach_caseload, name="coach_caseload"),
    path(
        "coach/participants/new/", views.coach_participant_create, name="coach_participant_create"
    ),
    path("coach/participants/<str:code>/", views.coach_participant, name="coach_participant"),
    path("coach/participants/<str:code>/assess/", views.coach_assess, name="coach_assess"),
    path("coach/participants/<str:code>/place/", views.coach_place, name="coach_place"),
    path(
        "coach/participants/<str:code>/login-code/", views.coach_login_code, name="coach_login_code"
    ),
    path(
        "coach/signups/<int:pk>/approve/", views.coach_signup_approve, name="coach_signup_approve"
    ),
    path(
        "coach/signups/<int:pk>/decline/", views.coach_signup_decline, name="coach_signup_decline"
    ),
    path("coach/opportunities/<str:code>/", views.coach_opportunity, name="coach_opportunity"),
    path("map/", map_views.partner_map, name="partner_map"),
]
