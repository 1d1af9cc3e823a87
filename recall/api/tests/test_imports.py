"""Importing a file as yourself: multipart upload or JSON, the same parser and limits as the
import_resources command, never under another account."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from recall.api.admission import MAX_BODY_BYTES
from recall.conftest import MARKDOWN_RESOURCE, REFERENCE_PAGE
from recall.lib.resource_text import MAX_FILE_BYTES
from recall.library.actions import resource_import_bytes
from recall.library.models import Resource, Status, Subject, Topic

from .conftest import API, error_of

pytestmark = pytest.mark.django_db

MINE = MARKDOWN_RESOURCE.replace("author: teacher\n", "")


def upload(client, token: str, data: bytes, name: str = "notes.txt", **fields):
    return client.post(
        f"{API}/imports",
        {"file": SimpleUploadedFile(name, data), **fields},
        headers={"Authorization": f"Bearer {token}"},
    )


def test_it_imports_an_uploaded_file_as_the_tokens_user(client, token, library):
    response = upload(client, token, REFERENCE_PAGE.read_bytes())

    assert response.status_code == 201
    body = response.json()
    assert body["author"] == "author" and body["status"] == "published"
    assert body["title"] == "The Rise of Kruschev" and body["slug"] == "the-rise-of-kruschev-2"
    assert body["card_count"] == 3
    # The command line's copy of the same page is untouched, and still the system user's.
    assert Resource.objects.get(slug="the-rise-of-kruschev").author.username == "recall"


def test_it_imports_json_text(api, token, library):
    response = api.post("/imports", {"text": MINE}, token=token)

    assert response.status_code == 201
    assert response.json()["title"] == "The Berlin Wall"
    assert response.json()["level"] == "gcse" and response.json()["exam_board"] == "AQA"


def test_importing_again_updates_your_copy_in_place(api, token, library):
    first = api.post("/imports", {"text": MINE}, token=token).json()

    response = api.post("/imports", {"text": MINE.replace("2.7 million", "3 million")}, token=token)

    assert response.status_code == 200
    assert response.json()["slug"] == first["slug"] and response.json()["version"] == 2
    assert "3 million" in response.json()["cards"][0]["body"]


def test_two_users_importing_one_file_get_a_copy_each(api, token, other_token, library):
    mine = api.post("/imports", {"text": MINE}, token=token).json()
    theirs = api.post("/imports", {"text": MINE}, token=other_token).json()

    assert (mine["author"], theirs["author"]) == ("author", "other")
    assert mine["slug"] != theirs["slug"]
    assert Resource.objects.get(slug=mine["slug"]).author.username == "author"


def test_publish_false_keeps_a_draft(client, api, token, library):
    assert (
        api.post("/imports", {"text": MINE, "publish": False}, token=token).json()["status"]
        == "draft"
    )
    response = upload(client, token, MINE.encode(), "wall.md", publish="false")
    assert response.json()["status"] == "draft"


def test_a_file_naming_another_author_is_still_yours(api, token, library):
    response = api.post("/imports", {"text": MARKDOWN_RESOURCE}, token=token)

    assert response.status_code == 201
    assert response.json()["author"] == "author"
    assert not Resource.objects.filter(author__username="teacher").exists()


def test_new_subjects_from_an_import_wait_for_a_moderator(api, token, library):
    text = MINE.replace("subject: History", "subject: Astronomy")

    response = api.post("/imports", {"text": text}, token=token)

    assert response.json()["visible"] is False
    assert Subject.objects.get(slug="astronomy").is_approved is False
    assert Topic.objects.get(subject__slug="astronomy").is_approved is False


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"   ", "File is empty."),
        (b"\xff\xfe not utf-8", "File is not UTF-8 text (undecodable byte at offset 0)."),
        (b"Title\x00", "File is not text (it contains NUL bytes)."),
        (b"---\ntitle: x\n", "The front-matter block is not closed by a '---' line."),
        (b"Just a title", "The resource has no cards."),
    ],
)
def test_files_that_cant_be_imported_are_invalid(client, token, data, message):
    response = upload(client, token, data)

    assert response.status_code == 422
    assert error_of(response)["message"] == message
    assert not Resource.objects.exists()


def test_the_upload_needs_a_file(client, token):
    response = client.post(
        f"{API}/imports", {"publish": "true"}, headers={"Authorization": f"Bearer {token}"}
    )

    assert response.status_code == 422
    assert error_of(response)["fields"] == {"file": "Required."}


def test_a_bad_publish_value_is_invalid(client, token):
    response = upload(client, token, MINE.encode(), publish="perhaps")

    assert response.status_code == 422
    assert list(error_of(response)["fields"]) == ["publish"]


@pytest.mark.parametrize("body", ["{", "[]", '{"text": 5}', '{"text": ""}', '{"txt": "x"}'])
def test_bad_json_is_refused(api, token, body):
    response = api.post("/imports", body, token=token)

    assert response.status_code in {400, 422}


def test_a_file_over_the_limit_is_too_large(client, token):
    data = b"Title\n" + b"x" * MAX_FILE_BYTES

    response = upload(client, token, data)

    assert response.status_code == 413
    assert error_of(response)["code"] == "too_large"
    assert not Resource.objects.exists()


def test_json_text_over_the_limit_is_too_large(api, token):
    # Under the limit in characters, over it in UTF-8 bytes.
    text = "é" * (MAX_FILE_BYTES // 2 + 1)
    body = json.dumps({"text": text}, ensure_ascii=False)

    response = api.post("/imports", body.encode(), token=token)

    assert response.status_code == 413
    assert error_of(response)["fields"] == {"file": f"At most {MAX_FILE_BYTES:,} bytes."}


def test_a_body_over_the_limit_is_refused_before_it_is_read(api, token):
    response = api.post("/imports", "x" * (MAX_BODY_BYTES + 1), token=token)

    assert response.status_code == 413
    assert "the limit is" in error_of(response)["message"]


def test_a_body_over_the_limit_is_refused_before_the_token_is_checked(api):
    assert api.post("/resources", "x" * (MAX_BODY_BYTES + 1)).status_code == 413


def test_the_command_line_import_is_unchanged(library):
    result = resource_import_bytes(MARKDOWN_RESOURCE.encode(), default_author="recall")

    assert result.resource.author.username == "teacher"
    assert result.resource.status == Status.PUBLISHED
    assert Subject.objects.get(slug="history").is_approved
