"""Daily limits count from midnight in the user's time zone; the settings page sets it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from recall.api.tests.conftest import issue_token
from recall.lib.study.scheduling import GOOD
from recall.study.actions import (
    cards_due_for,
    day_start,
    review_answer,
    study_settings_save,
)
from recall.study.models import StudiedResource, StudyItem, StudyProfile

pytestmark = pytest.mark.django_db

TOKYO = "Asia/Tokyo"  # UTC+9 all year


def test_new_cards_come_back_at_local_midnight_not_utc_midnight(other, studying):
    study_settings_save(
        other, desired_retention=0.9, new_per_day=2, reviews_per_day=200, time_zone=TOKYO
    )
    # 23:50 in Tokyo on 2 March is 14:50 UTC.
    before_midnight = datetime(2026, 3, 2, 23, 50, tzinfo=ZoneInfo(TOKYO))
    with time_machine.travel(before_midnight, tick=False) as clock:
        for item in cards_due_for(other).new:
            review_answer(other, item, GOOD, now=timezone.now())
        assert cards_due_for(other).new == []
        # 00:10 in Tokyo: a new day there, though still 2 March in UTC.
        clock.move_to(before_midnight + timedelta(minutes=20))
        assert timezone.now().astimezone(UTC).date() == before_midnight.astimezone(UTC).date()
        queue = cards_due_for(other)
        assert (queue.new_today, len(queue.new)) == (0, 2)
        for item in queue.new:
            review_answer(other, item, GOOD, now=timezone.now())
        # UTC midnight (09:00 in Tokyo) starts nothing.
        clock.move_to(datetime(2026, 3, 3, 0, 5, tzinfo=UTC))
        queue = cards_due_for(other)
        assert (queue.new_today, queue.new) == (2, [])


def test_in_utc_the_same_answers_share_one_day(other, studying):
    study_settings_save(other, desired_retention=0.9, new_per_day=2, reviews_per_day=200)
    start = datetime(2026, 3, 2, 14, 50, tzinfo=UTC)
    with time_machine.travel(start, tick=False) as clock:
        for item in cards_due_for(other).new:
            review_answer(other, item, GOOD, now=timezone.now())
        clock.move_to(start + timedelta(minutes=20))
        assert cards_due_for(other).new == []


def test_day_start_across_a_clock_change():
    london = ZoneInfo("Europe/London")
    # The clocks went forward at 01:00 UTC on 29 March 2026: the day began at 00:00 GMT.
    assert day_start(datetime(2026, 3, 29, 12, 0, tzinfo=UTC), london) == datetime(
        2026, 3, 29, 0, 0, tzinfo=UTC
    )
    # The next day began at 00:00 BST, 23:00 UTC the day before.
    assert day_start(datetime(2026, 3, 30, 12, 0, tzinfo=UTC), london) == datetime(
        2026, 3, 29, 23, 0, tzinfo=UTC
    )


@pytest.mark.parametrize("name", ["Mars/Olympus", "", " UTC", "../etc/passwd", "x" * 65])
def test_unknown_time_zones_are_refused(other, name):
    with pytest.raises(ValidationError):
        study_settings_save(
            other, desired_retention=0.9, new_per_day=2, reviews_per_day=200, time_zone=name
        )
    assert not StudyProfile.objects.filter(user=other).exists()


def test_the_settings_page_sets_the_time_zone(client, other):
    client.force_login(other)
    assert 'name="time_zone"' in client.get("/study/settings/").content.decode()
    form = {"desired_retention": "0.9", "new_per_day": "5", "reviews_per_day": "50"}
    response = client.post("/study/settings/", {**form, "time_zone": "America/New_York"})
    assert response.status_code == 302
    assert StudyProfile.objects.get(user=other).time_zone == "America/New_York"
    assert 'value="America/New_York"' in client.get("/study/settings/").content.decode()
    bad = client.post("/study/settings/", {**form, "time_zone": "Mars/Olympus"})
    assert bad.status_code == 200 and "Unknown time zone" in bad.content.decode()
    assert StudyProfile.objects.get(user=other).time_zone == "America/New_York"


def test_refresh_study_items_backfills_studied_resources(other, studying, capsys):
    # A resource studied before its items were generated (or by an older generator).
    StudyItem.objects.filter(resource=studying).delete()
    assert StudiedResource.objects.filter(user=other, resource=studying).exists()

    call_command("refresh_study_items")

    assert StudyItem.objects.filter(resource=studying).count() == 21
    assert "Refreshed 1 resources: 21 study items added." in capsys.readouterr().out
    assert len(cards_due_for(other).new) == 20
    # Again: nothing changes, items and their ids stay.
    ids = set(StudyItem.objects.values_list("pk", flat=True))
    call_command("refresh_study_items", "--all")
    assert set(StudyItem.objects.values_list("pk", flat=True)) == ids


def test_the_stats_count_answers_by_the_users_day(client, other, studying):
    """Answers at 23:50 and 00:10 in Tokyo are two days there, one day in UTC."""
    items = list(StudyItem.objects.filter(resource=studying)[:2])
    late = datetime(2026, 3, 2, 23, 50, tzinfo=ZoneInfo(TOKYO))
    client.force_login(other)
    with time_machine.travel(late, tick=False) as clock:
        review_answer(other, items[0], GOOD, now=timezone.now())
        clock.move_to(late + timedelta(minutes=20))
        review_answer(other, items[1], GOOD, now=timezone.now())
        in_utc = client.get("/study/stats/").content.decode()
        study_settings_save(
            other, desired_retention=0.9, new_per_day=20, reviews_per_day=200, time_zone=TOKYO
        )
        in_tokyo = client.get("/study/stats/").content.decode()
        token = issue_token(other)
        response = client.get("/api/v1/study/stats", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200
        api_days = {row["day"]: row["count"] for row in response.json()["reviews_per_day"]}

    assert "<title>2 Mar: 2</title>" in in_utc
    assert "<title>2 Mar: 1</title>" in in_tokyo and "<title>3 Mar: 1</title>" in in_tokyo
    assert (api_days["2026-03-02"], api_days["2026-03-03"]) == (1, 1)
