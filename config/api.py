"""The one NinjaAPI. Each app owns a router; this module only wires them and
maps domain errors to HTTP responses."""

from django.http import HttpRequest
from ninja import NinjaAPI

from core.errors import DomainError

api = NinjaAPI(
    title="Hot Station marketplace API",
    version="1",
    description="Opportunities, sessions, sign-ups and attendance for partners' systems.",
    urls_namespace="api",
)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError):
    return api.create_response(request, {"detail": exc.message}, status=exc.status_code)


api.add_router("/opportunities", "opportunities.api.router")
