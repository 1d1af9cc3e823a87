"""user_data_export: everything one user made, as a zip, and nothing of anyone else's."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from recall.lib.resource_text import parse_markdown_resource
from recall.operations import exports
from recall.operations.exports import register_user_data_section, user_data_export

pytestmark = pytest.mark.django_db


def _open(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name).decode("utf-8") for name in archive.namelist()}


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_it_holds_the_users_resources_comments_ratings_and_reports(populated, author):
    files = _open(user_data_export(author))

    assert sorted(files) == [
        "README.txt",
        "account.json",
        "comments.csv",
        "ratings.csv",
        "reports.csv",
        "resources/authors-draft.md",
        "resources/authors-notes.md",
        "study_history.csv",  # from recall.study, through the hook
    ]
    assert json.loads(files["account.json"])["email"] == "author@example.org"
    notes = parse_markdown_resource(files["resources/authors-notes.md"])
    assert notes.title == "Author's Notes" and notes.author == "author"
    assert (notes.level, notes.exam_board) == ("gcse", "AQA")
    assert [(c.heading, c.body) for c in notes.cards] == [
        ("Heading", "- Edited."),
        ("", "Second card."),
    ]
    comments = _rows(files["comments.csv"])
    assert [c["text"] for c in comments] == ["A comment by the **author**."]
    assert comments[0]["resource"] == "the-rise-of-kruschev"
    assert [(r["resource"], r["stars"]) for r in _rows(files["ratings.csv"])] == [
        ("the-rise-of-kruschev", "4")
    ]
    assert [r["reason"] for r in _rows(files["reports.csv"])] == ["A wrong date in card 2."]
    assert (
        '"author"' in files["README.txt"] and "every resource you wrote (2)" in files["README.txt"]
    )


def test_it_holds_nothing_of_anyone_elses(populated, other):
    files = _open(user_data_export(other))

    assert not [name for name in files if name.startswith("resources/")]
    assert [c["text"] for c in _rows(files["comments.csv"])] == [
        "A reply by the other user.",
        "The other user on the author's notes.",
    ]
    assert sorted(r["stars"] for r in _rows(files["ratings.csv"])) == ["2", "5"]
    assert _rows(files["reports.csv"]) == []
    everything = "".join(files.values())
    assert "author@example.org" not in everything
    assert "A comment by the **author**." not in everything


def test_anonymous_and_inactive_users_get_nothing(author):
    with pytest.raises(PermissionDenied):
        user_data_export(AnonymousUser())
    author.is_active = False
    with pytest.raises(PermissionDenied):
        user_data_export(author)


def test_other_apps_add_their_files_through_the_hook(author, monkeypatch):
    monkeypatch.setattr(exports, "_user_data_sections", [])

    @register_user_data_section
    def study_history(user):
        return {"study_history.csv": f"user\n{user.get_username()}\n".encode()}

    files = _open(user_data_export(author))

    assert files["study_history.csv"] == "user\nauthor\n"
    assert "study_history.csv" in files["README.txt"]


def test_csv_cells_that_a_spreadsheet_would_run_are_quoted():
    from recall.operations.exports import csv_bytes

    data = csv_bytes(["a", "b"], [['=HYPERLINK("http://x")', "+1"], ["@SUM(A1)", "plain -1"]])

    assert data.decode().splitlines() == [
        "a,b",
        '"\'=HYPERLINK(""http://x"")",\'+1',
        "'@SUM(A1),plain -1",
    ]
