from __future__ import annotations

from collections.abc import Callable
from itertools import groupby
from operator import itemgetter

from django import forms
from django.forms.utils import flatatt
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from recall.library.models import Kind, Level, Subject, Topic
from recall.operations.page_cache import shared_html

from .backends import Filters

# The shared_html() fragments of the subject and topic options (page_cache.prefetch reads
# them with the content version in one cache call).
SUBJECT_OPTIONS = "search-form:subject-options"
TOPIC_OPTIONS = "search-form:topic-options"
OPTION_FRAGMENTS = [SUBJECT_OPTIONS, TOPIC_OPTIONS]


def _subject_options() -> str:
    rows = Subject.objects.filter(is_approved=True).order_by("name").values_list("pk", "name")
    return '<option value="">Any</option>' + "".join(
        format_html('<option value="{}">{}</option>', pk, name) for pk, name in rows
    )


def _topic_options() -> str:
    """Every approved topic, grouped under its subject (subjects and topics by name)."""
    rows = (
        Topic.objects.filter(is_approved=True)
        .order_by("subject__name", "subject_id", "name", "pk")
        .values_list("subject_id", "subject__name", "pk", "name")
    )
    parts = ['<option value="">Any</option>']
    for (_, subject), topics in groupby(rows, key=itemgetter(0, 1)):
        parts.append(format_html('<optgroup label="{}">', subject))
        for *_, pk, name in topics:
            parts.append(format_html('<option value="{}">{}</option>', pk, name))
        parts.append("</optgroup>")
    return "".join(parts)


class SharedOptionsSelect(forms.Select):
    """A <select> whose options are the same for every reader (the approved subjects or
    topics): rendered once per content version from a values_list() query
    (page_cache.shared_html), not from model instances through the widget's option
    templates (the 400 topics of a large site took about 1 MB per search page), with the
    reader's choice marked in it. The field still validates against its queryset."""

    def __init__(self, fragment: str, options: Callable[[], str]) -> None:
        super().__init__()
        self.fragment, self.options = fragment, options
        self.request: HttpRequest | None = None

    def render(self, name, value, attrs=None, renderer=None) -> str:
        options = shared_html(self.fragment, self.options, self.request)
        chosen = "" if value is None else str(value)
        if not chosen.isdigit():  # nothing chosen, or no option's value: "Any"
            chosen = ""
        marked = options.replace(
            f'<option value="{chosen}">', f'<option value="{chosen}" selected>', 1
        )
        if marked == options:  # a value no option has: "Any", as Django's Select shows it
            marked = options.replace('<option value="">', '<option value="" selected>', 1)
        select = flatatt({"name": name, **self.build_attrs(self.attrs, attrs)})
        # Our own escaped HTML (format_html), and attributes flatatt escaped.
        return mark_safe(f"<select{select}>{marked}</select>")  # noqa: S308


class SearchForm(forms.Form):
    q = forms.CharField(label="Search for", max_length=200, required=False)
    subject = forms.ModelChoiceField(
        queryset=Subject.objects.filter(is_approved=True),
        required=False,
        empty_label="Any",
        widget=SharedOptionsSelect(SUBJECT_OPTIONS, _subject_options),
    )
    topic = forms.ModelChoiceField(
        queryset=Topic.objects.filter(is_approved=True).select_related("subject"),
        required=False,
        empty_label="Any",
        widget=SharedOptionsSelect(TOPIC_OPTIONS, _topic_options),
    )
    level = forms.ChoiceField(choices=[("", "Any"), *Level.choices], required=False)
    kind = forms.ChoiceField(choices=[("", "Any"), *Kind.choices], required=False, label="Type")
    exact = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, request: HttpRequest | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in ("subject", "topic"):
            self.fields[name].widget.request = request

    def filters(self) -> Filters:
        data = self.cleaned_data
        return Filters(
            subject_id=data["subject"].pk if data.get("subject") else None,
            topic_id=data["topic"].pk if data.get("topic") else None,
            level=data.get("level") or "",
            kind=data.get("kind") or "",
        )
