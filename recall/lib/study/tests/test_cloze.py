"""Cloze and heading cards from notes: examples from the reference page and demo, properties."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recall.conftest import DEMO_DIR, REFERENCE_PAGE
from recall.lib.resource_text import parse_resource_text
from recall.lib.study.cloze import (
    CLOZE,
    HEADING,
    HIDDEN,
    KEY_SPAN_KINDS,
    MAX_CANDIDATES,
    QA,
    STOP_WORDS,
    card_points,
    plain_text,
    point_spans,
    study_cards,
)


def _cards(path) -> list[tuple[str, str]]:
    parsed = parse_resource_text(path.read_text(encoding="utf-8"))
    return [(card.heading, card.body) for card in parsed.cards]


@pytest.fixture(scope="module")
def reference_cards():
    return study_cards(_cards(REFERENCE_PAGE))


def _cloze_for(cards, start: str):
    return next(c for c in cards if c.kind == CLOZE and c.point.startswith(start))


def test_it_hides_the_date_stalin_died(reference_cards):
    card = _cloze_for(reference_cards, "Stalin died in 1953")
    assert card.prompt.startswith("Stalin died in [...]. There was")
    assert card.answer == "1953"
    assert card.span.kind == "date"


def test_it_hides_the_warsaw_pact_not_the_opening_year(reference_cards):
    card = _cloze_for(reference_cards, "In 1955 he created")
    assert card.prompt.startswith("In 1955 he created the [...]. This was")
    assert card.answer == "Warsaw Pact"
    assert "1955" in [span.text for span in card.alternatives]


def test_it_makes_a_heading_card_with_the_bullets_as_answer(reference_cards):
    card = next(c for c in reference_cards if c.kind == HEADING and "Warsaw" in c.prompt)
    assert card.prompt == "The Warsaw Pact: what were its key points?"
    assert card.answer.split("\n")[0] == "One aspect of Stalin's policy did not change"
    assert len(card.answer.split("\n")) == 5
    assert card.card_position == 3


def test_a_card_without_heading_has_no_heading_card(reference_cards):
    assert not [c for c in reference_cards if c.kind == HEADING and c.card_position == 2]


def test_every_reference_point_gets_a_cloze(reference_cards):
    points = [p for _, body in _cards(REFERENCE_PAGE) for p in card_points(body)]
    assert len(points) == 19
    assert {c.point for c in reference_cards if c.kind == CLOZE} == set(points)


@pytest.mark.parametrize("path", sorted(DEMO_DIR.glob("*.*")), ids=lambda p: p.name)
def test_every_demo_point_gets_a_sound_cloze(path):
    cards = study_cards(_cards(path))
    clozes = [c for c in cards if c.kind == CLOZE]
    points = [p for _, body in _cards(path) for p in card_points(body)]
    assert len(clozes) == len(points)
    for card in clozes:
        assert card.answer.lower() not in STOP_WORDS
        assert card.answer != card.point
        assert card.prompt.count(HIDDEN) >= 1
    key = [c for c in clozes if c.span.kind in KEY_SPAN_KINDS]
    assert len(key) >= 0.75 * len(clozes)


def test_nine_in_ten_demo_clozes_hide_a_key_span():
    clozes = [
        card
        for path in sorted(DEMO_DIR.glob("*.*"))
        for card in study_cards(_cards(path))
        if card.kind == CLOZE
    ]
    key = [c for c in clozes if c.span.kind in KEY_SPAN_KINDS]
    assert len(key) >= 0.9 * len(clozes)


def test_it_reads_points_from_markdown():
    body = (
        "- **Mitosis** makes two [identical](https://example.org) cells.\n"
        "  It has four stages.\n"
        "1. Prophase comes first\n\n"
        "A paragraph about \\*chromosomes\\*.\n\n"
        "```\ncode is not a point\n```\n"
        "## A heading is not a point\n"
    )
    assert card_points(body) == [
        "Mitosis makes two identical cells. It has four stages.",
        "Prophase comes first",
        "A paragraph about *chromosomes*.",
    ]


def test_it_finds_numbers_with_their_units():
    spans = point_spans("The bay of the river is about 90 miles from the city.")
    assert spans[0].text == "90 miles"
    assert spans[0].kind == "number"


def test_it_finds_rare_terms_when_nothing_else_stands_out():
    spans = point_spans("Cells divide by mitosis to grow and repair tissue.")
    assert spans[0].text == "mitosis"
    assert spans[0].kind == "term"


def test_a_point_of_two_words_gets_no_cloze():
    assert [c.kind for c in study_cards([("", "- Stalin died.")])] == []


def test_flashcards_become_questions_and_answers():
    cards = study_cards([("What is mitosis?", "Cell division giving two identical cells.")],
                        kind="flashcards")  # fmt: skip
    assert [(c.kind, c.prompt, c.answer) for c in cards] == [
        (QA, "What is mitosis?", "Cell division giving two identical cells.")
    ]


def test_repeated_points_get_keys_of_their_own():
    cards = study_cards([("Dates", "- Stalin died in 1953."), ("Dates", "- Stalin died in 1953.")])
    assert len(cards) == 4
    assert len({card.key for card in cards}) == 4


def test_keys_stay_when_other_points_change():
    before = study_cards([("Causes", "- Stalin died in 1953.\n- Kruschev rose in 1955.")])
    after = study_cards([("Causes", "- Stalin died in 1953.\n- Kruschev rose to power in 1956.")])
    keys_before = {c.point: c.key for c in before if c.kind == CLOZE}
    keys_after = {c.point: c.key for c in after if c.kind == CLOZE}
    assert keys_before["Stalin died in 1953."] == keys_after["Stalin died in 1953."]
    assert keys_before["Kruschev rose in 1955."] not in keys_after.values()


# --- properties ----------------------------------------------------------------------------

_words = st.sampled_from(
    "Stalin died in 1953 the Warsaw Pact was a military alliance of 14 October 1962 and "
    "mitosis makes 2,000 cells he said it Berlin blockade June 1948 about 90 miles of by".split()
)
_points = st.lists(
    st.one_of(_words, st.text(min_size=1, max_size=12)), min_size=1, max_size=25
).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(_points)
def test_spans_are_sound(point):
    spans = point_spans(point)
    assert len(spans) <= MAX_CANDIDATES
    for span in spans:
        assert 0 <= span.start < span.end <= len(point)
        assert point[span.start : span.end] == span.text
        assert span.text.lower() not in STOP_WORDS
        assert span.text.strip() != point.strip()
    ranges = sorted((s.start, s.end) for s in spans)
    assert all(a[1] <= b[0] for a, b in zip(ranges, ranges[1:], strict=False))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.text(max_size=30), _points.map(lambda p: f"- {p}")), max_size=5))
def test_generation_is_deterministic_and_reversible(cards):
    first, second = study_cards(cards), study_cards(cards)
    assert first == second
    assert len({card.key for card in first}) == len(first)
    for card in first:
        if card.kind == CLOZE:
            span = card.span
            assert card.prompt == card.point[: span.start] + HIDDEN + card.point[span.end :]
            assert card.answer == span.text


@given(st.text(max_size=200))
def test_plain_text_never_fails(text):
    assert isinstance(plain_text(text), str)
