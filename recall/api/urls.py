from functools import wraps

from django.http import HttpResponseNotAllowed

from .errors import error_response
from .v1 import api


def _json_not_allowed(view):
    """ninja answers a method an API path lacks with a plain-text 405: make it JSON."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            return error_response(
                405,
                f"{request.method} is not allowed here; allowed: {response['Allow']}.",
                headers={"Allow": response["Allow"]},
            )
        return response

    return wrapper


# Tried first, for speed only: a review loop's paths (their routes are no other pattern's,
# so the order changes nothing else; ninja lists them after 26 others).
_FIRST = ("answer_review", "study_queue")


def _v1_urls() -> list:
    patterns, _app_name, _namespace = api.urls  # recall.urls gives the same names
    for pattern in patterns:
        pattern.callback = _json_not_allowed(pattern.callback)
    return sorted(patterns, key=lambda pattern: pattern.name not in _FIRST)


# /api/v1/'s routes (recall.urls includes this module by name, lazily, as namespace
# "api-v1"; other paths under /api/ get recall.urls.api_not_found).
urlpatterns = _v1_urls()
