"""``{% load terms %}``: skills and interests in the reader's language.

``{{ term|term_label }}`` shows one stored term (a Japanese label) in the active
language; ``{{ participant.skills|term_labels }}`` does the same for a list.
"""

from django import template

from people.skills import term_label as _term_label

register = template.Library()


@register.filter
def term_label(term: str) -> str:
    return _term_label(str(term))


@register.filter
def term_labels(terms) -> list[str]:
    return [_term_label(str(t)) for t in terms or []]
