from django.http import HttpRequest


def is_htmx(request: HttpRequest) -> bool:
    # htmx sets HX-Request on every request it makes; boosted navigation is a
    # full page, so it gets the full template.
    return (
        request.headers.get("HX-Request") == "true" and request.headers.get("HX-Boosted") != "true"
    )


def template_for(request: HttpRequest, page: str, partial: str) -> str:
    """The whole page for a normal request, the named partial for htmx."""
    return f"{page}#{partial}" if is_htmx(request) else page
