"""Exported decks, opened with Anki's own library; the export pages, command and data zip."""

from __future__ import annotations

import csv
import dataclasses
import io
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest
from django.core.management import CommandError, call_command
from django.urls import reverse

from recall.conftest import REFERENCE_PAGE
from recall.lib.resource_text import ParsedCard, ParsedResource
from recall.lib.study import anki
from recall.library.actions import resource_save
from recall.operations.exports import user_data_export
from recall.study import decks
from recall.study.actions import study_item_edit, study_resource_add
from recall.study.models import StudyItem

pytestmark = pytest.mark.django_db

MONDAY = datetime(2026, 3, 2, 9, tzinfo=UTC)


def _flashcards(answer: str = "Nikita Kruschev") -> ParsedResource:
    return ParsedResource(
        title="Cold War flashcards",
        subject="History",
        topic="The Cold War",
        kind="flashcards",
        cards=(
            ParsedCard("Who followed Stalin?", answer),
            ParsedCard("", "{{c1::Stalin}} died in {{c2::1953}}\n\n> The end of an era"),
        ),
    )


@pytest.fixture
def flashcards(author):
    with time_machine.travel(MONDAY, tick=False):
        return resource_save(author, _flashcards(), publish=True)


@pytest.fixture
def collection(tmp_path):
    col = Collection(str(tmp_path / "collection.anki2"))
    yield col
    col.close()


def _import(col: Collection, data: bytes, path: Path):
    path.write_bytes(data)
    request = ImportAnkiPackageRequest(package_path=str(path), options=ImportAnkiPackageOptions())
    return col.import_anki_package(request).log


def _notes(col: Collection) -> dict[str, object]:
    return {col.get_note(nid).fields[0]: col.get_note(nid) for nid in col.find_notes("")}


def test_anki_opens_the_deck_with_the_expected_notes_types_and_cards(
    collection, tmp_path, reference, flashcards
):
    data = decks.deck_bytes([reference, flashcards])
    log = _import(collection, data, tmp_path / "first.apkg")

    items = StudyItem.objects.active()
    ref_clozes = items.filter(resource=reference, kind="cloze").count()
    ref_headings = items.filter(resource=reference, kind="heading").count()
    assert (ref_clozes, ref_headings) == (19, 2)
    # Our notes: the reference page's 19 clozes and 2 heading cards, then the flashcards'
    # question and its cloze note (two numbers, one note).
    assert len(log.new) == collection.note_count() == 19 + 2 + 2
    notes = _notes(collection)
    question = notes["Who followed Stalin?"]
    assert question.note_type()["name"] == "Recall Basic"
    assert question.fields == ["Who followed Stalin?", "Nikita Kruschev"]
    assert "history::the-cold-war" in question.tags
    cloze_note = notes["{{c1::Stalin}} died in {{c2::1953}}"]
    assert cloze_note.note_type()["name"] == "Recall Cloze"
    assert cloze_note.note_type()["type"] == 1  # Anki's cloze kind
    assert cloze_note.fields[1] == "The end of an era"
    assert len(cloze_note.cards()) == 2  # c1 and c2
    generated = notes[
        "Stalin died in {{c1::1953}}. There was a lot of greif and moaning. "
        "People wondered who would take over the USSR."
    ]
    assert len(generated.cards()) == 1
    assert generated.fields[1] == "The Rise of Kruschev › The Rise of Kruschev -Background"
    # A card per basic note, one per cloze number.
    assert collection.card_count() == 19 + 2 + 1 + 2
    deck_names = {deck.name for deck in collection.decks.all_names_and_ids()}
    assert "Recall::History::The Cold War::Cold War flashcards" in deck_names
    assert {card.did for card in question.cards()} == {
        collection.decks.id_for_name("Recall::History::The Cold War::Cold War flashcards")
    }


def test_a_second_export_after_an_edit_updates_the_note(collection, tmp_path, author, flashcards):
    _import(collection, decks.deck_bytes([flashcards]), tmp_path / "first.apkg")
    assert collection.note_count() == 2
    before = _notes(collection)["Who followed Stalin?"]

    with time_machine.travel(MONDAY + timedelta(days=1), tick=False):
        resource_save(author, _flashcards("Khrushchev"), resource=flashcards)
    flashcards.refresh_from_db()
    log = _import(collection, decks.deck_bytes([flashcards]), tmp_path / "second.apkg")

    assert len(log.new) == 0 and len(log.updated) >= 1
    assert collection.note_count() == 2 and collection.card_count() == 3
    after = _notes(collection)["Who followed Stalin?"]
    assert after.id == before.id and after.guid == before.guid
    assert after.fields[1] == "Khrushchev"
    assert after.mod == int((MONDAY + timedelta(days=1)).timestamp())


def test_an_item_edit_updates_exactly_that_note(collection, tmp_path, author, flashcards):
    _import(collection, decks.deck_bytes([flashcards]), tmp_path / "first.apkg")
    before = _notes(collection)
    question = StudyItem.objects.get(resource=flashcards, prompt="Who followed Stalin?")

    edited_at = MONDAY + timedelta(days=2)
    with time_machine.travel(edited_at, tick=False):
        study_item_edit(author, question, prompt="Who followed Stalin?", answer="Khrushchev")
    log = _import(collection, decks.deck_bytes([flashcards]), tmp_path / "second.apkg")

    assert len(log.new) == 0 and len(log.updated) == 1
    assert collection.note_count() == 2
    after = _notes(collection)
    note = after["Who followed Stalin?"]
    assert note.id == before["Who followed Stalin?"].id
    assert note.fields[1] == "Khrushchev"
    assert note.mod == int(edited_at.timestamp())
    cloze_key = "{{c1::Stalin}} died in {{c2::1953}}"
    assert after[cloze_key].mod == before[cloze_key].mod == int(MONDAY.timestamp())


def test_guids_and_deck_ids_are_stable_across_exports(reference):
    first = decks.deck_specs([reference])
    second = decks.deck_specs([reference])
    assert first == second
    assert first[0].key == "resource\x1fthe-rise-of-kruschev"
    keys = {note.key for note in first[0].notes}
    assert len(keys) == len(first[0].notes)


def test_csv_export_lists_questions_and_answers(reference):
    rows = list(csv.DictReader(io.StringIO(decks.deck_bytes([reference], "csv").decode())))
    assert len(rows) == 21
    died = next(row for row in rows if row["answer"] == "1953" or "{{c1::1953}}" in row["question"])
    assert died["kind"] == "cloze"
    assert died["question"].startswith("Stalin died in {{c1::1953}}")


# --- pages -------------------------------------------------------------------------------


def test_anyone_downloads_a_published_resources_deck(
    client, reference, django_assert_max_num_queries
):
    url = reverse("study:deck_resource", args=[reference.slug])
    with django_assert_max_num_queries(6):
        response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/apkg"
    assert response["Content-Disposition"] == 'attachment; filename="the-rise-of-kruschev.apkg"'
    assert zipfile.ZipFile(io.BytesIO(response.content)).namelist()[0] == "collection.anki2"

    response = client.get(url, {"format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.decode().startswith("question,answer,kind,deck,tags")
    assert client.get(url, {"format": "xlsx"}).status_code == 404
    assert client.post(url).status_code == 405


def test_a_draft_exports_only_for_its_author(client, author, other):
    draft = resource_save(author, _flashcards())
    url = reverse("study:deck_resource", args=[draft.slug])
    assert client.get(url).status_code == 404
    client.force_login(other)
    assert client.get(url).status_code == 404
    client.force_login(author)
    assert client.get(url).status_code == 200


def test_a_topic_exports_its_visible_resources(client, library, author):
    resource_save(author, _flashcards())  # a draft: not in the topic's deck
    url = reverse("study:deck_topic", args=["history", "the-cold-war"])
    response = client.get(url, {"format": "csv"})
    assert response.status_code == 200
    assert 'filename="history-the-cold-war.csv"' in response["Content-Disposition"]
    names = {row["deck"] for row in csv.DictReader(io.StringIO(response.content.decode()))}
    assert names == {
        "Recall::History::The Cold War::The Rise of Kruschev",
        "Recall::History::The Cold War::The Berlin Blockade",
        "Recall::History::The Cold War::The Cuban Missile Crisis",
    }
    assert client.get(reverse("study:deck_topic", args=["history", "nope"])).status_code == 404


def test_everything_i_study_needs_a_login(client, other, studying, library):
    url = reverse("study:deck_studied")
    assert client.get(url).status_code == 302
    client.force_login(other)
    response = client.get(url, {"format": "csv"})
    assert response.status_code == 200
    assert 'filename="recall-other.csv"' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert {row["deck"] for row in rows} == {"Recall::History::The Cold War::The Rise of Kruschev"}


def test_nothing_studied_means_no_deck(client, author):
    client.force_login(author)
    response = client.get(reverse("study:deck_studied"))
    assert response.status_code == 302 and response["Location"] == reverse("study:home")


def test_the_pages_link_to_the_exports(client, other, studying):
    deck_url = reverse("study:deck_resource", args=[studying.slug])
    assert (
        f'href="{deck_url}?format=csv"' in client.get(studying.get_absolute_url()).content.decode()
    )
    topic_page = client.get(studying.topic.get_absolute_url()).content.decode()
    assert reverse("study:deck_topic", args=["history", "the-cold-war"]) in topic_page
    client.force_login(other)
    home = client.get(reverse("study:home")).content.decode()
    assert reverse("study:deck_studied") in home and reverse("study:import") in home


def test_the_data_zip_holds_the_users_deck(other, studying):
    archive = zipfile.ZipFile(io.BytesIO(user_data_export(other)))
    name = next(n for n in archive.namelist() if n.endswith("study_deck.apkg"))
    deck = anki.read_deck_file(archive.read(name))
    assert len(deck.notes) == 21


# --- the command -------------------------------------------------------------------------


def test_export_deck_writes_a_resource_a_topic_a_users_set_or_a_file(
    tmp_path, capsys, library, other
):
    study_resource_add(other, library["cells"])
    out = tmp_path / "ref.apkg"
    call_command("export_deck", "the-rise-of-kruschev", "-o", str(out))
    assert "1 decks, 21 notes (apkg)" in capsys.readouterr().out
    assert len(anki.read_deck_file(out.read_bytes()).notes) == 21

    call_command("export_deck", "--topic", "history/the-cold-war", "-o", str(tmp_path / "t.csv"))
    assert "3 decks" in capsys.readouterr().out
    call_command("export_deck", "--user", "other", "-o", str(tmp_path / "u.x"), "--format", "csv")
    rows = csv.DictReader(io.StringIO((tmp_path / "u.x").read_text()))
    assert {row["deck"] for row in rows} == {"Recall::Biology::Cells::Animal Cells"}
    call_command("export_deck", str(REFERENCE_PAGE), "-o", str(tmp_path / "file.apkg"))
    assert "21 notes" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["no-such-thing"], "no such file or resource"),
        (["--topic", "history/nope"], "no such topic"),
        (["--user", "nobody"], "no such user"),
        ([], "Name one of"),
        (["x", "--user", "other"], "Name one of"),
    ],
)
def test_export_deck_errors(tmp_path, other, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("export_deck", *args, "-o", str(tmp_path / "x.apkg"))


def test_a_new_title_updates_the_back_extra_of_the_clozes_alone(collection, tmp_path, author):
    def notes(title: str) -> ParsedResource:
        return ParsedResource(
            title=title,
            subject="History",
            topic="The Cold War",
            cards=(ParsedCard("Power", "- Stalin died in 1953.\n- Kruschev rose in 1955."),),
        )

    with time_machine.travel(MONDAY, tick=False):
        resource = resource_save(author, notes("Kruschev"), publish=True)
    _import(collection, decks.deck_bytes([resource]), tmp_path / "first.apkg")
    before = _notes(collection)

    renamed_at = MONDAY + timedelta(days=1)
    with time_machine.travel(renamed_at, tick=False):
        resource_save(author, notes("Khrushchev"), resource=resource)
    resource.refresh_from_db()
    log = _import(collection, decks.deck_bytes([resource]), tmp_path / "second.apkg")

    assert len(log.new) == 0 and len(log.updated) == 2  # the two clozes
    after = _notes(collection)
    cloze_note = after["Stalin died in {{c1::1953}}."]
    assert cloze_note.id == before["Stalin died in {{c1::1953}}."].id
    assert cloze_note.fields[1] == "Khrushchev › Power"
    assert cloze_note.mod == int(renamed_at.timestamp())
    heading = "Power: what were its key points?"
    assert after[heading].mod == before[heading].mod == int(MONDAY.timestamp())


def test_a_move_to_another_topic_updates_the_notes_tags(collection, tmp_path, author, flashcards):
    _import(collection, decks.deck_bytes([flashcards]), tmp_path / "first.apkg")
    before = _notes(collection)["Who followed Stalin?"]
    assert "history::the-cold-war" in before.tags

    moved = dataclasses.replace(_flashcards(), topic="The Soviet Union")
    with time_machine.travel(MONDAY + timedelta(days=1), tick=False):
        resource_save(author, moved, resource=flashcards)
    flashcards.refresh_from_db()
    log = _import(collection, decks.deck_bytes([flashcards]), tmp_path / "second.apkg")

    assert len(log.new) == 0 and len(log.updated) == 2  # both notes, updated in place
    assert collection.note_count() == 2
    after = _notes(collection)["Who followed Stalin?"]
    assert after.id == before.id
    assert sorted(after.tags) == ["history::the-soviet-union", "recall"]
