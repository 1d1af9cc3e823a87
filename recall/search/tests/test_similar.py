"""Similar resources by content, within the subject, the same topic preferred."""

from __future__ import annotations

import pytest

from recall.community.actions import resource_set_hidden
from recall.lib.resource_text import ParsedCard, ParsedResource
from recall.library.actions import resource_import
from recall.library.models import Resource
from recall.search.models import SimilarResource, SimilarTerm
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


def test_ranking_matches_the_plain_way_on_random_postings():
    """rank_similar, written for speed, against the way it was first written."""
    import heapq
    import random

    from recall.search.similar import KEPT, SAME_TOPIC_BONUS, rank_similar

    def plain(resource_id, topic_id, terms, postings, topics):
        overlap = {}
        for term, weight in terms:
            for other, other_weight in postings.get(term, ()):
                if other != resource_id:
                    overlap[other] = overlap.get(other, 0.0) + weight * other_weight
        if not overlap:
            return []
        best = max(overlap.values())
        scored = [
            (other, score / best + (SAME_TOPIC_BONUS if topics[other] == topic_id else 0.0))
            for other, score in overlap.items()
        ]
        return heapq.nsmallest(KEPT, scored, key=lambda item: (-item[1], item[0]))

    rng = random.Random(7)  # noqa: S311 - test data
    for _ in range(1000):
        # Up to 120 resources: most matches are left unscored once no later one can enter.
        resources = range(rng.randint(1, 120))
        topics = {pk: rng.randint(1, 3) for pk in resources}
        # Few distinct weights: many ties, which the resource's id must break.
        postings = {
            term: [(pk, rng.choice((0.25, 0.5, 1.0))) for pk in rng.sample(resources, k)]
            for term in "abcdef"
            for k in [rng.randint(0, len(resources))]
        }
        terms = [(term, rng.choice((0.1, 0.3, 0.7))) for term in rng.sample("abcdefg", 4)]
        pk = rng.choice(resources)
        assert rank_similar(pk, topics[pk], terms, postings, topics) == plain(
            pk, topics[pk], terms, postings, topics
        )


def test_a_rebuild_that_ranks_in_two_processes_stores_the_same_lists(monkeypatch):
    from recall.search import similar
    from recall.search.index import search_rebuild

    for n, topic in enumerate(["The Cold War"] * 4 + ["Space"] * 3):
        add(f"Apollo {n}", f"Apollo lunar module orbit {'moon ' * n}astronauts.", topic=topic)

    def lists():
        return sorted(SimilarResource.objects.values_list("resource_id", "other_id", "score"))

    def key_words():  # weighed in two processes too, and written in the same order
        return list(SimilarTerm.objects.order_by("pk").values_list("resource_id", "term", "weight"))

    search_rebuild()
    alone, alone_words = lists(), key_words()
    monkeypatch.setattr(similar, "PARALLEL_FROM", 1)
    monkeypatch.setattr(similar, "KEY_ROUND", 4)  # two rounds, the second of 3
    search_rebuild()

    assert lists() == alone and len(alone) > 7
    assert key_words() == alone_words and len(alone_words) > 7 * 3


def _doubled(items: list) -> list:
    return [2 * item for item in items]


@pytest.mark.parametrize("forked", [False, True])
def test_in_two_processes_applies_then_while_the_meanwhile_call_still_runs(monkeypatch, forked):
    import threading

    from recall.search import similar

    monkeypatch.setattr(similar, "PARALLEL_FROM", 1 if forked else 100)
    applied = threading.Event()
    seen = {}

    def meanwhile() -> None:  # waits until `then` has run: in another thread if forked
        seen["meanwhile"] = threading.get_ident()
        if forked:
            assert applied.wait(timeout=30)

    def then(result: list) -> tuple:
        seen["then"] = threading.get_ident()
        applied.set()
        return tuple(result)

    assert similar._in_two_processes(_doubled, [1, 2, 3], meanwhile, then) == (2, 4, 6)
    assert (seen["then"] != seen["meanwhile"]) is forked
    assert similar._in_two_processes(_doubled, [1, 2, 3], then=then) == (2, 4, 6)


def test_in_two_processes_raises_what_went_wrong_and_leaves_no_process(monkeypatch):
    import multiprocessing

    from recall.search import similar

    monkeypatch.setattr(similar, "PARALLEL_FROM", 1)

    def broken_then(result: list) -> None:
        raise ValueError("the merge failed")

    def broken_meanwhile() -> None:
        raise KeyError("the writing failed")

    with pytest.raises(ValueError, match="the merge failed"):
        similar._in_two_processes(_doubled, [1, 2], lambda: None, broken_then)
    with pytest.raises(KeyError, match="the writing failed"):
        similar._in_two_processes(_doubled, [1, 2], broken_meanwhile, _doubled)
    assert multiprocessing.active_children() == []
