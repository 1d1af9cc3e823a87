"""manage.py export_site DIR: every visible resource as Markdown that imports back exactly."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from recall.lib.resource_text import ParsedCard, ParsedResource
from recall.library.actions import resource_import
from recall.library.models import Resource, Status, Subject, Topic
from recall.library.tests.conftest import make_resource

pytestmark = pytest.mark.django_db


def _library_snapshot() -> dict[str, tuple]:
    return {
        resource.title: (
            resource.subject.name,
            resource.topic.name,
            resource.level,
            resource.exam_board,
            resource.kind,
            resource.author.get_username(),
            [(card.heading, card.body) for card in resource.cards.order_by("position")],
        )
        for resource in Resource.objects.visible().select_related("subject", "topic", "author")
    }


@pytest.fixture
def site(library):
    """The library, awkward names and Markdown, a draft and a hidden resource."""
    resource_import(
        ParsedResource(
            title='Atoms: "isotopes" # and ions',
            subject="Chemistry",
            topic="Atomic structure",
            level="a-level",
            exam_board="OCR A",
            kind="flashcards",
            author="chem-teacher",
            cards=(
                ParsedCard("What is an isotope?", "Same *protons*, different neutrons."),
                ParsedCard("", "```\n---\nnot a separator inside a fence\n```\n\n> quoted"),
                ParsedCard("Lists", "1. one\n2. two\n\n   indented \\* escaped"),
            ),
        )
    )
    draft = make_resource("A Draft Nobody Sees")
    hidden = make_resource("A Hidden One")
    Resource.objects.filter(pk=draft.pk).update(status=Status.DRAFT)
    Resource.objects.filter(pk=hidden.pk).update(is_hidden=True)
    return library


def test_an_export_imports_back_into_an_empty_site_identically(site, tmp_path, capsys):
    before = _library_snapshot()
    assert len(before) == 6 and "A Draft Nobody Sees" not in before

    call_command("export_site", str(tmp_path / "export"))

    files = sorted((tmp_path / "export").iterdir())
    assert [path.name for path in files] == sorted(
        f"{r.slug}.md" for r in Resource.objects.visible()
    )
    assert "6 resource(s) written" in capsys.readouterr().out

    Resource.objects.all().delete()
    Topic.objects.all().delete()
    Subject.objects.all().delete()
    get_user_model().objects.all().delete()

    call_command("import_resources", *map(str, files))

    assert _library_snapshot() == before
    # The scraped reference page's cards, typos and all, come back as they were.
    assert len(before["The Rise of Kruschev"][-1]) == 3

    # Exported again, the files are the same, byte for byte.
    call_command("export_site", str(tmp_path / "again"))
    for path in files:
        assert (tmp_path / "again" / path.name).read_bytes() == path.read_bytes()


def test_a_card_that_cannot_round_trip_is_named(db, tmp_path, capsys):
    make_resource("Rules")
    resource = Resource.objects.get(title="Rules")
    resource.cards.filter(position=1).update(body="above\n\n---\n\nbelow")

    call_command("export_site", str(tmp_path))

    assert "rules: its file will not read back exactly" in capsys.readouterr().err
    assert Path(tmp_path / "rules.md").exists()
