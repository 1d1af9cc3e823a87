"""The quality checks' pure core: spelling, names, real-word errors, style and ranges."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recall.conftest import DEMO_DIR
from recall.lib.quality import (
    Confidence,
    Finding,
    Kind,
    Vocabulary,
    check_text,
    read_word_list,
    replace_range,
)
from recall.lib.quality.findings import StaleRange
from recall.lib.quality.markdown_text import HIDDEN, visible_text
from recall.lib.quality.typos import typo_cost
from recall.lib.quality.vocabulary import document_terms
from recall.lib.resource_text import parse_resource_text

WORDLISTS = Path(__file__).resolve().parents[2] / "quality" / "wordlists"


@pytest.fixture(scope="module")
def vocabulary() -> Vocabulary:
    return Vocabulary(
        entry for path in sorted(WORDLISTS.glob("*.txt")) for entry in read_word_list(path)
    )


def check(body: str, vocabulary: Vocabulary | None = None, heading: str = "") -> list[Finding]:
    return check_text([(heading, body)], vocabulary)


@pytest.fixture(scope="module")
def reference_findings(reference_text, vocabulary) -> tuple[list[Finding], list]:
    parsed = parse_resource_text(reference_text)
    cards = [(card.heading, card.body) for card in parsed.cards]
    return check_text(cards, vocabulary, title=parsed.title), cards


# The reference page's mistakes that the issue lists, with the right first fix.
REFERENCE_MISTAKES = [
    ("Kruschev", Kind.MISSPELLING, "Khrushchev"),
    ("greif", Kind.MISSPELLING, "grief"),
    ("co-existance", Kind.MISSPELLING, "coexistence"),
    ("independance", Kind.MISSPELLING, "independence"),
    ("astonoshing", Kind.MISSPELLING, "astonishing"),
    ("hopefull", Kind.MISSPELLING, "hopeful"),
    ("he", Kind.STYLE, "He"),
    ("allowance", Kind.REAL_WORD, "alliance"),
    ("Marshall", Kind.REAL_WORD, "Marshal"),
]


@pytest.mark.parametrize(("text", "kind", "fix"), REFERENCE_MISTAKES)
def test_it_finds_every_listed_mistake_of_the_reference_page(reference_findings, text, kind, fix):
    findings, _ = reference_findings

    found = [f for f in findings if f.text == text]

    assert found, f"{text!r} not found"
    assert all(f.kind == kind and f.suggestions[0] == fix for f in found)
    if kind == Kind.MISSPELLING:
        assert all(f.confidence == Confidence.HIGH for f in found)
    if kind == Kind.REAL_WORD:
        assert all(f.confidence == Confidence.LOW for f in found)


def test_every_reference_finding_is_a_listed_mistake(reference_findings):
    findings, cards = reference_findings

    assert {f.text for f in findings} == {text for text, _, _ in REFERENCE_MISTAKES}
    # Kruschev: the title, the first card's heading and five times in the text.
    assert sum(f.text == "Kruschev" for f in findings) == 7
    assert [f.location for f in findings if f.text == "he"] == ["card 1"]
    for finding in findings:
        stored = "The Rise of Kruschev" if finding.card is None else None
        if stored is None:
            heading, body = cards[finding.card]
            stored = heading if finding.field == "heading" else body
        assert stored[finding.start : finding.end] == finding.text


@pytest.mark.parametrize("path", sorted(DEMO_DIR.glob("*.md")), ids=lambda p: p.name)
def test_the_demo_content_has_no_finding(path, vocabulary):
    parsed = parse_resource_text(path.read_text(encoding="utf-8"))
    cards = [(card.heading, card.body) for card in parsed.cards]

    assert check_text(cards, vocabulary, title=parsed.title) == []


def test_subject_names_are_never_flagged(vocabulary):
    body = "- Khrushchev, Molotov and Marshal Tito; Cominform and the Gulag; the Marshall Plan."

    assert check(body, vocabulary) == []


def test_a_name_spelled_two_ways_is_an_inconsistency():
    findings = check("- Mikoyan met Castro. Later Mikoyan and Mikoyen flew home.")

    (finding,) = [f for f in findings if f.text == "Mikoyen"]
    assert finding.kind == Kind.INCONSISTENCY and finding.confidence == Confidence.HIGH
    assert finding.suggestions[0] == "Mikoyan"
    assert "Mikoyan" in finding.message


def test_a_known_and_an_unknown_spelling_report_the_unknown_one(vocabulary):
    findings = check("- Khrushchev rose. Kruschev fell.", vocabulary)

    assert [(f.text, f.kind, f.suggestions[0]) for f in findings] == [
        ("Kruschev", Kind.INCONSISTENCY, "Khrushchev")
    ]


def test_british_and_american_spellings_and_possessives_are_fine():
    body = "- The programme's colour and the program's color: Stalin's theatre, didn't they?"

    assert check(body) == []


def test_case_follows_the_word_typed_and_capitals_are_acronyms():
    findings = check("- Independance and independance, but not NATO or USSR or ZZQX.")

    assert [f.suggestions[0] for f in findings] == ["Independence", "independence"]


def test_markdown_syntax_code_and_urls_are_not_checked():
    body = (
        "- See [the tretay](https://example.org/qwxz_zzkq) and `wrnog code` or "
        "<https://exmaple.org/x>.\n\n```\nnot chekced at all\n```\n\n**Bold** *itlaic*"
    )

    findings = check(body)

    assert [(f.text, f.suggestions[0]) for f in findings] == [
        ("tretay", "treaty"),
        ("itlaic", "italic"),
    ]
    for finding in findings:
        assert body[finding.start : finding.end] == finding.text


def test_style_sentence_case_spaces_and_brackets():
    body = (
        "- It ended. the war went on.\n- Two  spaces here , and (an open bracket.\n"
        '- A "quote that never closes.\n- e.g. this is fine, as is 7. pH varies, and a) b) iv) lists.'
    )

    found = {(f.rule, f.text): f for f in check(body) if f.kind == Kind.STYLE}

    assert set(found) == {
        ("sentence-case", "the"),
        ("double-space", "  "),
        ("space-before-punctuation", " "),
        ("unbalanced", "("),
        ("unbalanced", '"'),
    }
    assert found[("sentence-case", "the")].suggestions == ("The",)
    assert found[("double-space", "  ")].suggestions == (" ",)
    assert found[("space-before-punctuation", " ")].suggestions == ("",)


def test_a_closing_bracket_without_an_opening_one():
    (finding,) = check("- A stray one) here.")

    assert (finding.rule, finding.text) == ("unbalanced", ")")


def test_list_markers_and_indentation_are_not_double_spaces():
    assert check("-   Indented point\n    continued here\n1.  Numbered  \n") == []


def test_hyphenated_words_are_checked_as_wholes_and_parts():
    findings = check("- Post-war co-operation and a well-knwon anti-communist.")

    assert [(f.text, f.suggestions[0]) for f in findings] == [("well-knwon", "well-known")]


def test_ranking_prefers_the_cheap_slip():
    assert typo_cost("hopefull", "hopeful") < typo_cost("hopefull", "hopefully")
    assert typo_cost("greif", "grief") < typo_cost("greif", "great")
    assert typo_cost("same", "same") == 0


def test_corpus_pairs_find_real_word_errors_without_word_lists():
    vocabulary = Vocabulary(corpus_pairs=[("military", "alliance")])

    (finding,) = check("- The Warsaw Pact was a military allowance.", vocabulary)

    assert (finding.kind, finding.text, finding.suggestions) == (
        Kind.REAL_WORD,
        "allowance",
        ("alliance",),
    )
    assert "military alliance" in finding.message


def test_document_terms_reads_the_visible_words_and_pairs():
    words, pairs = document_terms("Title", [("Head", "- A **military alliance** at `code`.")])

    assert {"title", "head", "military", "alliance", "at"} <= words and "code" not in words
    assert ("military", "alliance") in pairs


def test_fingerprints_ignore_position_but_not_what_was_found():
    first = check("- Greif here.")[0]
    moved = check("- Much later in the text: greif here.")[0]
    other = check("- Greef here.")[0]

    assert first.fingerprint == check("- Greif there.")[0].fingerprint
    assert first.fingerprint != moved.fingerprint  # "Greif" and "greif" differ
    assert first.fingerprint != other.fingerprint


def test_findings_round_trip_as_dicts():
    finding = check("- greif")[0]

    assert Finding.from_dict(finding.to_dict()) == finding
    assert finding.to_dict()["id"] == finding.fingerprint


def test_replace_range_refuses_stale_text():
    assert replace_range("a greif b", 2, 7, "greif", "grief") == "a grief b"
    with pytest.raises(StaleRange):
        replace_range("a grief b", 2, 7, "greif", "grief")
    with pytest.raises(StaleRange):
        replace_range("short", 2, 70, "ort", "x")


@given(st.text(max_size=300))
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_visible_text_keeps_every_offset(text):
    visible = visible_text(text)

    assert len(visible) == len(text)
    assert all(v in (c, HIDDEN) or c == "\r" for v, c in zip(visible, text, strict=True))


markdownish = st.text(
    alphabet=st.sampled_from(list("ab eiKr.,;!?()[]{}\"'“”‘’`*_~#-\n>|&\\:/0123456789 ")),
    max_size=200,
)


@given(
    st.lists(
        st.tuples(st.text(max_size=40), st.one_of(st.text(max_size=200), markdownish)), max_size=3
    ),
    st.text(max_size=40),
)
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_text_gives_findings_whose_ranges_slice_to_their_text(cards, title):
    findings = check_text(cards, title=title)

    for finding in findings:
        if finding.card is None:
            stored = title
        else:
            heading, body = cards[finding.card]
            stored = heading if finding.field == "heading" else body
        assert 0 <= finding.start <= finding.end <= len(stored)
        assert stored[finding.start : finding.end] == finding.text
        assert finding.text not in finding.suggestions
        # Accepting any suggestion replaces exactly that range.
        for suggestion in finding.suggestions:
            fixed = replace_range(stored, finding.start, finding.end, finding.text, suggestion)
            assert fixed == stored[: finding.start] + suggestion + stored[finding.end :]
