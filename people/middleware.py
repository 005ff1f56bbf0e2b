"""The interface follows the signed-in person's language.

Django's LocaleMiddleware chooses from the language cookie (set by the footer's
language switcher) or else the browser's Accept-Language. On a shared PC the
browser's language is not the person's: once someone is signed in, their
``User.language`` wins over Accept-Language. The switcher still wins over
both, because choosing there sets the cookie – but only from the moment it is
used: the response to a login drops a cookie left by whoever used the shared PC
before, so the account's language applies from the first page after it.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation


def forget_language_choice_at_login(sender, request: HttpRequest | None, user, **kwargs) -> None:
    """``user_logged_in`` receiver: the switcher's cookie in this browser was
    someone else's choice (a shared PC), so the login's response drops it."""
    if request is not None:
        request.drop_language_cookie = True  # type: ignore[attr-defined]


class UserLanguageMiddleware:
    """Place after AuthenticationMiddleware (and LocaleMiddleware)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = self._language_for(request)
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        if getattr(request, "drop_language_cookie", False):
            response.delete_cookie(settings.LANGUAGE_COOKIE_NAME)
        return response

    @staticmethod
    def _language_for(request: HttpRequest) -> str | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME):
            return None  # the switcher chose: LocaleMiddleware already honoured it
        language = getattr(user, "language", "")
        if language and language in dict(settings.LANGUAGES):
            return language
        return None
