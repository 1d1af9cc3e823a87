"""manage.py import_resources: files in, resources out, bad files refused whole."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from recall.conftest import REFERENCE_PAGE
from recall.library import actions
from recall.library.models import Card, Resource, Subject, Topic

pytestmark = pytest.mark.django_db


def run_import(*paths, author=None):
    out, err = StringIO(), StringIO()
    args = [str(p) for p in paths] + (["--author", author] if author else [])
    try:
        call_command("import_resources", *args, stdout=out, stderr=err)
    except CommandError as error:
        return out.getvalue(), err.getvalue(), error
    return out.getvalue(), err.getvalue(), None


def test_it_imports_the_reference_page():
    out, err, error = run_import(REFERENCE_PAGE)

    assert error is None, err
    assert out == "/resources/the-rise-of-kruschev/\n"
    resource = Resource.objects.get()
    assert resource.title == "The Rise of Kruschev"
    assert (resource.subject.name, resource.topic.name) == ("History", "The Cold War")
    assert (resource.subject.slug, resource.topic.slug) == ("history", "the-cold-war")
    assert resource.author.username == "recall"
    assert not resource.author.has_usable_password()
    cards = list(resource.cards.all())
    assert [(c.position, c.heading) for c in cards] == [
        (1, "The Rise of Kruschev -Background"),
        (2, ""),
        (3, "The Warsaw Pact"),
    ]
    assert [c.body_html.count("<li>") for c in cards] == [6, 8, 5]
    assert "he had defeated Hitler" in cards[0].body_html


def test_it_imports_a_markdown_file(write_file, markdown_resource):
    path = write_file("wall.md", markdown_resource)

    out, err, error = run_import(path)

    assert error is None, err
    assert out == "/resources/the-berlin-wall/\n"
    resource = Resource.objects.get(slug="the-berlin-wall")
    assert (resource.level, resource.get_level_display(), resource.exam_board) == (
        "gcse",
        "GCSE",
        "AQA",
    )
    assert resource.author.username == "teacher"
    assert resource.cards.count() == 2


def test_it_uses_the_author_option_for_files_without_one():
    run_import(REFERENCE_PAGE, author="history-dept")

    assert Resource.objects.get().author.username == "history-dept"


def test_reimporting_updates_in_place(write_file, markdown_resource):
    path = write_file("wall.md", markdown_resource)
    run_import(path)
    first = Resource.objects.get()
    Resource.objects.filter(pk=first.pk).update(view_count=7)

    path.write_text(markdown_resource.replace("Kennedy visited", "President Kennedy visited"))
    out, _, error = run_import(path)

    assert error is None
    assert out == "/resources/the-berlin-wall/\n"
    resource = Resource.objects.get()
    assert resource.pk == first.pk
    assert resource.view_count == 7
    assert resource.created_at == first.created_at
    assert resource.updated_at > first.updated_at
    assert "President Kennedy" in resource.cards.get(position=2).body_html
    assert Card.objects.count() == 2


def test_a_second_resource_with_the_same_title_gets_its_own_slug(write_file, markdown_resource):
    run_import(write_file("a.md", markdown_resource))
    other = markdown_resource.replace("topic: The Cold War", "topic: Germany 1945-1991")

    out, _, _ = run_import(write_file("b.md", other))

    assert out == "/resources/the-berlin-wall-2/\n"
    assert Resource.objects.count() == 2


def test_subjects_and_topics_are_matched_by_slug(write_file, markdown_resource):
    run_import(write_file("a.md", markdown_resource))
    lower = markdown_resource.replace("subject: History", "subject: history").replace(
        "title: The Berlin Wall", "title: The Wall Falls"
    )

    run_import(write_file("b.md", lower))

    assert Subject.objects.count() == 1
    assert Topic.objects.count() == 1


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("", "file is empty"),
        (b"\x00\x01\x02binary", "file is not text"),
        (b"Caf\xe9", "not UTF-8 text"),
        ("Title\n• a\n1 of 1\n", "no subject or topic"),
        ("---\ntitle: T\nsubject: S\ntopic: P\n---\n", "the resource has no cards"),
        ("---\ntitle: T\nsubject: S\ntopic: P\n---\n" + "x\n---\n" * 101, "the limit is 100"),
    ],
)
def test_it_reports_a_bad_file_and_writes_nothing(write_file, content, reason):
    path = write_file("bad.txt", content)

    out, err, error = run_import(path)

    assert out == ""
    assert err == f"{path}: {reason}\n" or (err.startswith(f"{path}: ") and reason in err)
    assert error is not None and "1 of 1 file(s) could not be imported" in str(error)
    assert Resource.objects.count() == 0
    assert Subject.objects.count() == 0


def test_a_missing_file_is_reported(tmp_path):
    _, err, error = run_import(tmp_path / "nope.md")

    assert err == f"{tmp_path / 'nope.md'}: cannot read the file (no such file or directory)\n"
    assert error is not None


def test_one_bad_file_does_not_stop_the_others(write_file, markdown_resource):
    bad = write_file("bad.md", "---\ntitle: T\n")
    good = write_file("good.md", markdown_resource)

    out, err, error = run_import(REFERENCE_PAGE, bad, good)

    assert out.splitlines() == ["/resources/the-rise-of-kruschev/", "/resources/the-berlin-wall/"]
    assert err == f"{bad}: the front-matter block is not closed by a '---' line\n"
    assert str(error) == "1 of 3 file(s) could not be imported."
    assert Resource.objects.count() == 2


def test_a_failure_half_way_through_a_file_leaves_nothing_behind(monkeypatch, markdown_resource):
    calls = []

    def failing_render(text):
        calls.append(text)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return f"<p>{text}</p>"

    monkeypatch.setattr(actions, "render_markdown", failing_render)
    parsed = actions.parse_resource_text(markdown_resource)

    with pytest.raises(RuntimeError):
        actions.resource_import(parsed, default_author="recall")

    assert len(calls) == 2
    assert Resource.objects.count() == 0
    assert Card.objects.count() == 0
    assert Subject.objects.count() == 0
    assert not get_user_model().objects.filter(username="teacher").exists()


def test_a_failed_reimport_keeps_the_previous_version(monkeypatch, write_file, markdown_resource):
    path = write_file("wall.md", markdown_resource)
    run_import(path)
    before = list(Card.objects.values_list("body", flat=True))

    def failing_render(text):
        raise RuntimeError("disk full")

    monkeypatch.setattr(actions, "render_markdown", failing_render)
    path.write_text(markdown_resource.replace("Kennedy", "JFK"))
    with pytest.raises(RuntimeError):
        run_import(path)

    assert list(Card.objects.values_list("body", flat=True)) == before
