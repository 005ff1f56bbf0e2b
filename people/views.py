"""The participant's first login: type the code the coach printed, choose a
password, and be logged in. Failed attempts are throttled per address, since a
code is short enough to read aloud."""

from django.contrib import messages
from django.contrib.auth import login
from django.core.cache import cache
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.errors import DomainError
from people.forms import FirstLoginForm
from people.login_codes import participant_login_code_redeem

MAX_FAILURES = 10
FAILURE_WINDOW_SECONDS = 15 * 60


def _failures_key(request) -> str:
    return f"first-login-failures:{request.META.get('REMOTE_ADDR', '')}"


@require_http_methods(["GET", "POST"])
def first_login(request):
    if request.method == "GET":
        form = FirstLoginForm(initial={"code": request.GET.get("code", "")})
        return render(request, "people/first_login.html", {"form": form})
    form = FirstLoginForm(request.POST)
    key = _failures_key(request)
    if cache.get(key, 0) >= MAX_FAILURES:
        form.add_error(
            None, _("試した回数が多すぎます。しばらく待ってから、もう一度お試しください。")
        )
        return render(request, "people/first_login.html", {"form": form}, status=429)
    if form.is_valid():
        try:
            user = participant_login_code_redeem(
                code=form.cleaned_data["code"], password=form.cleaned_data["password1"]
            )
        except DomainError as exc:
            cache.add(key, 0, FAILURE_WINDOW_SECONDS)
            cache.incr(key)
            form.add_error(None, exc.message)
        else:
            cache.delete(key)
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request,
                _(
                    "ようこそ。次からは、ユーザー名「%(username)s」と今決めたパスワードでログインできます。"
                )
                % {"username": user.username},
            )
            return redirect("home")
    return render(request, "people/first_login.html", {"form": form})
