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
