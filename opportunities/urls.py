from django.urls import path

from opportunities import views

urlpatterns = [
    path("", views.home, name="home"),
    path("opportunities/", views.opportunity_list, name="opportunity_list"),
    path("opportunities/<str:code>/", views.opportunity_detail, name="opportunity_detail"),
]
