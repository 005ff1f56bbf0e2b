"""How the API knows who is calling: a partner system's bearer token
(people.auth issues and checks it) or our own pages' browser session."""

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.security import APIKeyCookie, HttpBearer

from core.errors import NotAllowed
from people.auth import api_token_user
from people.models import User


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        return api_token_user(token)


class BrowserSession(APIKeyCookie):
    """ninja's ``django_auth`` with one difference: a request without a session
    cookie is simply not ours, so an anonymous POST gets 401 rather than the
    403 of a failed CSRF check. With a session, CSRF is checked as usual."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        if self.param_name not in request.COOKIES:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        if key is not None and request.user.is_authenticated:
            return request.user
        return None


api_auth = [BearerToken(), BrowserSession()]


def require_partner_staff(request: HttpRequest) -> User:
    """The authenticated partner staff member (or secretariat) behind a request."""
    user = request.auth  # type: ignore[attr-defined]  # ninja sets it after authentication
    if not (user.is_secretariat or (user.is_partner_staff and user.partner_id)):
        raise NotAllowed(_("協力機関スタッフ用の操作です。"))
    return user
