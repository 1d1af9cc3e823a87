"""schemathesis against the live OpenAPI schema: hostile, random and boundary input to
every operation, with and without a token. Nothing may answer 5xx, every answer must be
one the schema documents (status, headers and body), and no write may go through without
a valid token.

Deterministic: a bounded number of examples per operation, derandomized.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import ignored_auth, positive_data_acceptance

from recall.community.tests.conftest import add_comment
from recall.lib.resource_text import parse_resource_text
from recall.library.actions import resource_import
from recall.study.actions import study_resource_add

from .conftest import issue_token, make_resource, own

pytestmark = pytest.mark.django_db

WRITES = {"POST", "PUT", "PATCH", "DELETE"}
EXAMPLES = 25


# The site as a WSGI application; the schema is read from it, as a client would.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler())


@pytest.fixture(autouse=True)
def data(settings, author, other, reference_text):
    """Resources, comments and no rate limits; requests keep the test's database."""
    settings.RECALL_API_RATE_PER_IP = settings.RECALL_API_RATE_PER_TOKEN = 1_000_000
    reference = resource_import(parse_resource_text(reference_text), default_author="recall")
    own(reference.resource, author)
    study_resource_add(author, reference.resource)  # study items to answer
    others = own(make_resource("The Berlin Blockade"), other)
    add_comment(reference.resource, other, "A comment by other.")
    add_comment(others, author, "A comment by author.")
    # The WSGI handler would close the test's connection (and its transaction) after
    # each request: Django's own test client prevents that in the same way.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield {"token": issue_token(author, "fuzz")}
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def check(case, response, excluded=(), headers=None) -> None:
    """Every check schemathesis has. Three refusals no schema can foresee are not held
    against "valid data must be accepted": a well-formed cursor the API never gave, an
    imported file that is not in an import format, and an exam date that is not after today
    (all 422)."""
    excluded = list(excluded)
    if response.status_code == 422 and (
        set(response.json()["error"]["fields"]) == {"cursor"}
        or case.operation.path.endswith("/imports")
        or (
            case.operation.path.endswith("/exam")
            and response.json()["error"]["message"].startswith("The exam date must be")
        )
    ):
        excluded.append(positive_data_acceptance)
    case.validate_response(
        response,
        excluded_checks=excluded,
        headers=headers,
        transport_kwargs={"headers": headers} if headers else None,
    )


FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)


@schema.parametrize()
@FUZZ
def test_it_answers_every_input_as_documented_with_a_token(case, data):
    headers = {"Authorization": f"Bearer {data['token']}"}
    check(case, case.call(headers=headers), headers=headers)


@schema.parametrize()
@FUZZ
def test_it_refuses_every_write_without_a_token(case):
    # Without a token reads answer as documented; every write is refused.
    response = case.call()
    check(case, response, excluded=[ignored_auth])
    # (Some cases try a method the path lacks: 405, checked by schemathesis; and a slug or
    # number that doesn't parse names no operation: 404.)
    if case.method.upper() == case.operation.method.upper() in WRITES:
        assert response.status_code in {401, 404, 413}, response.text
        if response.status_code == 404:
            assert response.json()["error"]["message"] == "There is no such API path."
