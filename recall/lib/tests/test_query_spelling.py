"""Query correction against the index's vocabulary; pure, no database."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from symspellpy import SymSpell, Verbosity

from recall.lib import query_spelling
from recall.lib.query_spelling import QueryCorrector, Vocabulary

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
    monkeypatch.setattr(corrector.vocabulary, "near", lambda *a: lookups.append(a) or [])

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


def test_the_vocabulary_knows_its_words_and_their_counts():
    # Indexed words are folded (recall.lib.search_text.fold), but some letters stay.
    vocabulary = Vocabulary([("missile", 12), ("łodz", 2), ("ørsted", 1), ("gone", 0), ("x", 3)])

    assert "missile" in vocabulary and "łodz" in vocabulary and "ørsted" in vocabulary
    assert vocabulary.documents("missile") == 12 and vocabulary.documents("łodz") == 2
    # Words no document holds, and one-letter words, are left out, as the index does.
    assert "gone" not in vocabulary and "x" not in vocabulary and "missil" not in vocabulary
    assert vocabulary.documents("absent") == 0
    assert vocabulary.near("lodz") == ["łodz"]
    assert vocabulary.near("orstedt") == ["ørsted"]
    assert vocabulary.near("missle") == ["missile"]


def _symspellpy_closest(pairs: list[tuple[str, int]], word: str) -> list[str]:
    """What the corrector asked symspellpy before (prefix 5, distance 2, every match)."""
    symspell = SymSpell(max_dictionary_edit_distance=2, prefix_length=5)
    for term, count in pairs:
        symspell.create_dictionary_entry(term, count)
    found = symspell.lookup(word, Verbosity.ALL, max_edit_distance=2)
    found.sort(key=lambda s: (s.distance, -s.count))
    return [s.term for s in found if s.term != word]


# Few letters, so that words are often within two edits of each other, and few counts,
# so that ties are common.
_words = st.text(alphabet="abcde", min_size=2, max_size=9)


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(_words, st.integers(min_value=1, max_value=3), min_size=1, max_size=40),
    st.lists(st.text(alphabet="abcdef", min_size=3, max_size=10), min_size=1, max_size=5),
)
def test_near_finds_what_symspellpy_found_in_the_same_order(counts, words):
    pairs = list(counts.items())
    vocabulary = Vocabulary(pairs)
    for word in [*words, *counts]:
        if len(word) >= 3:
            assert vocabulary.near(word) == _symspellpy_closest(pairs, word), word
