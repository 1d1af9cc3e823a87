"""manage.py import_resources DIR: many files, some broken, each named with its reason."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from recall.library.models import Card, Resource
from recall.library.tests.import_corpus import write_import_corpus
from recall.search.models import SearchDocument

pytestmark = pytest.mark.django_db


class Terminal(StringIO):
    def isatty(self) -> bool:
        return True


def run_import(*args: str, stderr: StringIO | None = None):
    out, err = StringIO(), stderr if stderr is not None else StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("import_resources", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue(), str(raised.value)


def test_it_imports_the_good_files_of_a_directory_and_names_each_bad_one(tmp_path):
    # 50 files: every kind of broken file once (a 50 MB one among them), the rest good.
    good, bad = write_import_corpus(tmp_path / "notes", 50)

    out, err, error = run_import(str(tmp_path / "notes"))

    assert error == f"{len(bad)} of 50 file(s) could not be imported."
    lines = err.splitlines()
    assert len(lines) == len(bad)
    for path, reason in bad.items():
        [line] = [line for line in lines if line.startswith(f"{path}: ")]
        assert reason in line, line
    assert "(52,428,800 bytes; the limit is 2,097,152)" in err  # its size, read only in part
    assert len(out.splitlines()) == len(good)
    assert Resource.objects.count() == len(good)
    for expected in good.values():
        resource = Resource.objects.get(title=expected.title)
        assert (resource.subject.name, resource.topic.name) == (expected.subject, expected.topic)
        assert resource.cards.count() == expected.cards
    assert Card.objects.count() == sum(g.cards for g in good.values())
    assert SearchDocument.objects.count() == len(good)


def test_it_shows_a_progress_line_on_a_terminal(tmp_path):
    _, bad = write_import_corpus(tmp_path / "notes", 20, huge_bytes=3 * 1024 * 1024)

    _, err, _ = run_import(str(tmp_path / "notes"), stderr=Terminal())

    assert "\r[" in err and "20/20 files, 14 bad" in err
    # Each reason is on a line of its own, the progress line cleared before it.
    for path in bad:
        assert f"\r\x1b[K{path}: " in err
    assert err.endswith("\n")


def test_it_is_quiet_with_no_progress_or_off_a_terminal(tmp_path):
    write_import_corpus(tmp_path / "notes", 16, huge_bytes=3 * 1024 * 1024)

    _, on_terminal, _ = run_import(str(tmp_path / "notes"), "--no-progress", stderr=Terminal())
    Resource.objects.all().delete()
    _, off_terminal, _ = run_import(str(tmp_path / "notes"))

    assert "\r" not in on_terminal and "\r" not in off_terminal
    assert on_terminal == off_terminal


def test_hidden_files_in_a_directory_are_skipped(tmp_path, markdown_resource):
    (tmp_path / "notes" / ".git").mkdir(parents=True)
    (tmp_path / "notes" / ".git" / "config").write_text("[core]\n")
    (tmp_path / "notes" / ".draft.md").write_text("not a resource")
    (tmp_path / "notes" / "wall.md").write_text(markdown_resource)

    out = StringIO()
    call_command("import_resources", str(tmp_path / "notes"), stdout=out, stderr=StringIO())

    assert out.getvalue() == "/resources/the-berlin-wall/\n"
