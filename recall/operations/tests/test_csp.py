"""recall.operations.csp: django-csp's headers, the same, with the policy built once."""

from __future__ import annotations

import pytest
from csp import constants
from csp.decorators import csp, csp_exempt, csp_replace, csp_update
from csp.middleware import CSPMiddleware
from django.conf import settings
from django.http import HttpResponse, HttpResponseRedirect
from django.test import RequestFactory, override_settings

from recall.operations import csp as cached_csp
from recall.operations.csp import CachedCSPMiddleware

OURS = "recall.operations.csp.CachedCSPMiddleware"
DJANGO_CSP = "csp.middleware.CSPMiddleware"
HEADERS = ("Content-Security-Policy", "Content-Security-Policy-Report-Only")


def test_it_replaces_django_csp_in_the_middleware():
    assert OURS in settings.MIDDLEWARE
    assert DJANGO_CSP not in settings.MIDDLEWARE


def _with_django_csp():
    return override_settings(
        MIDDLEWARE=[DJANGO_CSP if name == OURS else name for name in settings.MIDDLEWARE]
    )


def _headers(response) -> dict:
    return {name: response.headers.get(name) for name in HEADERS}


@pytest.mark.django_db
def test_every_kind_of_page_has_the_header_django_csp_gives_it(client, populated, author):
    slug = populated["own"].slug
    anonymous = [
        ("get", "/accounts/settings/", 302),  # a redirect to log in
        ("get", "/no-such-page/", 404),  # an error page
        ("get", "/api/v1/subjects", 200),  # API JSON
        ("get", "/api/v1/no-such-thing", 404),  # an API error
        ("get", "/api/v1/docs", 200),  # the API docs (ninja's page)
        ("get", "/healthz", 200),
    ]
    logged_in = [
        ("get", "/", 200),  # an HTML page
        ("get", f"/resources/{slug}/", 200),
        ("post", f"/study/resources/{slug}/", 302),  # a form's redirect
        ("get", "/study/review/", 200),
    ]

    def run():
        seen = []
        client.logout()
        for method, path, status in anonymous:
            response = getattr(client, method)(path)
            assert response.status_code == status, path
            seen.append((path, _headers(response)))
        client.force_login(author)
        for method, path, status in logged_in:
            response = getattr(client, method)(path)
            assert response.status_code == status, path
            seen.append((path, _headers(response)))
        return seen

    ours = run()
    with _with_django_csp():
        theirs = run()
    assert ours == theirs
    for path, headers in ours:
        # (django-csp orders the directives as a set does: not the same in every process)
        assert "default-src 'self';" in headers["Content-Security-Policy"] + ";", path


def _view(redirect=False):
    def view(request):
        return HttpResponseRedirect("/elsewhere/") if redirect else HttpResponse("a page")

    return view


def _read_nonce(request):
    return HttpResponse(f"nonce {request.csp_nonce}")


def _header_set(request):
    response = HttpResponse("its own")
    response["Content-Security-Policy"] = "default-src 'none'"
    return response


VIEWS = {
    "plain": _view(),
    "redirect": _view(redirect=True),
    "not found": lambda request: HttpResponse("gone", status=404),
    "update": csp_update({"img-src": ["https://example.org"]})(_view()),
    "replace": csp_replace({"script-src": ["'self'", "https://example.org"]})(_view()),
    "config": csp({"default-src": ["'none'"]})(_view()),
    "exempt": csp_exempt()(_view()),
    "update report-only": csp_update({"img-src": ["https:"]}, REPORT_ONLY=True)(_view()),
    "exempt report-only": csp_exempt(REPORT_ONLY=True)(_view()),
    "nonce read": _read_nonce,
    "header already set": _header_set,
}

REPORT_ONLY = {
    "DIRECTIVES": {"default-src": ["'self'"], "script-src": [constants.SELF, constants.NONCE]},
    "EXCLUDE_URL_PREFIXES": ["/skipped-ro/"],
}
WITH_NONCE_AND_EXCLUSIONS = {
    "DIRECTIVES": {"default-src": ["'self'"], "script-src": [constants.SELF, constants.NONCE]},
    "EXCLUDE_URL_PREFIXES": ["/skipped/"],
}

SETTINGS = {
    "the project's": {},
    "report-only too": {"CONTENT_SECURITY_POLICY_REPORT_ONLY": REPORT_ONLY},
    "a nonce and exclusions": {"CONTENT_SECURITY_POLICY": WITH_NONCE_AND_EXCLUSIONS},
    "report-only alone": {
        "CONTENT_SECURITY_POLICY": None,
        "CONTENT_SECURITY_POLICY_REPORT_ONLY": REPORT_ONLY,
    },
    "debug": {"DEBUG": True},
}


def _answer(middleware_class, view, path):
    request = RequestFactory().get(path)
    middleware = middleware_class(view)
    response = middleware(request)
    # Reading the nonce after the header is written fails under both.
    assert request.csp_nonce is not None
    return _headers(response), response.content


def _answer_nonce_after(middleware_class):
    request = RequestFactory().get("/")
    middleware_class(_view())(request)
    with pytest.raises(Exception) as raised:
        str(request.csp_nonce)
    return type(raised.value)


@pytest.mark.parametrize("setting", SETTINGS)
@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("path", ["/page/", "/skipped/page/", "/skipped-ro/page/"])
def test_each_case_matches_django_csp(setting, view, path):
    with override_settings(**SETTINGS[setting]):
        ours = _answer(CachedCSPMiddleware, VIEWS[view], path)
        theirs = _answer(CSPMiddleware, VIEWS[view], path)
    if view == "nonce read":  # a new nonce each time: compare without it
        ours, theirs = (
            (
                {k: v and v.split("'nonce-")[0] for k, v in headers.items()},
                content.split(b" ")[0],
            )
            for headers, content in (ours, theirs)
        )
    assert ours == theirs


def test_reading_the_nonce_after_the_response_fails_as_with_django_csp():
    assert _answer_nonce_after(CachedCSPMiddleware) is _answer_nonce_after(CSPMiddleware)


def test_the_policy_is_built_once_until_the_setting_changes(monkeypatch):
    built = []
    real = cached_csp.build_policy

    def counting(*args, **kwargs):
        built.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(cached_csp, "build_policy", counting)
    middleware = CachedCSPMiddleware(_view())
    for _ in range(5):
        middleware(RequestFactory().get("/"))
    assert len(built) == 2  # the policy and the report-only policy, once
    with override_settings(CONTENT_SECURITY_POLICY={"DIRECTIVES": {"default-src": ["'none'"]}}):
        response = middleware(RequestFactory().get("/"))
        assert response["Content-Security-Policy"] == "default-src 'none'"
    assert len(built) == 4
    assert (
        "default-src 'self';"
        in middleware(RequestFactory().get("/"))["Content-Security-Policy"] + ";"
    )
