"""{% shared "name" value ... %}…{% endshared %}: a part of a page that is the same for
every reader, rendered once per change of content (recall.operations.page_cache.shared_html).

The values name the fragment (a subject's pk, the page asked for). What it shows must be
the same for every reader, with no form and nothing of the reader's; the view passes the
data lazily (SimpleLazyObject), so that a stored fragment costs no query.

{% same_html "name" value ... if condition %}…{% endsame_html %}: a part of a logged-in
reader's page (an empty form) that the values fully determine but for its CSRF token,
rendered once per worker and values with a stand-in for the token, which each request's
own token then replaces. When the condition is false (a posted form with its errors, a
notice) it is rendered as it stands. Kept in the worker's memory, not the cache: it holds
nothing of the content, so no change of content makes it stale; a change of code starts
new workers.
"""

from __future__ import annotations

import secrets
import string

from django import template
from django.template.defaulttags import TemplateIfParser
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


# The stand-in for the CSRF token while a same_html part renders: letters and digits, as a
# token is, so escaping leaves it as it is; random, so no page holds it by chance.
_TOKEN_STAND_IN = "".join(secrets.choice(string.ascii_letters) for _ in range(64))
_SAME_HTML: dict[tuple, str] = {}
_SAME_HTML_KEPT = 1024


class SameHtmlNode(template.Node):
    def __init__(self, nodelist: template.NodeList, names: list, condition) -> None:
        self.nodelist, self.names, self.condition = nodelist, names, condition

    def render(self, context: template.Context) -> str:
        token = context.get("csrf_token")
        if token is None or not self.condition.eval(context):
            return self.nodelist.render(context)
        token = str(token)  # the request's own, as {% csrf_token %} would read it
        if token == "NOTPROVIDED" or not token.isalnum():  # noqa: S105 (Django's marker)
            return self.nodelist.render(context)
        key = tuple(_key_part(part.resolve(context)) for part in self.names)
        html = _SAME_HTML.get(key)
        if html is None:
            with context.push(csrf_token=_TOKEN_STAND_IN):
                html = self.nodelist.render(context)
            if len(_SAME_HTML) >= _SAME_HTML_KEPT:
                forget_oldest(_SAME_HTML)
            _SAME_HTML[key] = html
        # Template output, escaped as it rendered; the token is letters and digits.
        return mark_safe(html.replace(_TOKEN_STAND_IN, token))  # noqa: S308


def forget_oldest(memory: dict) -> None:
    """Drop the oldest entry of a worker's memory; another thread (gthread workers) may be
    doing the same, which is no harm."""
    try:
        memory.pop(next(iter(memory)), None)
    except (StopIteration, RuntimeError):  # emptied, or changed meanwhile
        pass


def _key_part(value: object) -> object:
    """A value as part of a key: itself when it can be one, else its text."""
    try:
        hash(value)
    except TypeError:
        return str(value)
    return (type(value), value)


@register.tag("same_html")
def do_same_html(parser: template.base.Parser, token: template.base.Token) -> SameHtmlNode:
    bits = token.split_contents()[1:]
    if "if" not in bits or bits.index("if") == 0:
        raise template.TemplateSyntaxError(
            '{% same_html "name" value ... if condition %} needs a name and a condition.'
        )
    split = bits.index("if")
    names = [parser.compile_filter(bit) for bit in bits[:split]]
    condition = TemplateIfParser(parser, bits[split + 1 :]).parse()
    nodelist = parser.parse(("endsame_html",))
    parser.delete_first_token()
    return SameHtmlNode(nodelist, names, condition)
