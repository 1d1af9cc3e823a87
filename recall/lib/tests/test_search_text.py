"""The fast paths of search text agree with the long way round."""

from __future__ import annotations

import random
import string
import subprocess
import sys
import unicodedata
from pathlib import Path

import snowballstemmer
from hypothesis import example, given
from hypothesis import strategies as st

from recall.lib.search_text import (
    _WORD,
    MARK_END,
    MARK_START,
    _first_match,
    fold,
    highlight,
    markdown_plain_text,
    parse_query,
    rendered_plain_text,
    snippet,
    stem,
    words,
)

letters = st.characters(categories=["Lu", "Ll", "Lo", "Nl", "No"])
sentence = st.lists(st.text(letters, min_size=1, max_size=8), min_size=1, max_size=6).map(" ".join)
bullet_list = st.lists(
    st.tuples(sentence, st.booleans()).map(lambda s: "- " + s[0] + ("." if s[1] else "")),
    min_size=1,
    max_size=6,
).map("\n".join)


@given(bullet_list, st.booleans())
@example("- Hello world.\n- Foo bar baz.", True)
@example("- Café crème.\n- Über alles", False)
def test_plain_bullets_skip_the_parser_with_the_same_text(markdown, newline):
    markdown += "\n" if newline else ""

    assert markdown_plain_text(markdown) == rendered_plain_text(markdown)


@given(st.text(max_size=80))
@example("- A list\n\n- loose, with *emphasis* & <b>tags</b>")
@example("- 1. nested\n- two")
@example("- one\n---")
def test_any_markdown_gives_the_same_plain_text(markdown):
    assert markdown_plain_text(markdown) == rendered_plain_text(markdown)


@given(st.text(max_size=40))
@example("Éire KRUSCHEV ﬁn")
def test_fold_is_the_same_for_ascii_and_unicode(text):
    decomposed = unicodedata.normalize("NFKD", text)
    slow = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()

    assert fold(text) == slow


def test_a_snippet_is_cut_around_the_first_match_with_stems_marked():
    stems = parse_query("purges").stems
    text = (
        "Opening words. "
        + "filler " * 60
        + "The great Purge of 1937, and more purging. "
        + "end " * 40
    )

    cut = snippet(text, stems, words=10)

    assert cut.startswith("…filler filler filler The great \ue000Purge\ue001 of 1937")
    assert cut.endswith("…")
    assert len(cut.split()) == 10


def test_a_snippet_folds_accents_and_falls_back_to_the_opening_words():
    assert snippet("Writers met in a Café.", parse_query("cafe").stems) == (
        "Writers met in a \ue000Café\ue001."
    )
    assert snippet("Nothing matches here.", parse_query("cafe").stems) == "Nothing matches here."
    assert highlight("Stalin's Purges", parse_query("purge").stems) == (
        "Stalin's \ue000Purges\ue001"
    )


# Words whose stems end differently from them ("eyed" gives "ei", "happy" "happi",
# "durability" "durabl"), and random ones.
ascii_word = st.one_of(
    st.sampled_from(
        "eyed eye ay happy happiness durability durable purges Purge ponies relational "
        "hopping hop played agreed sensibility 1961 x2".split()
    ),
    st.text(st.sampled_from("abdeilnorstuyBEY"), min_size=1, max_size=10),
)
ascii_text = st.lists(
    st.tuples(ascii_word, st.sampled_from([" ", ", ", "-", "_", ". ", "'"])), max_size=12
).map(lambda parts: "".join(word + gap for word, gap in parts))


def stems_of(query: list[str]) -> frozenset[str]:
    return frozenset(stem(w) for q in query for w in words(q))


def matches(word: str, stems: frozenset[str]) -> bool:
    return stem(fold(word)) in stems


@given(ascii_text, st.lists(ascii_word, min_size=1, max_size=3))
@example("Eyed, eye and ey_eyed", ["eyed"])
@example("unhappy happiness happy", ["happy"])
@example("It's Bs and s", ["s"])  # "s" stems to ""
def test_ascii_text_is_highlighted_as_word_by_word(text, query):
    stems = stems_of(query)
    slow = _WORD.sub(
        lambda m: MARK_START + m.group() + MARK_END if matches(m.group(), stems) else m.group(),
        text,
    )
    first = next((m.start() for m in _WORD.finditer(text) if matches(m.group(), stems)), None)

    assert highlight(text, stems) == slow
    assert _first_match(text, stems) == first


def test_a_snippet_centres_on_a_word_whose_stem_is_not_its_beginning():
    text = "Opening words. " + "filler " * 60 + "The one-eyed king. " + "end " * 40

    assert "one-\ue000eyed\ue001 king" in snippet(text, parse_query("eyed").stems, words=10)


@given(st.text("abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=14))
@example("purges")
@example("eyed")
@example("s")
def test_stems_are_snowballs_porter_stems(word):
    assert stem(word) == snowballstemmer.stemmer("porter").stemWord(word)


def test_the_porter_stemmer_loads_without_snowballs_other_stemmers():
    code = "import sys; from recall.lib.search_text import stem; "
    code += "print(stem('purges'), 'snowballstemmer' in sys.modules)"
    found = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parents[3],
        capture_output=True,
        text=True,
        check=True,
    )
    assert found.stdout.split() == ["purg", "False"]


def test_words_are_those_of_the_regular_expression_after_folding():
    """words' ASCII path (translate and split) against the regular expression."""
    rng = random.Random(7)  # noqa: S311 - test data
    ascii_chars = [chr(c) for c in range(128)]
    others = ["é", "ß", "İ", "١", "²", "’", "\u00a0", "\u2028", "Ω"]
    samples = ["", " ", "Soviet-American détente", "Don't stop_now 1962.", "a\x1cb\x85c"]
    for _ in range(5000):
        alphabet = ascii_chars + (others if rng.random() < 0.3 else [])
        samples.append("".join(rng.choices(alphabet, k=rng.randint(0, 40))))
        samples.append(" ".join(rng.choices(string.ascii_letters + "., \n", k=rng.randint(0, 60))))
    for text in samples:
        assert words(text) == _WORD.findall(fold(text)), repr(text)
