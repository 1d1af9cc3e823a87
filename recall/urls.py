from django.contrib import admin
from django.urls import URLResolver, include, path, re_path
from django.urls.resolvers import RoutePattern
from django.views.decorators.csrf import csrf_exempt


class LazyURLResolver(URLResolver):
    """An include whose module is imported when a request under its prefix or a reverse()
    of one of its names first needs it. Django's root resolver populates every resolver
    under it the first time any name is reversed, which would import the module in every
    worker; this one fills its names only once its module is in."""

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


@csrf_exempt  # as the API's views: a JSON 404, not the CSRF page
def api_not_found(request, *args, **kwargs):
    """Anything under /api/ that no API operation answers (an unknown path, a slug or
    number that doesn't parse): the API's JSON 404."""
    from recall.api.errors import not_found_view

    return not_found_view(request)


# The order is for speed only: no two includes answer the same path (their prefixes and
# routes differ), so the busiest paths come first (a review answer, the API, the library's
# pages) and resolve without trying the other apps' patterns first.
urlpatterns = [
    path("study/", include("recall.study.urls")),
    # The API's routes by module name, imported on first use: a worker that serves only
    # pages never loads django-ninja and pydantic (about 17 MB a worker).
    LazyURLResolver(
        RoutePattern("api/v1/"), "recall.api.urls", app_name="ninja", namespace="api-v1"
    ),
    re_path(r"^api/", api_not_found),
    path("", include("recall.library.urls")),
    path("admin/", admin.site.urls),
    path("", include("recall.operations.urls")),
    path("", include("recall.accounts.urls")),
    path("", include("recall.community.urls")),
    path("", include("recall.quality.urls")),
    path("", include("recall.search.urls")),
]
