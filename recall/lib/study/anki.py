"""Anki decks and flashcard files in and out: pure functions over plain data, no Django.

Out: `apkg_bytes` writes an Anki package with genanki, one deck per resource, a Basic note
type (Front, Back) for questions and answers and a Cloze note type compatible with Anki's
stock one (Text, Back Extra). Each note's GUID comes from a stable id (the caller's
namespace and item key), and each note carries its own modification time, so that
importing a newer export into Anki updates the notes it already has instead of adding
copies. `csv_bytes` writes the same questions as CSV.

In: `read_deck_file` reads an Anki package (collection.anki21 or collection.anki2, the
SQLite collections genanki and Anki's "Support older Anki versions" export write) or a
CSV/TSV file (Quizlet's export: term, tab, definition, one per line), and
`flashcard_cards` turns the notes into the cards of a flashcards resource: a question and
answer card per note (question as heading, answer as body), or for a cloze note a card
without heading whose body is the cloze text in Anki's syntax ("{{c1::1953}}"), with the
note's Back Extra as a quotation below it (recall.lib.study.cloze reads both back).
"""

from __future__ import annotations

import csv
import hashlib
import html
import io
import json
import re
import sqlite3
import tempfile
import zipfile
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

from recall.lib.resource_text import (
    MAX_HEADING_LENGTH,
    ParsedCard,
    ResourceFormatError,
    markdown_escape,
)

from .cloze import CLOZE_MARKER

BASIC, CLOZE = "basic", "cloze"

# Note type ids are fixed forever: Anki recognises a note type it already has by its id.
BASIC_MODEL_ID = 1_607_392_319
CLOZE_MODEL_ID = 1_607_392_320
_CSS = (
    ".card { font-family: arial; font-size: 20px; text-align: center; color: black; "
    "background-color: white; }\n.cloze { font-weight: bold; color: blue; }\n"
    ".nightMode .cloze { color: lightblue; }"
)
# An upload bigger than this is refused before it is read; an Anki package's collection
# may unpack to at most MAX_COLLECTION_BYTES (a zip bomb is refused by its declared size).
MAX_DECK_FILE_BYTES = 20 * 1024 * 1024
MAX_COLLECTION_BYTES = 100 * 1024 * 1024
MAX_NOTES = 2000


class DeckFormatError(ResourceFormatError):
    """The file is not a deck we can read; the message says why."""


# --- out ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeckNote:
    """One note to export, in plain text (escaped to HTML on writing).

    kind BASIC: fields are (front, back). kind CLOZE: (text with {{c1::...}} markers,
    back extra).
    """

    key: str  # stable across exports: the GUID is made from it
    kind: str
    fields: tuple[str, str]
    modified: datetime  # aware; a newer time makes Anki update the note on import
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class DeckSpec:
    key: str  # stable: the deck id is made from it
    name: str  # "::" separates Anki's deck levels
    notes: tuple[DeckNote, ...]
    description: str = ""


def stable_id(*parts: object) -> int:
    """A positive id (Anki's decks and notes use 64-bit ids) from stable parts."""
    digest = hashlib.sha256("\x1f".join(str(part) for part in parts).encode("utf-8")).digest()
    return (1 << 30) + int.from_bytes(digest[:6], "big") % (1 << 40)


def note_guid(*parts: object) -> str:
    """Anki's GUID for a note, from our stable ids (never from its fields)."""
    return _genanki().guid_for(*parts)


def deck_name_part(name: str) -> str:
    """A name as one level of an Anki deck name ("::" would start a sub-deck)."""
    return re.sub(r"\s+", " ", name.replace("::", ":")).strip() or "Untitled"


def text_to_html(text: str) -> str:
    return html.escape(text, quote=False).replace("\n", "<br>")


@lru_cache(maxsize=1)
def _genanki():
    """genanki, imported on the first export: it costs a process about 12 MB, and most
    processes (every reader's request) never write a deck."""
    import genanki

    return genanki


@lru_cache(maxsize=1)
def _writer() -> tuple[type, object, object]:
    """genanki's pieces for writing: the note class and our two note types."""
    genanki = _genanki()

    class TimedNote(genanki.Note):
        """A genanki note with a modification time of its own, not the package's."""

        def __init__(self, *args, modified: float, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self.modified = modified

        def write_to_db(self, cursor, timestamp: float, deck_id, id_gen) -> None:
            super().write_to_db(cursor, self.modified, deck_id, id_gen)

    basic_model = genanki.Model(
        BASIC_MODEL_ID,
        "Recall Basic",
        fields=[{"name": "Front"}, {"name": "Back"}],
        templates=[
            {
                "name": "Card 1",
                "qfmt": "{{Front}}",
                "afmt": '{{FrontSide}}\n\n<hr id="answer">\n\n{{Back}}',
            }
        ],
        css=_CSS,
    )
    cloze_model = genanki.Model(
        CLOZE_MODEL_ID,
        "Recall Cloze",
        fields=[{"name": "Text"}, {"name": "Back Extra"}],
        templates=[
            {
                "name": "Cloze",
                "qfmt": "{{cloze:Text}}",
                "afmt": "{{cloze:Text}}<br>\n{{Back Extra}}",
            }
        ],
        css=_CSS,
        model_type=genanki.Model.CLOZE,
    )
    return TimedNote, basic_model, cloze_model


def _anki_tag(tag: str) -> str:
    return re.sub(r"\s+", "_", tag.strip())


def apkg_bytes(decks: Sequence[DeckSpec]) -> bytes:
    """An Anki package (.apkg) of these decks; byte for byte the same for the same input."""
    genanki = _genanki()
    timed_note, basic_model, cloze_model = _writer()
    anki_decks = []
    latest = 0.0
    for spec in decks:
        deck = genanki.Deck(stable_id("deck", spec.key), spec.name, spec.description)
        for note in spec.notes:
            modified = note.modified.timestamp()
            latest = max(latest, modified)
            model = cloze_model if note.kind == CLOZE else basic_model
            deck.add_note(
                timed_note(
                    model=model,
                    fields=[text_to_html(field) for field in note.fields],
                    tags=[_anki_tag(tag) for tag in note.tags if tag.strip()],
                    guid=note_guid(note.key),
                    modified=modified,
                )
            )
        anki_decks.append(deck)
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "deck.apkg"
        # The package's own time (note ids, note type times) is that of its newest note.
        genanki.Package(anki_decks).write_to_file(str(path), timestamp=latest or 1.0)
        return _with_fixed_times(path.read_bytes(), latest)


# The earliest time a zip entry can carry (1980-01-01 UTC).
_ZIP_EPOCH = 315_532_800.0


def _with_fixed_times(package: bytes, timestamp: float) -> bytes:
    """The archive again with every entry dated `timestamp` (UTC), not the clock's time.

    genanki dates each zip entry when it writes it, so two exports of the same notes a
    second apart differed; here the same notes give the same bytes.
    """
    moment = datetime.fromtimestamp(max(timestamp, _ZIP_EPOCH), UTC)
    date_time = moment.timetuple()[:6]
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(package)) as source, zipfile.ZipFile(out, "w") as target:
        for entry in source.infolist():
            info = zipfile.ZipInfo(entry.filename, date_time)
            info.compress_type = entry.compress_type
            info.external_attr = entry.external_attr
            target.writestr(info, source.read(entry))
    return out.getvalue()


CSV_HEADER = ("question", "answer", "kind", "deck", "tags")
# A spreadsheet runs a cell starting with one of these as a formula: such a cell is
# written after an apostrophe, which read_delimited takes off again.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


# A cell that starts with an apostrophe is escaped too, so that reading takes off only
# the apostrophes writing added ("'=" is written "''=" and read back "'=", not "=").
_ESCAPED_STARTS = (*_FORMULA_STARTS, "'")


def _spreadsheet_safe(value: str) -> str:
    """A cell as written: without the surrounding spaces that reading drops anyway (so
    that what is checked here is what a spreadsheet sees first), escaped if needed."""
    value = value.strip()
    return "'" + value if value.startswith(_ESCAPED_STARTS) else value


def _from_spreadsheet(value: str) -> str:
    return value[1:] if value.startswith("'") and value[1:].startswith(_ESCAPED_STARTS) else value


def csv_bytes(decks: Sequence[DeckSpec]) -> bytes:
    """The notes as CSV (UTF-8 with a header): a cloze's question keeps its {{c1::...}}."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for spec in decks:
        for note in spec.notes:
            row = [*note.fields, note.kind, spec.name, " ".join(note.tags)]
            writer.writerow([_spreadsheet_safe(cell) for cell in row])
    return out.getvalue().encode("utf-8")


# --- in ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportedNote:
    """A question and answer, or (is_cloze) a cloze text and its back extra, as plain text."""

    question: str
    answer: str
    is_cloze: bool = False


@dataclass(frozen=True)
class ImportedDeck:
    name: str  # the deck's name in the package, "" for a CSV file
    notes: tuple[ImportedNote, ...]
    skipped: int = 0  # notes with nothing to ask (no question or no answer)


_BREAKS = re.compile(r"<\s*br\s*/?\s*>|<\s*/\s*(?:div|p|li|tr|h[1-6])\s*>", re.IGNORECASE)
_SOUND = re.compile(r"\[sound:[^\]]*\]")


def html_to_text(value: str) -> str:
    """An Anki field (HTML) as plain text: line breaks kept, tags and media dropped."""
    import nh3  # here: only deck imports need it (reading workers do without)

    text = _BREAKS.sub("\n", value)
    text = html.unescape(nh3.clean(text, tags=set(), strip_comments=True))
    text = _SOUND.sub("", text).replace("\u00a0", " ")
    lines = (re.sub(r"[ \t\r\f\v]+", " ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def read_deck_file(data: bytes) -> ImportedDeck:
    """An Anki package (a zip) or a CSV/TSV text file, told apart by their content."""
    if not data:
        raise DeckFormatError("the file is empty")
    if len(data) > MAX_DECK_FILE_BYTES:
        raise DeckFormatError(
            f"the file is {len(data) / 1024 / 1024:.1f} MB; the limit is "
            f"{MAX_DECK_FILE_BYTES // 1024 // 1024} MB"
        )
    if data.startswith(b"PK\x03\x04"):
        return read_apkg(data)
    return read_delimited(data)


def read_apkg(data: bytes) -> ImportedDeck:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError):
        raise DeckFormatError("the file is not an Anki package (.apkg): it is not a zip") from None
    with archive:
        for name in ("collection.anki21", "collection.anki2"):
            if name in names:
                return _read_collection(archive, name)
        if "collection.anki21b" in names:
            raise DeckFormatError(
                "this package is in the newest Anki format (collection.anki21b), which Recall "
                "can't read yet: export it again from Anki with “Support older Anki versions” "
                "ticked"
            )
    raise DeckFormatError("the file is a zip but not an Anki package (no collection inside)")


def _read_collection(archive: zipfile.ZipFile, name: str) -> ImportedDeck:
    info = archive.getinfo(name)
    if info.file_size > MAX_COLLECTION_BYTES:
        raise DeckFormatError(
            f"the package's collection unpacks to {info.file_size / 1024 / 1024:.0f} MB; "
            f"the limit is {MAX_COLLECTION_BYTES // 1024 // 1024} MB"
        )
    try:
        content = archive.read(name)
    except (zipfile.BadZipFile, OSError, RuntimeError, EOFError) as error:
        raise DeckFormatError(f"the package is damaged: {error}") from None
    if not content.startswith(b"SQLite format 3\x00"):
        raise DeckFormatError("the package's collection is not an Anki database")
    connection = sqlite3.connect(":memory:")
    try:
        connection.deserialize(content)
        return _read_notes(connection)
    except sqlite3.DatabaseError as error:
        raise DeckFormatError(f"the package's collection can't be read: {error}") from None
    finally:
        connection.close()


@dataclass(frozen=True)
class _NoteType:
    is_cloze: bool
    field_names: tuple[str, ...]


def _note_types(connection: sqlite3.Connection) -> dict[int, _NoteType]:
    tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    types: dict[int, _NoteType] = {}
    if "notetypes" in tables:  # schema 18: a table per kind of thing, protobuf configs
        fields: dict[int, list[str]] = {}
        for ntid, field_name in connection.execute(
            "SELECT ntid, name FROM fields ORDER BY ntid, ord"
        ):
            fields.setdefault(ntid, []).append(field_name)
        for ntid, config in connection.execute("SELECT id, config FROM notetypes"):
            # NotetypeConfig's first field is its kind, written only when not 0 (normal):
            # 1 is cloze.
            is_cloze = bytes(config or b"")[:2] == b"\x08\x01"
            types[ntid] = _NoteType(is_cloze, tuple(fields.get(ntid, ())))
        if types:
            return types
    row = connection.execute("SELECT models FROM col").fetchone()
    models = json.loads(row[0]) if row and row[0] else {}
    for model_id, model in models.items():
        field_list = sorted(model.get("flds", []), key=lambda field: field.get("ord", 0))
        types[int(model_id)] = _NoteType(
            model.get("type") == 1, tuple(field.get("name", "") for field in field_list)
        )
    return types


def _deck_name(connection: sqlite3.Connection) -> str:
    """The name of the deck holding most of the cards (its last level)."""
    counts = Counter(did for (did,) in connection.execute("SELECT did FROM cards"))
    names: dict[int, str] = {}
    tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    if "decks" in tables:
        names = {did: name.replace("\x1f", "::") for did, name in connection.execute(
            "SELECT id, name FROM decks"
        )}  # fmt: skip
    if not names:
        row = connection.execute("SELECT decks FROM col").fetchone()
        decks = json.loads(row[0]) if row and row[0] else {}
        names = {int(did): deck.get("name", "") for did, deck in decks.items()}
    for did, _ in counts.most_common():
        if names.get(did):
            return names[did].split("::")[-1].strip()
    return ""


def _read_notes(connection: sqlite3.Connection) -> ImportedDeck:
    types = _note_types(connection)
    notes: list[ImportedNote] = []
    skipped = 0
    rows = connection.execute("SELECT mid, flds FROM notes ORDER BY id")
    for mid, flds in rows:
        if len(notes) >= MAX_NOTES:
            raise DeckFormatError(f"the deck has more than {MAX_NOTES:,} notes")
        note_type = types.get(mid, _NoteType(False, ()))
        fields = [html_to_text(value) for value in str(flds).split("\x1f")]
        if note_type.is_cloze or (fields and CLOZE_MARKER.search(fields[0])):
            text, extra = fields[0], "\n".join(field for field in fields[1:] if field)
            if CLOZE_MARKER.search(text):
                notes.append(ImportedNote(text, extra, is_cloze=True))
            else:
                skipped += 1
            continue
        question = fields[0] if fields else ""
        answer = "\n".join(field for field in fields[1:] if field)
        if question and answer:
            notes.append(ImportedNote(question, answer))
        else:
            skipped += 1
    if not notes:
        raise DeckFormatError("the package has no notes with a question and an answer")
    return ImportedDeck(_deck_name(connection), tuple(notes), skipped)


_DIRECTIVE = re.compile(r"^#(separator|html|tags column|columns|notetype|deck)[^:]*:(.*)$", re.I)


def read_delimited(data: bytes) -> ImportedDeck:
    """CSV or TSV: a question and an answer a line (more columns are ignored).

    A line with a tab makes the file tab-separated (Quizlet's "term, tab, definition"),
    else it is comma-separated with CSV's quoting. Anki's text export header lines
    ("#separator:tab", "#html:true") are understood; our own CSV header is skipped.
    """
    if b"\x00" in data:
        raise DeckFormatError("the file is binary, not a CSV or TSV text file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DeckFormatError("the file is not UTF-8 text (nor an Anki package)") from None
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    is_html = False
    separator: str | None = None
    while lines and _DIRECTIVE.match(lines[0]):
        name, value = _DIRECTIVE.match(lines.pop(0)).groups()
        value = value.strip().lower()
        if name.lower() == "html":
            is_html = value == "true"
        elif name.lower() == "separator":
            separator = {"tab": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}.get(
                value, value[:1] or None
            )
    body = "\n".join(lines)
    if separator is None:
        separator = "\t" if any("\t" in line for line in lines[:50]) else ","
    if separator == "\t" and '"' not in body:
        rows: Iterable[list[str]] = (line.split("\t") for line in lines)
    else:
        rows = csv.reader(io.StringIO(body), delimiter=separator)
    notes: list[ImportedNote] = []
    try:
        for number, row in enumerate(rows, start=1):
            if not any(cell.strip() for cell in row):
                continue
            if number == 1 and tuple(cell.strip().lower() for cell in row[:2]) == CSV_HEADER[:2]:
                continue
            if len(row) < 2:
                raise DeckFormatError(
                    f"line {number} has no answer: write a question, a tab (or a comma), "
                    "then its answer"
                )
            question, answer = (
                html_to_text(cell) if is_html else _from_spreadsheet(cell.strip())
                for cell in row[:2]
            )
            if len(notes) >= MAX_NOTES:
                raise DeckFormatError(f"the file has more than {MAX_NOTES:,} cards")
            if CLOZE_MARKER.search(question):
                notes.append(ImportedNote(question, answer, is_cloze=True))
            elif question and answer:
                notes.append(ImportedNote(question, answer))
            else:
                raise DeckFormatError(f"line {number} has an empty question or answer")
    except csv.Error as error:
        raise DeckFormatError(f"the CSV file can't be read: {error}") from None
    if not notes:
        raise DeckFormatError("the file has no cards (a question and an answer a line)")
    return ImportedDeck("", tuple(notes))


def _markdown_lines(text: str) -> str:
    """Plain text as Markdown paragraphs, one per line, rendering exactly that text."""
    return "\n\n".join(markdown_escape(line.strip()) for line in text.split("\n") if line.strip())


def flashcard_cards(notes: Iterable[ImportedNote]) -> list[ParsedCard]:
    """The cards of a flashcards resource holding these notes, in order.

    A question becomes a card's heading (so at most MAX_HEADING_LENGTH characters), its
    answer the body; a cloze note a card without heading, its text in Anki's cloze syntax
    as the body and its back extra quoted below.
    """
    cards = []
    for number, note in enumerate(notes, start=1):
        if note.is_cloze:
            body = _markdown_lines(note.question)
            if note.answer:
                extra = "\n>\n".join(
                    f"> {markdown_escape(line.strip())}"
                    for line in note.answer.split("\n")
                    if line.strip()
                )
                body = f"{body}\n\n{extra}"
            cards.append(ParsedCard("", body))
            continue
        question = re.sub(r"\s+", " ", note.question).strip()
        if len(question) > MAX_HEADING_LENGTH:
            raise DeckFormatError(
                f"card {number}'s question is {len(question)} characters long; the limit "
                f"is {MAX_HEADING_LENGTH}"
            )
        cards.append(ParsedCard(question, _markdown_lines(note.answer)))
    return cards
