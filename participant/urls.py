"""The participant's pages (and the public ones anyone may browse)."""

from django.urls import path

from participant import map_views, profile_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("opportunities/", views.opportunity_list, name="opportunity_list"),
    path("opportunities/<str:code>/", views.opportunity_detail, name="opportunity_detail"),
    path("sessions/<int:pk>/signup/", views.session_signup, name="session_signup"),
    path("signups/<int:pk>/cancel/", views.signup_cancel_view, name="signup_cancel"),
    path("my/schedule/", views.my_schedule, name="my_schedule"),
    path("my/calendar/", views.my_calendar, name="my_calendar"),
    path("my/profile/", profile_views.my_profile, name="my_profile"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("map/", map_views.partner_map, name="partner_map"),
    path("easy-japanese/", views.easy_japanese, name="easy_japanese"),
]
