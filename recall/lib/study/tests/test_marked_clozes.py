"""Flashcards written in Anki's cloze syntax become clozes of the marked spans."""

from __future__ import annotations

from recall.lib.study import cloze


def _cards(body: str, heading: str = "") -> list[cloze.StudyCard]:
    return cloze.study_cards([(heading, body)], kind="flashcards")


def test_each_cloze_number_is_a_question_hiding_all_its_spans():
    cards = _cards("{{c1::Stalin}} and {{c1::Lenin}} led the {{c2::USSR::country}}")
    assert [(c.prompt, c.answer, c.span.kind) for c in cards] == [
        ("[...] and [...] led the USSR", "Stalin; Lenin", cloze.MARKED),
        ("Stalin and Lenin led the [country]", "USSR", cloze.MARKED),
    ]
    assert len({c.key for c in cards}) == 2


def test_a_card_with_clozes_asks_only_them_and_keeps_its_keys():
    body = "Stalin died in {{c1::1953}}\n\nNo cloze here\n\n> back extra"
    cards = _cards(body, heading="A heading")
    assert [c.prompt for c in cards] == ["Stalin died in [...]"]
    assert [c.key for c in _cards(body, heading="Another heading")] == [cards[0].key]


def test_notes_resources_ignore_the_syntax():
    cards = cloze.study_cards([("", "- Stalin died in {{c1::1953}} in Moscow.")])
    assert all(card.span.kind != cloze.MARKED for card in cards if card.span)


def test_cloze_text_reads_as_the_reader_sees_it():
    assert cloze.cloze_text("{{c1::Stalin}} died in {{c2::1953::year}}") == "Stalin died in 1953"
