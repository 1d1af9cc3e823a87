"""Anki packages and CSV files in and out, without the database (recall.lib.study.anki)."""

from __future__ import annotations

import io
import json
import sqlite3
import zipfile
from datetime import UTC, datetime

import pytest
import time_machine
from hypothesis import example, given
from hypothesis import strategies as st

from recall.lib.rendering import render_markdown
from recall.lib.resource_text import ParsedCard
from recall.lib.study import anki, cloze

JAN = datetime(2026, 1, 5, 12, tzinfo=UTC)


def _deck(back: str = "Nikita Khrushchev", modified: datetime = JAN) -> list[anki.DeckSpec]:
    notes = (
        anki.DeckNote("r\x1fqa", anki.BASIC, ("Who followed Stalin?", back), modified, ("a",)),
        anki.DeckNote(
            "r\x1fcloze", anki.CLOZE, ("Stalin died in {{c1::1953}}", "Background"), modified
        ),
    )
    return [anki.DeckSpec("resource\x1fr", "Recall::History::Cold War::Kruschev", notes)]


def _collection(package: bytes) -> sqlite3.Connection:
    archive = zipfile.ZipFile(io.BytesIO(package))
    connection = sqlite3.connect(":memory:")
    connection.deserialize(archive.read("collection.anki2"))
    return connection


def test_it_writes_notes_with_stable_guids_and_their_own_times():
    package = anki.apkg_bytes(_deck())
    assert package == anki.apkg_bytes(_deck())  # the same input, the same bytes

    rows = _collection(package).execute("SELECT guid, mid, mod, flds FROM notes ORDER BY id")
    rows = list(rows)
    assert [row[0] for row in rows] == [anki.note_guid("r\x1fqa"), anki.note_guid("r\x1fcloze")]
    assert [row[1] for row in rows] == [anki.BASIC_MODEL_ID, anki.CLOZE_MODEL_ID]
    assert {row[2] for row in rows} == {int(JAN.timestamp())}
    assert rows[0][3] == "Who followed Stalin?\x1fNikita Khrushchev"

    later = datetime(2026, 2, 1, tzinfo=UTC)
    edited = list(_collection(anki.apkg_bytes(_deck("Khrushchev", later))).execute(
        "SELECT guid, mod FROM notes ORDER BY id"
    ))  # fmt: skip
    assert [row[0] for row in edited] == [row[0] for row in rows]  # GUIDs don't follow fields
    assert {row[1] for row in edited} == {int(later.timestamp())}


def test_the_same_notes_give_the_same_bytes_whenever_they_are_exported():
    with time_machine.travel(datetime(2026, 3, 1, 9, 0, 0, tzinfo=UTC), tick=False):
        first = anki.apkg_bytes(_deck())
    with time_machine.travel(datetime(2026, 3, 1, 9, 0, 7, tzinfo=UTC), tick=False):
        second = anki.apkg_bytes(_deck())
    assert first == second
    # Every entry is dated by the newest note, not by the clock.
    entries = zipfile.ZipFile(io.BytesIO(first)).infolist()
    assert {entry.date_time for entry in entries} == {(2026, 1, 5, 12, 0, 0)}
    assert {entry.filename for entry in entries} == {"collection.anki2", "media"}


def test_the_note_types_are_basic_and_the_stock_cloze():
    models = json.loads(
        _collection(anki.apkg_bytes(_deck())).execute("SELECT models FROM col").fetchone()[0]
    )
    basic, cloze_model = models[str(anki.BASIC_MODEL_ID)], models[str(anki.CLOZE_MODEL_ID)]
    assert [field["name"] for field in basic["flds"]] == ["Front", "Back"]
    assert [field["name"] for field in cloze_model["flds"]] == ["Text", "Back Extra"]
    assert cloze_model["type"] == 1 and basic["type"] == 0
    assert cloze_model["tmpls"][0]["qfmt"] == "{{cloze:Text}}"


def test_deck_ids_are_stable_and_fields_are_escaped():
    spec = anki.DeckSpec(
        "resource\x1fx",
        "X",
        (anki.DeckNote("k", anki.BASIC, ("a < b & c", "line 1\nline 2"), JAN),),
    )
    connection = _collection(anki.apkg_bytes([spec]))
    decks = json.loads(connection.execute("SELECT decks FROM col").fetchone()[0])
    assert str(anki.stable_id("deck", "resource\x1fx")) in decks
    flds = connection.execute("SELECT flds FROM notes").fetchone()[0]
    assert flds == "a &lt; b &amp; c\x1fline 1<br>line 2"


def test_our_package_reads_back():
    deck = anki.read_deck_file(anki.apkg_bytes(_deck()))
    assert deck.name == "Kruschev"
    assert deck.notes == (
        anki.ImportedNote("Who followed Stalin?", "Nikita Khrushchev"),
        anki.ImportedNote("Stalin died in {{c1::1953}}", "Background", is_cloze=True),
    )


def test_csv_export_is_spreadsheet_safe_and_reads_back():
    spec = anki.DeckSpec("d", "D", (anki.DeckNote("k", anki.BASIC, ("=1+1?", '2, or "two"'), JAN),))
    data = anki.csv_bytes([spec])
    assert data.decode().splitlines()[1].startswith("'=1+1?,")
    assert anki.read_deck_file(data).notes == (anki.ImportedNote("=1+1?", '2, or "two"'),)


def test_it_reads_quizlets_tab_separated_export():
    data = "mitosis\tcell division giving two identical cells\nmeiosis\tgives gametes\n\n"
    deck = anki.read_deck_file(data.encode())
    assert deck.notes == (
        anki.ImportedNote("mitosis", "cell division giving two identical cells"),
        anki.ImportedNote("meiosis", "gives gametes"),
    )


def test_it_reads_quoted_csv_and_ankis_text_export_header():
    data = b'\xef\xbb\xbf"Who, then?","Kruschev, in ""1955"""\nQ2,A2\n'
    assert anki.read_deck_file(data).notes[0] == anki.ImportedNote(
        "Who, then?", 'Kruschev, in "1955"'
    )
    anki_text = "#separator:tab\n#html:true\nA <b>bold</b> question\tline&nbsp;1<br>line 2\n"
    assert anki.read_deck_file(anki_text.encode()).notes == (
        anki.ImportedNote("A bold question", "line 1\nline 2"),
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"\x00\x01\x02binary", "binary"),
        ("caf\xe9\tx".encode("latin-1"), "not UTF-8"),
        (b"a question with no answer\n", "line 1 has no answer"),
        (b"q\t\n", "empty question or answer"),
        (b"PK\x03\x04garbage", "not a zip"),
        (b"\n\n", "no cards"),
    ],
)
def test_bad_files_are_refused_with_a_reason(data, message):
    with pytest.raises(anki.DeckFormatError, match=message):
        anki.read_deck_file(data)


def test_a_huge_file_is_refused_before_reading():
    with pytest.raises(anki.DeckFormatError, match="the limit is 20 MB"):
        anki.read_deck_file(b"q\ta\n" * (anki.MAX_DECK_FILE_BYTES // 4 + 1))


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_the_newest_package_format_gets_a_clear_message():
    data = _zip({"collection.anki21b": b"\x28\xb5\x2f\xfd", "meta": b"\x08\x03"})
    with pytest.raises(anki.DeckFormatError, match="Support older Anki versions"):
        anki.read_deck_file(data)


def test_a_zip_that_is_no_package_or_holds_no_database_is_refused():
    with pytest.raises(anki.DeckFormatError, match="not an Anki package"):
        anki.read_deck_file(_zip({"notes.txt": b"hello"}))
    with pytest.raises(anki.DeckFormatError, match="not an Anki database"):
        anki.read_deck_file(_zip({"collection.anki2": b"not sqlite"}))


def test_a_collection_that_unpacks_too_big_is_refused(monkeypatch):
    monkeypatch.setattr(anki, "MAX_COLLECTION_BYTES", 1000)
    data = _zip({"collection.anki2": b"SQLite format 3\x00" + b"\x00" * 5000})
    with pytest.raises(anki.DeckFormatError, match="unpacks to"):
        anki.read_deck_file(data)


def test_html_fields_become_text():
    field = '<div>One &amp; two</div><div>three<br/>four [sound:a.mp3]<img src="x.png"></div>'
    assert anki.html_to_text(field) == "One & two\nthree\nfour"
    assert anki.html_to_text("<script>alert(1)</script>kept") == "kept"


def test_notes_become_flashcards_and_clozes_stay_clozes():
    cards = anki.flashcard_cards(
        [
            anki.ImportedNote("What is 2 * 3?", "6\n- not 5"),
            anki.ImportedNote("{{c1::Stalin}} died in {{c2::1953}}", "Cold War", is_cloze=True),
        ]
    )
    assert cards == [
        ParsedCard("What is 2 * 3?", "6\n\n\\- not 5"),
        ParsedCard("", "{{c1::Stalin}} died in {{c2::1953}}\n\n> Cold War"),
    ]
    questions = cloze.study_cards([(c.heading, c.body) for c in cards], kind="flashcards")
    assert [(q.kind, q.prompt, q.answer) for q in questions] == [
        (cloze.QA, "What is 2 * 3?", "6\n- not 5"),
        (cloze.CLOZE, "[...] died in 1953", "Stalin"),
        (cloze.CLOZE, "Stalin died in [...]", "1953"),
    ]
    assert cloze.quoted_text(cards[1].body) == "Cold War"
    # The resource page shows the cloze text, its spans in bold.
    assert render_markdown(cards[1].body).startswith("<p><b>Stalin</b> died in <b>1953</b></p>")


def test_a_question_too_long_for_a_heading_is_refused():
    with pytest.raises(anki.DeckFormatError, match="card 1's question is 201 characters"):
        anki.flashcard_cards([anki.ImportedNote("q" * 201, "a")])


@given(
    st.lists(
        st.tuples(
            st.text(st.characters(blacklist_categories=["Cs", "Cc"]), min_size=1, max_size=30),
            st.text(st.characters(blacklist_categories=["Cs", "Cc"]), min_size=1, max_size=30),
        ).filter(lambda pair: all(part.strip() for part in pair)),
        min_size=1,
        max_size=8,
    )
)
@example([("0", "'=")])  # an apostrophe before a formula start stays
@example([("''", " '@x"), ("'hello", "'")])
def test_csv_round_trips(pairs):
    notes = tuple(anki.DeckNote(str(n), anki.BASIC, (q, a), JAN) for n, (q, a) in enumerate(pairs))
    deck = anki.read_deck_file(anki.csv_bytes([anki.DeckSpec("d", "D", notes)]))
    expected = [
        (q.strip(), a.strip()) for q, a in pairs if not cloze.CLOZE_MARKER.search(q.strip())
    ]
    assert [(n.question, n.answer) for n in deck.notes if not n.is_cloze] == expected


def test_cloze_markup_in_a_link_is_left_alone():
    html = render_markdown("[x](http://example.org/{{c1::y}}) and {{c1::**z**}}")
    assert "<b>" not in html.split("</a>")[0]
    assert html.endswith("and <b><strong>z</strong></b></p>\n")


_LINE = st.text(
    st.characters(blacklist_categories=["Cs", "Cc", "Zl", "Zp"]), min_size=1, max_size=40
).filter(lambda text: text.strip() and not cloze.CLOZE_MARKER.search(text))


@given(_LINE, st.lists(_LINE, min_size=1, max_size=4))
def test_imported_answers_are_asked_as_written(question, answer_lines):
    answer = "\n".join(answer_lines)
    [card] = anki.flashcard_cards([anki.ImportedNote(question, answer)])
    [asked] = cloze.study_cards([(card.heading, card.body)], kind="flashcards")
    assert asked.prompt == " ".join(question.split())
    assert asked.answer == "\n".join(" ".join(line.split()) for line in answer_lines)
