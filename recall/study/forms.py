from __future__ import annotations

from django import forms

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


class AnswerForm(forms.Form):
    rating = forms.TypedChoiceField(
        choices=[(value, name) for value, name in scheduling.RATINGS.items()], coerce=int
    )
    duration_ms = forms.IntegerField(min_value=0, required=False)
