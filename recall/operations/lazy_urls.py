"""An include whose module is imported on first use (recall.urls: the JSON API's routes,
so that a worker serving only pages never loads django-ninja and pydantic)."""

from __future__ import annotations

from django.urls import URLResolver
from django.urls.resolvers import RoutePattern


class LazyURLResolver(URLResolver):
    """A namespaced include whose module is imported when a request under its prefix or a
    reverse() of one of its names first needs it. Django's root resolver populates every
    resolver under it the first time any name is reversed, which would import the module
    in every process; this one fills its names only once its module is in."""

    def _populate(self):
        if "urlconf_module" in self.__dict__:  # the cached_property has imported it
            super()._populate()

    def _loaded(self) -> URLResolver:
        self.urlconf_module  # noqa: B018 - imports the module
        return self

    reverse_dict = property(lambda self: URLResolver.reverse_dict.fget(self._loaded()))
    namespace_dict = property(lambda self: URLResolver.namespace_dict.fget(self._loaded()))
    app_dict = property(lambda self: URLResolver.app_dict.fget(self._loaded()))

    def _is_callback(self, name):
        return super(LazyURLResolver, self._loaded())._is_callback(name)


def lazy_include(route: str, module: str, *, namespace: str, app_name: str | None = None):
    """path(route, include(module, namespace)) that imports `module` on first use."""
    return LazyURLResolver(
        RoutePattern(route), module, app_name=app_name or namespace, namespace=namespace
    )
