"""The one NinjaAPI. Each module of this package owns a router; this one only wires them,
chooses the authentication and maps errors to HTTP responses.

Authentication, on every endpoint unless it says ``auth=None``:
- partners' systems send ``Authorization: Bearer <token>`` (``api.auth``;
  issued with ``manage.py issue_api_token USERNAME``);
- our own pages use the browser session, with Django's CSRF check.

Every error body is ``{"detail": str}``: 400 invalid input or a broken rule,
401 not authenticated, 403 not allowed, 404 absent or not yours, 409 conflict.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest
from django.http.multipartparser import MultiPartParserError
from django.http.request import RawPostDataException
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError

from api import me, opportunities
from api.auth import api_auth
from core.errors import DomainError

api = NinjaAPI(
    title="Hot Station marketplace API",
    version="1",
    description=(
        "Opportunities, sessions, sign-ups and attendance for partners' systems.\n\n"
        "Authenticate with `Authorization: Bearer <token>` (ask the secretariat for a token; "
        'changing your password revokes it). Errors are `{"detail": "…"}`.'
    ),
    urls_namespace="api",
    auth=api_auth,
)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError):
    return api.create_response(request, {"detail": exc.message}, status=exc.status_code)


@api.exception_handler(NinjaValidationError)
def invalid_input(request: HttpRequest, exc: NinjaValidationError):
    # 400 rather than ninja's 422, so that every error has the documented
    # {"detail": str} shape; the field errors ride along for developers.
    # A broken rule of api/schemas.py (year range, date order, employment type)
    # is named in the detail; other shape errors get the general sentence.
    rules = [
        str(e["msg"]).removeprefix("Value error, ")
        for e in exc.errors
        if e.get("type") == "value_error"
    ]
    detail = " ".join(dict.fromkeys(rules)) or _("入力内容に誤りがあります。")
    return api.create_response(request, {"detail": detail, "errors": exc.errors}, status=400)


def unreadable_body_message() -> str:
    return _(
        "リクエストの本文を読み取れませんでした。"
        "JSON を Content-Type: application/json で送ってください。"
    )


@api.exception_handler(MultiPartParserError)
@api.exception_handler(RawPostDataException)
def unreadable_body(request: HttpRequest, exc: Exception):
    # A multipart body without (or with a broken) boundary fails as soon as
    # anything reads request.POST (the CSRF check of a browser session does);
    # once it has been read, the JSON body can no longer be. Both are the
    # caller's mistake: 400, never 500.
    return api.create_response(request, {"detail": unreadable_body_message()}, status=400)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError):
    # ninja's own errors; the one about an unparsable body gets our wording.
    detail = str(exc)
    if exc.status_code == 400 and detail.startswith("Cannot parse request body"):
        detail = unreadable_body_message()
    return api.create_response(request, {"detail": detail}, status=exc.status_code)


@api.exception_handler(DjangoValidationError)
def model_invalid(request: HttpRequest, exc: DjangoValidationError):
    # full_clean() in the services: model constraints and field validation.
    return api.create_response(request, {"detail": " ".join(exc.messages)}, status=400)


api.add_router("/opportunities", opportunities.router)
api.add_router("/partner", opportunities.partner_router)
api.add_router("/signups", opportunities.signups_router)
api.add_router("/me", me.router)
