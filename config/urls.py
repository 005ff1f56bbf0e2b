from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from config.api import api
from config.health import healthz

urlpatterns = [
    path("", include("opportunities.urls")),
    path("", include("people.urls")),
    path("partner/", include("opportunities.partner_urls")),
    path("secretariat/", include("training.urls")),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(template_name="people/login.html"),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("healthz", healthz, name="healthz"),
]
