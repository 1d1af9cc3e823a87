"""Importing flashcards: Quizlet's TSV, CSV, Anki packages; the page and the command."""

from __future__ import annotations

from pathlib import Path

import pytest
from anki.collection import Collection, DeckIdLimit, ExportAnkiPackageOptions
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from recall.lib.study import cloze
from recall.library.models import Card, Resource, Status
from recall.study import decks
from recall.study.models import StudyItem

pytestmark = pytest.mark.django_db

QUIZLET = (
    "mitosis\tcell division giving two identical cells\nmeiosis\tcell division giving gametes\n"
)


def _anki_package(tmp_path: Path) -> bytes:
    """A deck exported by Anki's own library, as "Support older Anki versions" does."""
    col = Collection(str(tmp_path / "source.anki2"))
    try:
        deck_id = col.decks.id("Biology::Cell division")
        basic = col.new_note(col.models.by_name("Basic"))
        basic["Front"] = "What is <b>mitosis</b>?"
        basic["Back"] = "Division into two<br>identical cells"
        col.add_note(basic, deck_id)
        note = col.new_note(col.models.by_name("Cloze"))
        note["Text"] = "{{c1::Mitosis}} makes {{c2::two::how many?}} cells"
        note["Back Extra"] = "See the cell cycle"
        col.add_note(note, deck_id)
        path = tmp_path / "exported.apkg"
        col.export_anki_package(
            out_path=str(path),
            options=ExportAnkiPackageOptions(
                with_scheduling=False, with_deck_configs=False, with_media=False, legacy=True
            ),
            limit=DeckIdLimit(deck_id),
        )
    finally:
        col.close()
    return path.read_bytes()


def test_a_quizlet_export_becomes_a_draft_flashcards_resource(other):
    result = decks.deck_import(
        other, QUIZLET.encode(), subject="Biology", topic="Cells", filename="cells.tsv"
    )
    [resource] = result.resources
    assert (resource.title, resource.kind, resource.author, resource.status) == (
        "cells",
        "flashcards",
        other,
        Status.DRAFT,
    )
    items = StudyItem.objects.filter(resource=resource).order_by("position")
    assert [(item.kind, item.prompt, item.answer) for item in items] == [
        ("qa", "mitosis", "cell division giving two identical cells"),
        ("qa", "meiosis", "cell division giving gametes"),
    ]


def test_an_anki_package_keeps_its_clozes(tmp_path, other, client):
    result = decks.deck_import(
        other, _anki_package(tmp_path), subject="Biology", topic="Cells", publish=True
    )
    [resource] = result.resources
    assert resource.title == "Cell division" and resource.is_published
    items = StudyItem.objects.filter(resource=resource).order_by("position")
    assert [(item.kind, item.prompt, item.answer, item.span_kind) for item in items] == [
        ("qa", "What is mitosis?", "Division into two\nidentical cells", ""),
        ("cloze", "[...] makes two cells", "Mitosis", cloze.MARKED),
        ("cloze", "Mitosis makes [how many?] cells", "two", cloze.MARKED),
    ]
    # The page shows the cloze text readably, with the back extra below it.
    client.force_login(other)
    page = client.get(resource.card_url(2)).content.decode()
    assert "<b>Mitosis</b> makes <b>two</b> cells" in page
    assert "{{c1::" not in page and "See the cell cycle" in page
    # Exported again, the cloze note is one note with both numbers.
    [spec] = decks.deck_specs([resource])
    assert [note.fields for note in spec.notes][1] == (
        "{{c1::Mitosis}} makes {{c2::two::how many?}} cells",
        "See the cell cycle",
    )


def test_a_big_deck_is_split_in_parts_and_reimporting_updates_them(other):
    lines = "".join(f"term {n}\tdefinition {n}\n" for n in range(150))
    result = decks.deck_import(other, lines.encode(), subject="Maths", topic="Terms", title="T")
    assert [r.title for r in result.resources] == ["T (1 of 2)", "T (2 of 2)"]
    assert [r.cards.count() for r in result.resources] == [100, 50]
    again = decks.deck_import(other, lines.encode(), subject="Maths", topic="Terms", title="T")
    assert [r.pk for r in again.resources] == [r.pk for r in result.resources]
    assert Resource.objects.count() == 2


def test_a_failing_part_writes_nothing(other, monkeypatch):
    calls = []
    real = decks.resource_import

    def failing(parsed, **kwargs):
        calls.append(parsed.title)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(parsed, **kwargs)

    monkeypatch.setattr(decks, "resource_import", failing)
    lines = "".join(f"term {n}\tdefinition {n}\n" for n in range(150))
    with pytest.raises(RuntimeError):
        decks.deck_import(other, lines.encode(), subject="Maths", topic="Terms")
    assert Resource.objects.count() == 0 and Card.objects.count() == 0


def test_anonymous_users_cannot_import():
    from django.contrib.auth.models import AnonymousUser
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        decks.deck_import(AnonymousUser(), QUIZLET.encode(), subject="B", topic="C")


# --- the page ----------------------------------------------------------------------------


def _post(client: Client, content: bytes, name: str = "cells.tsv", **fields):
    upload = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    data = {"file": upload, "subject": "Biology", "topic": "Cells", "publish": "draft"}
    return client.post(reverse("study:import"), {**data, **fields})


def test_the_import_page_needs_a_login(client):
    response = client.get(reverse("study:import"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert _post(client, QUIZLET.encode()).status_code == 302
    assert Resource.objects.count() == 0


def test_the_import_page_imports_and_redirects(client, other):
    client.force_login(other)
    page = client.get(reverse("study:import")).content.decode()
    assert 'enctype="multipart/form-data"' in page and "csrfmiddlewaretoken" in page
    response = _post(client, QUIZLET.encode(), title="Cell words", publish="publish")
    resource = Resource.objects.get()
    assert response.status_code == 302 and response["Location"] == resource.get_absolute_url()
    assert (resource.title, resource.author, resource.is_published) == ("Cell words", other, True)


def test_the_import_page_checks_csrf(other):
    client = Client(enforce_csrf_checks=True)
    client.force_login(other)
    assert _post(client, QUIZLET.encode()).status_code == 403
    assert Resource.objects.count() == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The submitted file is empty"),
        (b"\x00\x01binary\x02", "binary"),
        (b"PK\x03\x04not really a zip", "not a zip"),
        (b"only a question\n", "line 1 has no answer"),
    ],
)
def test_bad_files_are_refused_and_nothing_is_created(client, other, content, message):
    client.force_login(other)
    response = _post(client, content)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert Resource.objects.count() == 0


def test_a_file_over_the_size_limit_is_refused(client, other, monkeypatch):
    monkeypatch.setattr("recall.study.deck_forms.MAX_DECK_FILE_BYTES", 10)
    client.force_login(other)
    response = _post(client, QUIZLET.encode())
    assert response.status_code == 422 and "the limit is" in response.content.decode()
    assert Resource.objects.count() == 0


# --- the command -------------------------------------------------------------------------


def test_import_deck_imports_a_file_for_a_user(tmp_path, capsys, other):
    path = tmp_path / "words.tsv"
    path.write_text(QUIZLET, encoding="utf-8")
    args = ["--subject", "Biology", "--topic", "Cells"]
    call_command("import_deck", str(path), "--user", "other", "--publish", *args)
    resource = Resource.objects.get()
    assert capsys.readouterr().out.startswith(resource.get_absolute_url())
    assert (resource.title, resource.author, resource.is_published) == ("words", other, True)

    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"no answer here\n")
    with pytest.raises(CommandError, match="line 1 has no answer.*; nothing was imported"):
        call_command("import_deck", str(bad), "--user", "other", *args)
    with pytest.raises(CommandError, match="no such user"):
        call_command("import_deck", str(path), "--user", "nobody", *args)
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_deck", str(tmp_path / "missing"), "--user", "other", *args)
    assert Resource.objects.count() == 1


def test_the_new_resource_page_links_to_the_import(client, other):
    client.force_login(other)
    assert reverse("study:import") in client.get("/resources/new/").content.decode()
