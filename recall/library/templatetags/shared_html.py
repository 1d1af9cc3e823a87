"""{% shared "name" value ... %}…{% endshared %}: a part of a page that is the same for
every reader, rendered once per change of content (recall.operations.page_cache.shared_html).

The values name the fragment (a subject's pk, the page asked for). What it shows must be
the same for every reader, with no form and nothing of the reader's; the view passes the
data lazily (SimpleLazyObject), so that a stored fragment costs no query.
"""

from __future__ import annotations

from django import template
from django.utils.safestring import mark_safe

from recall.operations.page_cache import shared_html

register = template.Library()


def fragment_name(*parts: object) -> str:
    """The name {% shared part ... %} stores its fragment under (for page_cache.prefetch)."""
    return "\x1f".join(str(part) for part in parts)


class SharedNode(template.Node):
    def __init__(self, nodelist: template.NodeList, names: list) -> None:
        self.nodelist, self.names = nodelist, names

    def render(self, context: template.Context) -> str:
        name = fragment_name(*(part.resolve(context) for part in self.names))
        html = shared_html(name, lambda: self.nodelist.render(context), context.get("request"))
        # The output of our own template, escaped as it rendered.
        return mark_safe(html)  # noqa: S308


@register.tag("shared")
def do_shared(parser: template.base.Parser, token: template.base.Token) -> SharedNode:
    names = [parser.compile_filter(bit) for bit in token.split_contents()[1:]]
    if not names:
        raise template.TemplateSyntaxError("{% shared %} needs a name.")
    nodelist = parser.parse(("endshared",))
    parser.delete_first_token()
    return SharedNode(nodelist, names)
