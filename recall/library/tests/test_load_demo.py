"""manage.py load_demo: the demo library, loaded once into an empty database."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from recall.conftest import DEMO_DIR, REFERENCE_PAGE
from recall.library.models import Resource, Subject, Topic

pytestmark = pytest.mark.django_db


def load_demo(*args: str) -> str:
    out = StringIO()
    call_command("load_demo", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_the_demo_holds_the_reference_page_unchanged():
    assert (DEMO_DIR / "the-rise-of-kruschev.txt").read_bytes() == REFERENCE_PAGE.read_bytes()


def test_it_loads_the_demo_into_an_empty_library():
    out = load_demo()

    files = [p for p in DEMO_DIR.iterdir() if p.suffix in {".md", ".txt"}]
    assert Resource.objects.count() == len(files) >= 11
    assert Subject.objects.count() >= 3
    assert Topic.objects.count() >= 6
    assert Resource.objects.filter(
        title="The Rise of Kruschev", topic__name="The Cold War"
    ).exists()
    assert "/resources/the-rise-of-kruschev/" in out
    assert f"Loaded {len(files)} demo resources." in out


def test_it_leaves_a_library_with_content_alone():
    load_demo()
    count = Resource.objects.count()
    Resource.objects.filter(title="The Rise of Kruschev").update(view_count=5)

    out = load_demo()

    assert "demo content not loaded" in out
    assert Resource.objects.count() == count
    assert Resource.objects.get(title="The Rise of Kruschev").view_count == 5


def test_every_demo_resource_page_renders(client):
    load_demo()

    for resource in Resource.objects.all():
        response = client.get(resource.get_absolute_url())
        assert response.status_code == 200, resource.slug
        assert "Similar" in response.content.decode()
