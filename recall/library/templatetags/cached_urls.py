"""{% url %} and {% static %}, each result remembered by the worker (a builtin library in
settings.TEMPLATES, so every template uses these instead of Django's tags of the same
name, with the same syntax and output).

Reversing a URL took about 45 microseconds, and a logged-in resource page reverses two
dozen (the header, the study, rating and comment forms), a millisecond; a static file's
URL about 20. Both depend only on their arguments, the URL configuration, the script
prefix and the settings, which are in the key or clear the memory when they change
(setting_changed, as in tests). NoReverseMatch is never remembered: it is raised each time.
The models' get_absolute_url() use the same cached_reverse (recall.library.reversing).
"""

from __future__ import annotations

from functools import lru_cache

from django import template
from django.core.signals import setting_changed
from django.template import defaulttags
from django.templatetags.static import StaticNode
from django.urls import NoReverseMatch
from django.utils.html import conditional_escape

from recall.library.reversing import cached_reverse

register = template.Library()


class CachedURLNode(defaulttags.URLNode):
    """URLNode.render with cached_reverse() for reverse()."""

    def render(self, context: template.Context) -> str:
        args = [arg.resolve(context) for arg in self.args]
        kwargs = {name: value.resolve(context) for name, value in self.kwargs.items()}
        view_name = self.view_name.resolve(context)
        try:
            current_app = context.request.current_app
        except AttributeError:
            try:
                current_app = context.request.resolver_match.namespace
            except AttributeError:
                current_app = None
        url = ""
        try:
            url = cached_reverse(view_name, args, kwargs, current_app)
        except NoReverseMatch:
            if self.asvar is None:
                raise
        if self.asvar:
            context[self.asvar] = url
            return ""
        if context.autoescape:
            url = conditional_escape(url)
        return url


@register.tag
def url(parser: template.base.Parser, token: template.base.Token) -> CachedURLNode:
    node = defaulttags.url(parser, token)
    return CachedURLNode(node.view_name, node.args, node.kwargs, node.asvar)


class CachedStaticNode(StaticNode):
    @classmethod
    def handle_simple(cls, path: str) -> str:
        return _static(path)


@lru_cache(maxsize=512)
def _static(path: str) -> str:
    return StaticNode.handle_simple(path)


@register.tag
def static(parser: template.base.Parser, token: template.base.Token) -> CachedStaticNode:
    return CachedStaticNode.handle_token(parser, token)


def _forget(**kwargs) -> None:
    _static.cache_clear()


setting_changed.connect(_forget, dispatch_uid="recall-cached-static")
