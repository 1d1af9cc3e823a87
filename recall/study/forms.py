from __future__ import annotations

import re

from django import forms
from django.http import QueryDict

from recall.lib.study import scheduling

from .actions import valid_time_zone


class StudySettingsForm(forms.Form):
    desired_retention = forms.FloatField(
        min_value=scheduling.MIN_RETENTION,
        max_value=scheduling.MAX_RETENTION,
        help_text="The chance of remembering a card when it comes due: higher means more "
        "reviews (0.7 to 0.99; 0.9 suits most).",
    )
    new_per_day = forms.IntegerField(min_value=0, max_value=500, label="New cards a day")
    reviews_per_day = forms.IntegerField(min_value=1, max_value=5000, label="Reviews a day at most")
    time_zone = forms.CharField(
        max_length=64,
        required=False,
        help_text="Your day, for the daily limits, starts at midnight here: a time zone "
        "name such as Europe/London or America/New_York (blank for UTC).",
    )

    def clean_time_zone(self) -> str:
        name = self.cleaned_data["time_zone"].strip() or "UTC"
        if not valid_time_zone(name):
            raise forms.ValidationError("Unknown time zone: use a name such as Europe/London.")
        return name


# The review form's fields, read without a Django form: instantiating one copies its fields,
# about 0.13 ms of CPU an answer (bench/study_answer.py).
_RATINGS = {str(value): value for value in scheduling.RATINGS}
_DECIMAL_ZEROS = re.compile(r"\.0*\s*$")  # "2500.0" is 2500, as forms.IntegerField reads it


def answer_from_post(data: QueryDict) -> tuple[int, int] | None:
    """(rating, duration_ms) from the review form's post, or None when it is not valid:
    `rating` exactly 1 to 4 (Again to Easy), and `duration_ms` blank (0) or a whole
    number of milliseconds, not negative."""
    rating = _RATINGS.get(data.get("rating", ""))
    if rating is None:
        return None
    raw = (data.get("duration_ms") or "").strip()
    if not raw:
        return rating, 0
    try:
        duration = int(_DECIMAL_ZEROS.sub("", raw))
    except ValueError:
        return None
    return (rating, duration) if duration >= 0 else None
