"""Every URL of the site. Each layer routes its own pages: the account pages
(people), the four role layers and the API."""

from django.contrib import admin
from django.urls import include, path

from api.main import api
from config.health import healthz

urlpatterns = [
    path("", include("participant.urls")),
    path("", include("people.urls")),
    path("coach/", include("coach.urls")),
    path("partner/", include("partner.urls")),
    path("secretariat/", include("secretariat.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("healthz", healthz, name="healthz"),
]
