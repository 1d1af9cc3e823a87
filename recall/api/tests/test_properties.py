"""Property tests for what takes text: the import and Markdown endpoints (and the JSON
bodies of every write) under random Unicode, huge inputs and malformed JSON. Whatever
comes in, the answer is a success or an error in the documented shape, never a 500."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recall.api.admission import MAX_BODY_BYTES
from recall.lib.rendering import render_markdown
from recall.lib.resource_text import (
    MAX_CARD_LENGTH,
    MAX_FILE_BYTES,
    ResourceFormatError,
    parse_resource_text,
)

from .conftest import error_of

pytestmark = pytest.mark.django_db

PROPERTY = settings(
    max_examples=60,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Every code point, surrogates and controls included.
ANY_CHARACTER = st.characters(codec=None, categories=None)
ANY_TEXT = st.text(alphabet=ANY_CHARACTER, max_size=400)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | ANY_TEXT,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


@pytest.fixture(autouse=True)
def _no_rate_limits(settings):
    settings.RECALL_API_RATE_PER_IP = settings.RECALL_API_RATE_PER_TOKEN = 1_000_000


def assert_answered(response, allowed: set[int]) -> None:
    assert response.status_code in allowed, response.content[:500]
    if response.status_code >= 400:
        error_of(response)


def has_no_lone_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@PROPERTY
@given(text=ANY_TEXT)
def test_any_text_is_imported_or_refused(api, token, library, text):
    response = api.post("/imports", {"text": text}, token=token)

    assert_answered(response, {200, 201, 422})
    if response.status_code in {200, 201}:
        body = response.json()
        assert body["author"] == "author"
        assert all("<script" not in card["body_html"] for card in body["cards"])


cards = st.lists(
    st.tuples(
        st.text(alphabet=st.characters(categories=("L", "N", "Zs")), max_size=30),
        st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1),
    ),
    min_size=1,
    max_size=5,
)


@PROPERTY
@given(
    title=st.text(alphabet=st.characters(categories=("L", "N")), min_size=1, max_size=40),
    cards=cards,
)
def test_an_importable_file_reads_back_as_the_parser_reads_it(api, token, library, title, cards):
    text = "---\ntitle: " + json.dumps(title) + "\nsubject: History\ntopic: Imports\n---\n"
    text += "\n---\n".join(f"## {heading}\n\n{body}" for heading, body in cards)
    try:
        expected = parse_resource_text(text)  # refuses a YAML escape of half a character
    except ResourceFormatError:
        expected = None

    response = api.post("/imports", {"text": text, "publish": False}, token=token)

    if expected is None:
        assert_answered(response, {422})
        return
    assert_answered(response, {200, 201})
    got = [(card["heading"], card["body"]) for card in response.json()["cards"]]
    assert got == [(card.heading, card.body) for card in expected.cards]
    assert response.json()["title"] == expected.title


@PROPERTY
@given(data=st.binary(max_size=600))
def test_any_uploaded_bytes_are_imported_or_refused(client, token, library, data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        "/api/v1/imports",
        {"file": SimpleUploadedFile("random.bin", data)},
        headers={"Authorization": f"Bearer {token}"},
    )

    assert_answered(response, {200, 201, 422})


@PROPERTY
@given(text=ANY_TEXT)
def test_any_markdown_renders_safely_as_a_card_would(api, token, text):
    response = api.post("/markdown", {"text": text}, token=token)

    if "\x00" in text or not has_no_lone_surrogate(text):
        assert_answered(response, {422})
        return
    assert_answered(response, {200})
    html = response.json()["html"]
    assert html == render_markdown(text)
    assert "<script" not in html.lower()


@PROPERTY
@given(body=ANY_TEXT)
def test_any_card_body_is_stored_sanitised_or_refused(api, token, wall, body):
    response = api.post("/resources/the-berlin-wall/cards", {"body": body}, token=token)

    assert_answered(response, {201, 422})
    if response.status_code == 201:
        card = response.json()
        assert card["body"] == body.replace("\r\n", "\n").replace("\r", "\n").strip("\n")
        assert card["body_html"] == render_markdown(card["body"])
        # Keep the resource under its card limit for the next example.
        api.delete(f"/resources/the-berlin-wall/cards/{card['position']}", token=token)


@PROPERTY
@given(raw=st.binary(max_size=300))
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/resources"),
        ("patch", "/resources/the-berlin-wall"),
        ("post", "/imports"),
        ("post", "/markdown"),
        ("post", "/resources/the-berlin-wall/comments"),
        ("put", "/resources/the-berlin-wall/rating"),
    ],
)
def test_malformed_bodies_never_break_a_write(api, token, other_token, wall, method, path, raw):
    writer = other_token if "comments" in path or "rating" in path else token

    response = api.call(method, path, raw, token=writer)

    assert_answered(response, {200, 201, 400, 403, 409, 422, 429})


@PROPERTY
@given(value=JSON_VALUES)
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/resources"),
        ("patch", "/resources/the-berlin-wall"),
        ("post", "/resources/the-berlin-wall/cards"),
        ("post", "/imports"),
        ("post", "/markdown"),
    ],
)
def test_any_json_value_is_answered(api, token, wall, method, path, value):
    response = api.call(method, path, json.dumps(value), token=token)

    assert_answered(response, {200, 201, 400, 409, 422})


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        ("/markdown", {"text": "x" * (MAX_CARD_LENGTH + 1)}, 422),
        ("/imports", {"text": "Title\n" + "x" * MAX_FILE_BYTES}, 413),
        ("/imports", {"text": "Title\n" + "\u00e9" * (MAX_FILE_BYTES // 2)}, 413),
        ("/resources", {"cards": [{"body": "x"}] * 10_000}, 422),
        ("/resources", {"title": "t" * 1_000_000}, 422),
    ],
)
def test_huge_inputs_are_refused_whole(api, token, path, body, status):
    raw = json.dumps(body, ensure_ascii=False).encode()

    response = api.post(path, raw, token=token)

    assert_answered(response, {status, 413})
    assert len(raw) > MAX_BODY_BYTES or response.status_code == status


def test_deeply_nested_json_is_a_bad_request(api, token):
    response = api.post("/resources", "[" * 100_000 + "]" * 100_000, token=token)

    assert_answered(response, {400, 413})
