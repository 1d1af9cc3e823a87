"""The API's rate limits count in one upsert a request (recall.api.admission): a minute's
window of its own for each address and token, restarted when it ends, pruned afterwards."""

from __future__ import annotations

import pytest
import time_machine
from django.db import connection

from recall.api import admission
from recall.api.models import RateCounter

pytestmark = pytest.mark.django_db

START = 1_800_000_000  # a Unix time, on a minute


def test_a_key_counts_up_within_its_window_and_restarts_after_it():
    with time_machine.travel(START, tick=False) as traveller:
        first = admission.count_request("api-ip", "10.0.0.1")
        second = admission.count_request("api-ip", "10.0.0.1")
        assert first[0] == 1 and second == (2, first[1])
        assert START <= first[1] < START + admission.PERIOD
        # Another key, or the same value in another group, has its own count.
        assert admission.count_request("api-token", "10.0.0.1")[0] == 1
        assert admission.count_request("api-ip", "10.0.0.2")[0] == 1

        traveller.move_to(first[1] + 1)
        restarted = admission.count_request("api-ip", "10.0.0.1")

    assert restarted == (1, first[1] + admission.PERIOD)


def test_a_request_late_with_an_older_window_counts_in_the_newer_one():
    with time_machine.travel(START, tick=False) as traveller:
        _, end = admission.count_request("api-ip", "10.0.0.1")
        traveller.move_to(end + 1)
        admission.count_request("api-ip", "10.0.0.1")
        # A worker whose clock is behind counts in the newer window, not over it.
        traveller.move_to(end)
        assert admission.count_request("api-ip", "10.0.0.1") == (2, end + admission.PERIOD)


def test_counting_is_one_statement(django_assert_num_queries):
    admission.count_request("api-ip", "10.0.0.1")
    with django_assert_num_queries(1):
        assert admission.count_request("api-ip", "10.0.0.1")[0] == 2


def test_ended_windows_are_pruned():
    with time_machine.travel(START, tick=False) as traveller:
        admission.count_request("api-ip", "10.0.0.1")
        _, end = admission.count_request("api-ip", "10.0.0.2")
        traveller.move_to(START + 3 * admission.PERIOD)
        admission.count_request("api-ip", "10.0.0.3")
        assert admission.prune_counts() == 2

    assert list(RateCounter.objects.values_list("key", flat=True)) == ["api-ip:10.0.0.3"]


def test_counting_prunes_ended_windows_now_and_then(monkeypatch):
    monkeypatch.setattr(admission, "PRUNE_EVERY", 1)  # every count prunes
    with time_machine.travel(START, tick=False) as traveller:
        admission.count_request("api-ip", "10.0.0.1")
        traveller.move_to(START + 3 * admission.PERIOD)
        admission.count_request("api-ip", "10.0.0.2")

    assert list(RateCounter.objects.values_list("key", flat=True)) == ["api-ip:10.0.0.2"]


def test_a_long_key_is_hashed_to_fit():
    count, _ = admission.count_request("api-ip", "x" * 500)

    assert count == 1
    assert len(RateCounter.objects.get().key) <= 200


def test_an_api_request_is_counted_against_its_token(api, token, author):
    api.get("/me", token=token)
    api.get("/me", token=token)

    counter = RateCounter.objects.get(key__startswith="api-token:")
    assert counter.count == 2
    assert counter.key == f"api-token:{author.api_tokens.get().pk}"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
def test_counts_are_unlogged_on_postgresql():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relpersistence FROM pg_class WHERE relname = %s",
            [RateCounter._meta.db_table],
        )
        assert cursor.fetchone() == ("u",)
