"""The participant's first login: type the code the coach printed, choose a
password, and be logged in. Failed attempts are counted in the database by
django-axes (shared by every worker), per client address, so a code that is
short enough to read aloud cannot be guessed by trying many.

Also the login protection's request helpers that config/settings.py names for
django-axes: the client's address behind a reverse proxy, the failure limit and
the page shown when a login is locked."""

from datetime import timedelta

from axes.handlers.proxy import AxesProxyHandler
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, user_login_failed
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.errors import DomainError
from people.forms import FirstLoginForm
from people.login_codes import WeakPassword, participant_login_code_redeem

# Failed first logins are recorded by axes under this name, which no account can
# have ("#" is not allowed in a username), together with the client's address.
FIRST_LOGIN_USERNAME = "#first-login"
FIRST_LOGIN_CREDENTIALS = {"username": FIRST_LOGIN_USERNAME}
FIRST_LOGIN_FAILURE_LIMIT = 10


def client_ip(request: HttpRequest) -> str | None:
    """The client's address (AXES_CLIENT_IP_CALLABLE). Behind
    DJANGO_TRUSTED_PROXY_COUNT reverse proxies, each of which appends the address
    it saw to X-Forwarded-For, the client is that many entries from the right;
    entries further left were sent by the client and cannot be trusted."""
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if count > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR")


def login_failure_limit(request: HttpRequest, credentials: dict | None) -> int:
    """AXES_FAILURE_LIMIT: failed passwords before a lock, or failed codes."""
    if credentials and credentials.get("username") == FIRST_LOGIN_USERNAME:
        return FIRST_LOGIN_FAILURE_LIMIT
    return settings.LOGIN_FAILURE_LIMIT


def _cool_off_minutes() -> int:
    cool_off = settings.AXES_COOLOFF_TIME
    return int(cool_off / timedelta(minutes=1)) if isinstance(cool_off, timedelta) else 15


def _first_login_locked(request: HttpRequest, form: FirstLoginForm) -> HttpResponse:
    form.add_error(None, _("試した回数が多すぎます。しばらく待ってから、もう一度お試しください。"))
    return render(request, "people/first_login.html", {"form": form}, status=429)


def login_locked_out(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict | None
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: the login page again, with a message saying why
    and for how long, and 429 Too Many Requests."""
    if credentials and credentials.get("username") == FIRST_LOGIN_USERNAME:
        return _first_login_locked(request, FirstLoginForm(request.POST or None))
    messages.error(
        request,
        _(
            "ログインに続けて失敗したため、安全のため、このユーザー名でのログインを"
            "%(minutes)s分間止めています。%(minutes)s分ほど待ってから、もう一度お試しください。"
            "パスワードがわからないときは、支援員または事務局にご相談ください。"
        )
        % {"minutes": _cool_off_minutes()},
    )
    form = AuthenticationForm(request, initial={"username": request.POST.get("username", "")})
    next_url = request.POST.get("next") or request.GET.get("next", "")
    return render(
        request,
        "people/login.html",
        {"form": form, "next": next_url},
        status=getattr(settings, "AXES_HTTP_RESPONSE_CODE", 429),
    )


@require_http_methods(["GET", "POST"])
def first_login(request):
    if request.method == "GET":
        form = FirstLoginForm(initial={"code": request.GET.get("code", "")})
        return render(request, "people/first_login.html", {"form": form})
    form = FirstLoginForm(request.POST)
    if AxesProxyHandler.is_locked(request, FIRST_LOGIN_CREDENTIALS):
        return _first_login_locked(request, form)
    if form.is_valid():
        try:
            user = participant_login_code_redeem(
                code=form.cleaned_data["code"], password=form.cleaned_data["password1"]
            )
        except WeakPassword as exc:
            # The code was right: choosing a password that breaks a rule is no guess.
            form.add_error(None, exc.message)
        except DomainError as exc:
            form.add_error(None, exc.message)
            # axes records it (and, at the limit, answers with login_locked_out).
            user_login_failed.send(
                sender=__name__, credentials=FIRST_LOGIN_CREDENTIALS, request=request
            )
        else:
            axes_reset(ip=request.axes_ip_address, username=FIRST_LOGIN_USERNAME)
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
