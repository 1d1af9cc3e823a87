"""Query correction against the index's vocabulary; pure, no database."""

from __future__ import annotations

from recall.lib import query_spelling
from recall.lib.query_spelling import QueryCorrector

VOCABULARY = {"missile": 12, "khrushchev": 3, "kruschev": 1, "blockade": 5, "cuba": 4}


def test_it_corrects_and_expands_words():
    correction = QueryCorrector(VOCABULARY).correct(("missle", "kruschev"))

    assert correction.corrected == ("missile", "kruschev")
    assert correction.changed
    assert correction.expanded == ("khrushchev",)


def test_a_word_is_looked_up_once_then_its_correction_is_kept(monkeypatch):
    corrector = QueryCorrector(VOCABULARY)
    first = corrector.correct(("missle", "kruschev"))
    lookups = []
    monkeypatch.setattr(corrector._symspell, "lookup", lambda *a, **k: lookups.append(a) or [])

    again = corrector.correct(("missle", "kruschev"))
    corrector.correct(("blockaid",))

    assert again == first
    assert len(lookups) == 1  # only the new word


def test_the_kept_corrections_are_bounded(monkeypatch):
    monkeypatch.setattr(query_spelling, "CACHED_WORDS", 2)
    corrector = QueryCorrector(VOCABULARY)

    corrector.correct(("missle", "blockaid", "cubba", "missile"))

    assert len(corrector._corrections) == 2
    corrector.forget_corrections()
    assert corrector._corrections == {}
