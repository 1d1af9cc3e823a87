from django.contrib import admin
from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt

from recall.operations.lazy_urls import lazy_include


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
    lazy_include("api/v1/", "recall.api.urls", namespace="api-v1", app_name="ninja"),
    re_path(r"^api/", api_not_found),
    path("", include("recall.library.urls")),
    path("admin/", admin.site.urls),
    path("", include("recall.operations.urls")),
    path("", include("recall.accounts.urls")),
    path("", include("recall.community.urls")),
    path("", include("recall.quality.urls")),
    path("", include("recall.search.urls")),
]
