"""recall.operations.lazy_urls: an include imported on first use, and only then."""

from __future__ import annotations

import sys
import types

import pytest
from django.http import HttpResponse
from django.urls import clear_url_caches, path, resolve, reverse

from recall.operations.lazy_urls import lazy_include

TARGET = "recall.operations.tests.lazy_target_urls"


def _page(request):
    return HttpResponse("page")


@pytest.fixture
def urlconf(settings):
    sys.modules.pop(TARGET, None)
    module = types.ModuleType("lazy_root_urls")
    module.urlpatterns = [
        path("page/", _page, name="page"),
        lazy_include("lazy/", TARGET, namespace="lazy"),
    ]
    sys.modules[module.__name__] = module
    settings.ROOT_URLCONF = module.__name__
    clear_url_caches()
    yield module
    clear_url_caches()
    sys.modules.pop(module.__name__, None)


def test_reversing_and_resolving_other_paths_leaves_the_module_unimported(urlconf):
    assert reverse("page") == "/page/"  # populates the root resolver
    assert resolve("/page/").url_name == "page"
    assert TARGET not in sys.modules


def test_a_name_in_the_include_reverses_and_imports_it(urlconf):
    reverse("page")
    assert reverse("lazy:hello", kwargs={"number": 3}) == "/lazy/hello/3/"
    assert TARGET in sys.modules


def test_a_request_under_its_prefix_resolves_into_it(urlconf, client):
    response = client.get("/lazy/hello/7/")
    assert response.status_code == 200 and response.content == b"hello 7"
    assert resolve("/lazy/hello/7/").namespace == "lazy"
