"""The study history goes into the user's "download your data" zip."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest

from recall.operations.exports import user_data_export
from recall.study.actions import review_answer
from recall.study.models import StudyItem

pytestmark = pytest.mark.django_db


def test_the_data_zip_holds_the_users_study_history(other, author, studying):
    item = StudyItem.objects.filter(resource=studying).order_by("pk").first()
    review_answer(other, item, 3, duration_ms=4200)

    archive = zipfile.ZipFile(io.BytesIO(user_data_export(other)))
    name = next(n for n in archive.namelist() if n.endswith("study_history.csv"))
    rows = list(csv.DictReader(io.StringIO(archive.read(name).decode())))

    assert [(r["resource"], r["rating"], r["duration_ms"]) for r in rows] == [
        ("the-rise-of-kruschev", "3", "4200")
    ]
    assert rows[0]["prompt"] == item.prompt
    # Someone else's download holds none of it.
    other_archive = zipfile.ZipFile(io.BytesIO(user_data_export(author)))
    other_name = next(n for n in other_archive.namelist() if n.endswith("study_history.csv"))
    assert other_archive.read(other_name).decode().count("\n") == 1  # the header alone


def test_the_data_zip_holds_exam_dates_and_the_cards_an_author_wrote(other, author, studying):
    from recall.library.models import Resource
    from recall.study.actions import exam_date_set, study_item_add, study_item_hide

    Resource.objects.filter(pk=studying.pk).update(author=author)
    studying.refresh_from_db()
    exam_date_set(other, _in_a_month(), resource=studying)
    study_item_add(author, studying, question="Who followed Stalin?", answer="Kruschev")
    study_item_hide(author, StudyItem.objects.filter(resource=studying, kind="cloze").first())

    mine = zipfile.ZipFile(io.BytesIO(user_data_export(other)))
    assert any(name.endswith("study_exam_dates.csv") for name in mine.namelist())
    assert not any(name.endswith("study_cards.csv") for name in mine.namelist())
    theirs = zipfile.ZipFile(io.BytesIO(user_data_export(author)))
    name = next(n for n in theirs.namelist() if n.endswith("study_cards.csv"))
    rows = list(csv.DictReader(io.StringIO(theirs.read(name).decode())))
    assert [(row["origin"], row["hidden"]) for row in rows] == [
        ("generated", "hidden"),
        ("authored", ""),
    ]
    assert rows[1]["prompt"] == "Who followed Stalin?"


def _in_a_month():
    from datetime import timedelta

    from django.utils import timezone

    return timezone.now().date() + timedelta(days=30)
