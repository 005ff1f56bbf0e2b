from django.urls import path

from opportunities import views
from people import first_login

urlpatterns = [
    path("", views.home, name="home"),
    path("opportunities/", views.opportunity_list, name="opportunity_list"),
    path("opportunities/<str:code>/", views.opportunity_detail, name="opportunity_detail"),
    path("sessions/<int:pk>/signup/", views.session_signup, name="session_signup"),
    path("signups/<int:pk>/cancel/", views.signup_cancel_view, name="signup_cancel"),
    path("my/schedule/", views.my_schedule, name="my_schedule"),
    path("my/calendar/", views.my_calendar, name="my_calendar"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("welcome/", first_login.first_login, name="first_login"),
]
