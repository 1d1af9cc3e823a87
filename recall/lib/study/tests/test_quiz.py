"""Quiz logic: typed answers forgive small typos but never a wrong digit; distractors share
the answer's type, come from the same topic first, and follow the seed."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from recall.lib.study.quiz import (
    CLOSE,
    DATE,
    EXACT,
    NAME,
    NUMBER,
    TERM,
    TEXT,
    WRONG,
    Material,
    QuizItem,
    answer_type,
    build_quiz,
    check_typed,
    distractors,
    edit_distance,
    fold,
    is_right_choice,
)


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("The Warsaw-Pact!", "warsaw pact"),
        ("  Khrushchëv ", "khrushchev"),
        ("1950's", "1950s"),
        ("2,000 men", "2000 men"),
        ("2.7 million.", "2.7 million"),
        ("É. Zola", "e zola"),
        ("a blockade", "blockade"),
    ],
)
def test_it_folds_case_accents_punctuation_and_articles(text, folded):
    assert fold(text) == folded


@pytest.mark.parametrize(
    ("given", "expected", "result"),
    [
        ("1953", "1953", EXACT),
        ("the warsaw pact", "Warsaw Pact", EXACT),
        ("Kruschev", "Khrushchev", CLOSE),  # two letters in ten
        ("warsaw pakt", "Warsaw Pact", CLOSE),
        ("14 octobr 1962", "14 October 1962", CLOSE),
        ("mitsois", "mitosis", CLOSE),  # a transposition is one edit
        ("1935", "1953", WRONG),  # a different year, whatever the edit distance
        ("1954", "1953", WRONG),
        ("14 October 1963", "14 October 1962", WRONG),
        ("2.8 million", "2.7 million", WRONG),
        ("90", "90 miles", WRONG),
        ("cat", "car", WRONG),  # short answers must be exact
        ("Berlin", "Bonn", WRONG),
        ("", "1953", WRONG),
        ("Yugoslavia and Albania", "Yugoslavia", WRONG),
    ],
)
def test_typed_answers(given, expected, result):
    assert check_typed(given, expected) == result


@given(st.integers(min_value=1000, max_value=2099), st.integers(min_value=1000, max_value=2099))
def test_a_different_year_never_passes(year, typed):
    if year != typed:
        assert check_typed(str(typed), str(year)) == WRONG


def test_edit_distance_counts_transpositions_once():
    assert edit_distance("mitosis", "mitosis") == 0
    assert edit_distance("mitosis", "imtosis") == 1
    assert edit_distance("kitten", "sitting") == 3
    assert edit_distance("", "abc") == 3


@pytest.mark.parametrize(
    ("answer", "span_kind", "kind"),
    [
        ("1953", "", DATE),
        ("14 October 1962", "", DATE),
        ("1950s", "", DATE),
        ("90 miles", "", NUMBER),
        ("Warsaw Pact", "", NAME),
        ("mitosis", "", TERM),
        ("prisoners", "keyword", TERM),
        ("He gave a speech to the party", "", TEXT),
        ("Yugoslavia", "name", NAME),
    ],
)
def test_answer_types(answer, span_kind, kind):
    assert answer_type(answer, span_kind) == kind


def rng(seed: int) -> random.Random:
    return random.Random(seed)  # noqa: S311 - a reproducible quiz, not a secret


STALIN = QuizItem(1, "Stalin died in [...].", "1953", DATE, topic_id=1, subject_id=1)
MATERIAL = [
    Material("1953", DATE, 1, 1),  # the answer itself
    Material("1955", DATE, 1, 1),
    Material("1956", DATE, 1, 1),
    Material("Warsaw Pact", NAME, 1, 1),
    Material("1961", DATE, 2, 1),
    Material("1917", DATE, 3, 1),
    Material("1066", DATE, 4, 2),  # another subject
    Material("Bay of Pigs", NAME, 2, 1),
    Material("Marshall Tito", NAME, 1, 1),
]


def test_distractors_share_the_type_and_prefer_the_topic():
    chosen = distractors(STALIN, MATERIAL, rng(1))
    assert len(chosen) == 3
    assert {"1955", "1956"} <= set(chosen)  # the topic's dates first
    assert set(chosen) <= {"1955", "1956", "1961", "1917"}  # then the subject's, never 1066
    name = QuizItem(2, "He invited [...] to Moscow", "Marshall Tito", NAME, 1, 1)
    assert distractors(name, MATERIAL, rng(1)) == ["Warsaw Pact", "Bay of Pigs"]


def test_distractors_never_repeat_the_answer_or_give_it_away():
    item = QuizItem(3, "In 1955 Kruschev rose to power, and in [...] he spoke.", "1956", DATE, 1, 1)
    chosen = distractors(item, MATERIAL, rng(4))
    assert "1956" not in chosen and "1955" not in chosen  # 1955 is in the question
    assert len({fold(answer) for answer in chosen}) == len(chosen)


def test_dates_and_numbers_get_made_up_neighbours_when_material_is_short():
    lonely = QuizItem(4, "The wall fell in [...].", "1989", DATE, 9, 9)
    chosen = distractors(lonely, MATERIAL, rng(2))
    assert len(chosen) == 3 and all(1979 <= int(answer) <= 1999 for answer in chosen)
    decade = distractors(QuizItem(5, "In the [...]", "1950s", DATE, 9, 9), [], rng(2))
    assert all(answer.endswith("0s") and answer != "1950s" for answer in decade)
    troops = distractors(QuizItem(6, "[...] fled", "2.7 million", NUMBER, 9, 9), [], rng(2))
    assert len(troops) == 3 and all(answer.endswith(" million") for answer in troops)
    assert "2.7 million" not in troops
    assert distractors(QuizItem(7, "[...] is a term", "mitosis", TERM, 9, 9), [], rng(2)) == []


def test_a_quiz_follows_its_seed():
    items = [
        STALIN,
        QuizItem(2, "He invited [...] to Moscow", "Marshall Tito", NAME, 1, 1),
        QuizItem(8, "A very long answer", "x" * 200, TEXT, 1, 1),  # too long to quiz
        QuizItem(9, "[...] is a term", "mitosis", TERM, 1, 1),
    ]
    first = build_quiz(items, MATERIAL, seed=7)
    assert first == build_quiz(list(reversed(items)), MATERIAL, seed=7)
    assert {question.item_id for question in first} == {1, 2, 9}
    assert any(build_quiz(items, MATERIAL, seed=seed) != first for seed in range(8, 20))
    by_id = {question.item_id: question for question in first}
    assert by_id[1].is_choice and "1953" in by_id[1].choices and len(by_id[1].choices) == 4
    assert not by_id[9].is_choice  # no other term: typed
    assert is_right_choice("1953", by_id[1]) and not is_right_choice("1955", by_id[1])
    typed = build_quiz(items, MATERIAL, seed=7, choice=False)
    assert all(question.choices == () for question in typed)
    assert len(build_quiz(items, MATERIAL, seed=7, length=2)) == 2
