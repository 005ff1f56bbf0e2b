"""The やさしい日本語 (easy Japanese) switch: furigana over kanji on the
participant's pages, when the person turned it on (a cookie, so it works
before logging in too) and the interface is in Japanese."""

from django.http import HttpRequest
from django.utils.translation import get_language

EASY_JA_COOKIE = "easy_ja"


def is_participant_page(request: HttpRequest) -> bool:
    match = getattr(request, "resolver_match", None)
    return match is not None and getattr(match.func, "__module__", "").startswith("participant.")


def easy_japanese(request: HttpRequest) -> dict:
    available = is_participant_page(request) and (get_language() or "").startswith("ja")
    return {
        "easy_ja_available": available,
        "easy_ja": available and request.COOKIES.get(EASY_JA_COOKIE) == "1",
    }
