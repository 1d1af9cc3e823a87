"""The search form's subject and topic lists: grouped, the choice kept, rendered once per
content version (not from every topic's model instance on every search page)."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from recall.library.models import Subject, Topic

pytestmark = pytest.mark.django_db


@pytest.fixture
def topics():
    history = Subject.objects.create(name="History", slug="history")
    biology = Subject.objects.create(name="Biology", slug="biology")
    return {
        "history": history,
        "biology": biology,
        "tudors": Topic.objects.create(subject=history, name="Tudors", slug="tudors"),
        "cold war": Topic.objects.create(subject=history, name="Cold War", slug="cold-war"),
        "cells": Topic.objects.create(subject=biology, name="Cells", slug="cells"),
        "pending": Topic.objects.create(
            subject=biology, name="Pending topic", slug="pending", is_approved=False
        ),
    }


def select(html: str, name: str) -> str:
    found = re.search(rf'<select[^>]* name="{name}"[^>]*>(.*?)</select>', html, re.DOTALL)
    assert found, html
    return found.group(1)


def chosen(options: str) -> list[str]:
    return re.findall(r'<option value="([^"]*)" selected>', options)


def test_topics_are_grouped_under_their_subject_and_the_choice_is_kept(client, topics):
    cells, biology = topics["cells"], topics["biology"]

    html = client.get("/search/", {"q": "nucleus", "topic": cells.pk, "subject": biology.pk})
    html = html.content.decode()

    options = select(html, "topic")
    assert re.findall(r'<optgroup label="([^"]+)">', options) == ["Biology", "History"]
    assert options == (
        '<option value="">Any</option>'
        f'<optgroup label="Biology"><option value="{cells.pk}" selected>Cells</option></optgroup>'
        '<optgroup label="History">'
        f'<option value="{topics["cold war"].pk}">Cold War</option>'
        f'<option value="{topics["tudors"].pk}">Tudors</option></optgroup>'
    )
    assert chosen(select(html, "subject")) == [str(biology.pk)]
    assert "Pending topic" not in html


def test_nothing_chosen_or_a_value_no_option_has_shows_any(client, topics):
    for params in ({"q": "cells"}, {"q": "cells", "topic": "999999", "subject": "x"}):
        html = client.get("/search/", params).content.decode()

        assert chosen(select(html, "topic")) == [""]
        assert chosen(select(html, "subject")) == [""]


def test_the_options_render_once_per_content_version(client, topics):
    client.get("/search/", {"q": "cells"})

    with CaptureQueriesContext(connection) as queries:
        html = client.get("/search/", {"q": "cells"}).content.decode()

    assert "Tudors" in html
    assert not [q["sql"] for q in queries if Topic._meta.db_table in q["sql"]]
    # A new topic is a change of content: the next page lists it.
    Topic.objects.create(subject=topics["history"], name="Victorians", slug="victorians")
    assert "Victorians" in select(client.get("/search/").content.decode(), "topic")


def test_subject_and_topic_names_are_escaped(client, topics):
    Subject.objects.filter(pk=topics["biology"].pk).update(name='Bio "<b>" & co')
    Topic.objects.create(subject=topics["biology"], name="<script>x</script>", slug="x")

    html = client.get("/search/").content.decode()

    assert '<optgroup label="Bio &quot;&lt;b&gt;&quot; &amp; co">' in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html
    assert "<script>x" not in html
