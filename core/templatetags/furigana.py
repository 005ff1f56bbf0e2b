"""``{{ text|furigana:easy_ja }}`` and ``{% furigana %}…{% endfurigana %}``:
readings over kanji when the やさしい日本語 switch is on (``easy_ja`` in the
context, set by participant.context_processors.easy_japanese on the
participant's pages only). Off, both give back exactly what they were given."""

from django import template
from django.utils.safestring import SafeString

from core.furigana import furigana_markup, ruby_html

register = template.Library()


@register.filter
def furigana(value, on=True):
    """Ruby over the kanji of a plain text (escaped first). The argument is the
    switch: ``{{ opportunity.title|furigana:easy_ja }}``; off, the value is
    returned unchanged (and autoescaped as usual)."""
    if not on or value is None or value == "":
        return value
    return ruby_html(value)


class FuriganaNode(template.Node):
    def __init__(self, nodelist):
        self.nodelist = nodelist

    def render(self, context) -> str:
        html = self.nodelist.render(context)
        if not context.get("easy_ja"):
            return html
        return furigana_markup(SafeString(html))


@register.tag(name="furigana")
def do_furigana(parser, token):
    """Readings over the kanji in the text of the enclosed markup (interface
    text), when ``easy_ja`` is on."""
    if len(token.split_contents()) != 1:
        raise template.TemplateSyntaxError("{% furigana %} takes no arguments")
    nodelist = parser.parse(("endfurigana",))
    parser.delete_first_token()
    return FuriganaNode(nodelist)
