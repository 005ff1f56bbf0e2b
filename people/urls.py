"""Account pages every role shares: log in and out, and a participant's first login."""

from django.contrib.auth import views as auth_views
from django.urls import path

from people import views

urlpatterns = [
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(template_name="people/login.html"),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("welcome/", views.first_login, name="first_login"),
    # Staff choose their password through a one-time link the secretariat gives them.
    path(
        "accounts/set-password/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="people/set_password.html", success_url="/accounts/login/?password=set"
        ),
        name="password_set",
    ),
]
