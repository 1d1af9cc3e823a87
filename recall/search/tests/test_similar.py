"""Similar resources by content, within the subject, the same topic preferred."""

from __future__ import annotations

import pytest

from recall.community.actions import resource_set_hidden
from recall.lib.resource_text import ParsedCard, ParsedResource
from recall.library.actions import resource_import
from recall.library.models import Resource
from recall.search.models import SimilarResource
from recall.search.similar import key_terms, similar_resources

pytestmark = pytest.mark.django_db


def add(title, text, subject="History", topic="The Cold War"):
    parsed = ParsedResource(title, subject, topic, (ParsedCard("", f"- {text}"),))
    return resource_import(parsed, default_author="recall").resource


def test_key_terms_prefer_words_frequent_here_and_rare_elsewhere():
    terms = key_terms(
        "Sputnik",
        "Sputnik orbited the earth. The launch shocked America.",
        {"the": 90, "earth": 50, "sputnik": 1},
        100,
    )

    assert terms[0] == "sputnik"
    assert "the" not in terms


def test_it_lists_the_resource_that_shares_its_words_first():
    moon = add("The Moon Landing", "Apollo astronauts landed on the moon with a lunar module.")
    add("Berlin", "The wall divided the city.")
    add("Cuba", "Missiles were found on the island.")
    apollo = add("Apollo Programme", "The lunar module of Apollo carried astronauts to the moon.")

    similar = similar_resources(moon)

    assert similar[0] == apollo
    assert similar_resources(apollo)[0] == moon  # it joined the older resource's list


def test_the_same_topic_is_preferred_and_other_subjects_never_shown():
    base = add("Sputnik", "The satellite Sputnik beeped in orbit.")
    same_subject = add("Sputnik again", "Sputnik satellite orbit.", topic="Space")
    same_topic = add("Satellites", "A satellite in orbit beeped.")
    add("Sputnik biology", "Sputnik satellite orbit dogs.", subject="Biology", topic="Animals")

    similar = similar_resources(base)

    assert similar.index(same_topic) < similar.index(same_subject)
    assert all(resource.subject_id == base.subject_id for resource in similar)


def test_hidden_resources_leave_every_list(moderator):
    moon = add("The Moon Landing", "Apollo astronauts landed on the moon.")
    apollo = add("Apollo Programme", "Apollo astronauts and the moon.")
    assert SimilarResource.objects.filter(resource=moon, other=apollo).exists()

    resource_set_hidden(moderator, apollo, True)

    assert not SimilarResource.objects.filter(other=apollo).exists()
    assert apollo not in similar_resources(Resource.objects.get(pk=moon.pk))


def test_it_fills_in_by_topic_when_content_finds_too_few():
    lonely = add("Zebra crossings", "Qwerty zxcv.")
    other = add("Roads", "Cars drive.")

    assert similar_resources(lonely) == [other]
