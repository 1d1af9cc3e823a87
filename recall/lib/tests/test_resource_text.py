"""The resource parser: the reference page exactly, the Markdown format, every refusal."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from recall.lib.rendering import render_markdown
from recall.lib.resource_text import (
    MAX_CARD_LENGTH,
    MAX_CARDS,
    MAX_TITLE_LENGTH,
    ParsedCard,
    ParsedResource,
    ResourceFormatError,
    decode_resource_bytes,
    format_markdown_resource,
    markdown_escape,
    parse_level,
    parse_resource_text,
)

# --- the reference page ----------------------------------------------------------------


def bullets(card: ParsedCard) -> list[str]:
    return [line[2:] for line in card.body.split("\n") if line.startswith("- ")]


def test_it_reads_the_reference_page_exactly(reference_text):
    parsed = parse_resource_text(reference_text)

    assert parsed.title == "The Rise of Kruschev"
    assert parsed.subject == "History"
    assert parsed.topic == "The Cold War"
    assert parsed.source_format == "scraped"
    assert [card.heading for card in parsed.cards] == [
        "The Rise of Kruschev -Background",
        "",
        "The Warsaw Pact",
    ]
    assert [len(bullets(card)) for card in parsed.cards] == [6, 8, 5]


def test_it_keeps_the_reference_page_text_exactly_typos_included(reference_text):
    parsed = parse_resource_text(reference_text)
    first, second, third = (bullets(card) for card in parsed.cards)

    assert first[0] == (
        "For many years the USSR pictured Stalin as a national hero for millions of Soviets. "
        "he had defeated Hitler and made the USSR a nuclear superpower"
    )
    assert first[1] == (
        "Stalin died in 1953. There was a lot of greif and moaning. "
        "People wondered who would take over the USSR."
    )
    assert 'He talked of "peaceful co-existance" with the west.' in first[3]
    # A run of spaces is normalised to one; the trailing space is gone.
    assert second[2] == (
        "Kruschev also said much worse things about Stalin and began a programme of "
        "De-Stalinisation."
    )
    assert second[0].endswith("astonoshing attack on Stalin.")
    assert third[3] == (
        "In 1955 he created the Warsaw Pact. This was a military allowance similar to NATO. "
        "The members would defend each other if one was attacked."
    )


def test_it_drops_the_site_chrome(reference_text):
    parsed = parse_resource_text(reference_text)
    text = "\n".join(card.heading + "\n" + card.body for card in parsed.cards)

    for chrome in ("HideShow", "of 3", "No comments", "Similar History", "See all"):
        assert chrome not in text


# --- the scraped format in general ------------------------------------------------------

FOOTER = "\nNo comments have yet been made\n\nSimilar {s} resources:\n\nSee all {s} resources »See all {t} resources »\n"


def scraped(title: str, cards: list[tuple[str, list[str]]], subject="Biology", topic="Cells"):
    lines = [title, "", "HideShow resource information", ""]
    for number, (heading, points) in enumerate(cards, start=1):
        if heading:
            lines.append(heading)
        lines.append("")
        lines.extend(f"  • {point}" for point in points)
        lines.append(f"{number} of {len(cards)}")
        lines.append("")
    return "\n".join(lines) + FOOTER.format(s=subject, t=topic)


def test_it_reads_a_one_card_page_with_another_subject():
    text = scraped("Cells", [("Organelles", ["The nucleus holds DNA."])], "Biology", "Cell Biology")

    parsed = parse_resource_text(text)

    assert (parsed.subject, parsed.topic) == ("Biology", "Cell Biology")
    assert parsed.cards == (ParsedCard("Organelles", "- The nucleus holds DNA."),)


def test_it_reads_a_page_without_card_markers_as_one_card():
    text = "Osmosis\n• Water moves across a membrane.\n• From dilute to concentrated.\n"
    text += "See all Biology resources »See all Cells resources »\n"

    parsed = parse_resource_text(text)

    assert len(parsed.cards) == 1
    assert parsed.cards[0].heading == ""
    assert bullets(parsed.cards[0]) == [
        "Water moves across a membrane.",
        "From dilute to concentrated.",
    ]


def test_it_normalises_non_breaking_and_repeated_spaces():
    text = scraped("Title", [("Head\u00a0 ing", ["A\u00a0point  with   spaces. "])])

    card = parse_resource_text(text).cards[0]

    assert card.heading == "Head ing"
    assert bullets(card) == ["A point with spaces."]


def test_it_reads_windows_line_endings(reference_text):
    parsed = parse_resource_text(reference_text.replace("\n", "\r\n"))

    assert [len(bullets(card)) for card in parsed.cards] == [6, 8, 5]


def test_it_escapes_markdown_in_scraped_text_so_it_shows_as_written():
    text = scraped("T", [("", ["1955. The <b>USSR</b> *and* [NATO] # agreed"])])

    html = render_markdown(parse_resource_text(text).cards[0].body)

    assert "<li>1955. The &lt;b&gt;USSR&lt;/b&gt; *and* [NATO] # agreed</li>" in html


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "file is empty"),
        ("   \n\n  ", "file is empty"),
        ("Title\n• a point\n1 of 1\n", "no subject or topic"),
        ("Title\n• a\n1 of 1\nSee all History resources »\n", "no subject or topic"),
        (
            "Title\nHideShow resource information\nSee all A resources »See all B resources »",
            "no cards",
        ),
        (
            "Title\n• a\n1 of 3\n• b\n3 of 3\nSee all A resources »See all B resources »",
            "out of sequence",
        ),
        (
            "Title\n• a\n1 of 2\nSee all A resources »See all B resources »",
            "'2 of 2' marker is missing",
        ),
        ("Title\n1 of 1\nSee all A resources »See all B resources »", "card 1 is empty"),
        ("1 of 3\n• a\n", "first line must be the title"),
    ],
)
def test_it_refuses_a_bad_scraped_page_with_a_clear_message(text, message):
    with pytest.raises(ResourceFormatError, match=re.escape(message)):
        parse_resource_text(text)


# --- Markdown with front matter ---------------------------------------------------------


def test_it_reads_the_markdown_format(markdown_resource):
    parsed = parse_resource_text(markdown_resource)

    assert parsed.source_format == "markdown"
    assert (parsed.title, parsed.subject, parsed.topic) == (
        "The Berlin Wall",
        "History",
        "The Cold War",
    )
    assert (parsed.level, parsed.exam_board, parsed.author) == ("gcse", "AQA", "teacher")
    assert [card.heading for card in parsed.cards] == ["Why it was built", "What it meant"]
    assert parsed.cards[1].body == (
        "- The wall became a symbol of the Cold War.\n- Kennedy visited West Berlin in June 1963."
    )


def test_it_keeps_a_separator_inside_a_code_fence():
    text = "---\ntitle: T\nsubject: S\ntopic: P\n---\n## One\n\n```\n---\n```\n---\nSecond card\n"

    parsed = parse_resource_text(text)

    assert [card.heading for card in parsed.cards] == ["One", ""]
    assert "```\n---\n```" in parsed.cards[0].body
    assert parsed.cards[1].body == "Second card"


def test_it_ignores_empty_chunks_between_separators():
    text = "---\ntitle: T\nsubject: S\ntopic: P\n---\n\n---\nOnly card\n---\n\n"

    assert parse_resource_text(text).cards == (ParsedCard("", "Only card"),)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("---\ntitle: T\nsubject: S\n", "not closed"),
        ("---\ntitle: [T\n---\nbody", "not valid YAML"),
        ("---\n- a list\n---\nbody", "'key: value' lines"),
        ("---\ntitle: T\nsubject: S\n---\nbody", "no 'topic'"),
        (
            "---\ntitle: T\nsubject: S\ntopic: P\nexam-board: AQA\n---\nbody",
            "unknown front-matter key 'exam-board'",
        ),
        (
            "---\ntitle: T\nsubject: S\ntopic: P\nlevel: Degree 9\n---\nbody",
            "unknown level 'Degree 9'",
        ),
        ("---\ntitle: T\nsubject: S\ntopic: P\n---\n", "no cards"),
        (
            "---\ntitle: T\nsubject: S\ntopic: P\n---\n## Heading only\n",
            "card 1 ('Heading only') has no text",
        ),
        ("---\ntitle: {a: 1}\nsubject: S\ntopic: P\n---\nx", "must be plain text"),
    ],
)
def test_it_refuses_a_bad_markdown_file_with_a_clear_message(text, message):
    with pytest.raises(ResourceFormatError, match=re.escape(message)):
        parse_resource_text(text)


def markdown_with(cards: int = 1, card_text: str = "- x", title: str = "T") -> str:
    body = "\n---\n".join(card_text for _ in range(cards))
    return f"---\ntitle: {title}\nsubject: S\ntopic: P\n---\n{body}\n"


def test_it_enforces_the_size_limits():
    assert len(parse_resource_text(markdown_with(cards=MAX_CARDS)).cards) == MAX_CARDS
    with pytest.raises(ResourceFormatError, match="101 cards; the limit is 100"):
        parse_resource_text(markdown_with(cards=MAX_CARDS + 1))
    with pytest.raises(ResourceFormatError, match="title is 201 characters"):
        parse_resource_text(markdown_with(title="x" * (MAX_TITLE_LENGTH + 1)))
    with pytest.raises(ResourceFormatError, match="card 1 is 20,001 characters"):
        parse_resource_text(markdown_with(card_text="y" * (MAX_CARD_LENGTH + 1)))


@pytest.mark.parametrize(
    ("written", "code"),
    [("GCSE", "gcse"), ("A level", "a-level"), ("A-Level", "a-level"), ("as", "as"), ("", "")],
)
def test_it_reads_levels_as_people_write_them(written, code):
    assert parse_level(written) == code


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "file is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not text"),
        (b"Caf\xe9 notes", "not UTF-8 text"),
        (b"x" * (2 * 1024 * 1024 + 1), "too large"),
    ],
)
def test_it_refuses_files_that_are_not_resource_text(data, message):
    with pytest.raises(ResourceFormatError, match=message):
        decode_resource_bytes(data)


def test_it_decodes_utf8_with_a_byte_order_mark():
    assert decode_resource_bytes("\ufeffTitle".encode()) == "Title"


# --- properties ---------------------------------------------------------------------------

# Plain words and punctuation a revision note might hold, including Markdown's specials.
point_text = (
    st.text(
        alphabet=st.characters(
            codec="utf-8",
            categories=("L", "N", "P", "S", "Zs"),
            exclude_characters="•●▪◦‣∙·\u2028\u2029\x85",
        ),
        min_size=1,
        max_size=80,
    )
    .map(lambda s: " ".join(s.split()))
    .filter(bool)
)
name_text = st.from_regex(r"[A-Z][a-z]{2,12}( [A-Z][a-z]{2,12}){0,2}", fullmatch=True)
heading_text = name_text.filter(lambda s: not re.fullmatch(r"\d+ of \d+", s))


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(
    title=name_text,
    subject=name_text,
    topic=name_text,
    cards=st.lists(
        st.tuples(
            st.one_of(st.just(""), heading_text), st.lists(point_text, min_size=1, max_size=6)
        ),
        min_size=1,
        max_size=8,
    ),
)
def test_property_any_scraped_page_parses_back_to_its_structure(title, subject, topic, cards):
    parsed = parse_resource_text(scraped(title, cards, subject, topic))

    assert (parsed.title, parsed.subject, parsed.topic) == (title, subject, topic)
    assert [card.heading for card in parsed.cards] == [heading for heading, _ in cards]
    assert [len(bullets(card)) for card in parsed.cards] == [len(points) for _, points in cards]


@settings(max_examples=200)
@given(point_text)
@example("&copy; &amp; &#169; &#x41;")
@example("1955. The year")
@example("1) first")
@example("# not a heading")
@example("- not a list")
@example("+ plus")
@example("> not a quote")
@example("*em* _em_ **strong** `code` ~~gone~~")
@example("<b>bold</b> <script>alert(1)</script>")
@example("[link](http://example.com) ![img](x.png)")
@example("back\\slash and trailing\\")
@example("=== setext")
def test_property_escaped_text_renders_as_itself(text):
    html = render_markdown("- " + markdown_escape(text))
    inner = re.fullmatch(r"<ul>\n<li>(.*)</li>\n</ul>\n", html, flags=re.DOTALL)

    assert inner is not None, html
    unescaped = (
        inner.group(1)
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", '"')
        .replace("&#39;", "'")
        .replace("&amp;", "&")
    )
    assert unescaped == text


@settings(max_examples=100)
@given(
    st.builds(
        ParsedResource,
        title=name_text,
        subject=name_text,
        topic=name_text,
        cards=st.lists(
            st.builds(
                ParsedCard,
                heading=st.one_of(st.just(""), heading_text),
                body=st.lists(point_text, min_size=1, max_size=4).map(
                    lambda points: "\n".join("- " + markdown_escape(p) for p in points)
                ),
            ),
            min_size=1,
            max_size=5,
        ).map(tuple),
        level=st.sampled_from(["", "gcse", "a-level", "as"]),
        exam_board=st.sampled_from(["", "AQA", "OCR"]),
        author=st.sampled_from(["", "teacher"]),
        kind=st.sampled_from(["notes", "flashcards", "quiz"]),
    )
)
def test_property_markdown_format_round_trips(resource):
    assert parse_resource_text(format_markdown_resource(resource)) == resource


@settings(max_examples=300)
@given(st.text(max_size=400))
def test_property_any_text_parses_or_gives_a_reason(text):
    try:
        parsed = parse_resource_text(text)
    except ResourceFormatError as error:
        assert str(error)
    else:
        assert parsed.title and parsed.subject and parsed.topic and parsed.cards


def test_it_refuses_unstorable_characters():
    lone_surrogate = '---\ntitle: "\\ud83d"\nsubject: S\ntopic: P\n---\n- x\n'

    with pytest.raises(ResourceFormatError, match="invalid character"):
        parse_resource_text(lone_surrogate)
    with pytest.raises(ResourceFormatError, match="NUL character"):
        parse_resource_text("---\ntitle: T\nsubject: S\ntopic: P\n---\n- a\x00b\n")
