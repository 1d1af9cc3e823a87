from __future__ import annotations

from django import forms

from recall.library.models import Kind, Level, Subject, Topic

from .backends import Filters


class SearchForm(forms.Form):
    q = forms.CharField(label="Search for", max_length=200, required=False)
    subject = forms.ModelChoiceField(
        queryset=Subject.objects.filter(is_approved=True), required=False, empty_label="Any"
    )
    topic = forms.ModelChoiceField(
        queryset=Topic.objects.filter(is_approved=True).select_related("subject"),
        required=False,
        empty_label="Any",
    )
    level = forms.ChoiceField(choices=[("", "Any"), *Level.choices], required=False)
    kind = forms.ChoiceField(choices=[("", "Any"), *Kind.choices], required=False, label="Type")
    exact = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def filters(self) -> Filters:
        data = self.cleaned_data
        return Filters(
            subject_id=data["subject"].pk if data.get("subject") else None,
            topic_id=data["topic"].pk if data.get("topic") else None,
            level=data.get("level") or "",
            kind=data.get("kind") or "",
        )
