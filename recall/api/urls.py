from functools import wraps

from django.http import HttpResponseNotAllowed
from django.urls import path, re_path

from .errors import error_response, not_found_view
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


def _v1_urls():
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        pattern.callback = _json_not_allowed(pattern.callback)
    patterns = sorted(patterns, key=lambda pattern: pattern.name not in _FIRST)
    return patterns, app_name, namespace


urlpatterns = [
    path("v1/", _v1_urls()),
    # Anything else under /api/ (an unknown path, a slug or number that doesn't parse).
    re_path(r"", not_found_view),
]
