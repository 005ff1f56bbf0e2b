from django import template
from django.http import QueryDict

from core.money import format_yen

register = template.Library()


@register.filter
def yen(amount) -> str:
    if amount is None or amount == "":
        return ""
    return format_yen(int(amount))


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with some parameters replaced (for pagination links)."""
    query: QueryDict = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            query.pop(key, None)
        else:
            query[key] = value
    return query.urlencode()
