"""The resource editor's forms: the resource's fields and its cards."""

from __future__ import annotations

from django import forms
from django.forms import formset_factory

from recall.lib import resource_text
from recall.lib.resource_text import ParsedCard, ParsedResource

from .models import Kind, Level


class ResourceForm(forms.Form):
    title = forms.CharField(max_length=resource_text.MAX_TITLE_LENGTH)
    subject = forms.CharField(
        max_length=resource_text.MAX_NAME_LENGTH,
        help_text="Pick one from the list or type a new one: new subjects and topics are "
        "checked by a moderator before they appear in the library.",
        widget=forms.TextInput(attrs={"list": "subject-names", "autocomplete": "off"}),
    )
    topic = forms.CharField(
        max_length=resource_text.MAX_NAME_LENGTH,
        widget=forms.TextInput(attrs={"list": "topic-names", "autocomplete": "off"}),
    )
    kind = forms.ChoiceField(choices=Kind.choices, initial=Kind.NOTES, label="Type")
    level = forms.ChoiceField(choices=[("", "Not given"), *Level.choices], required=False)
    exam_board = forms.CharField(
        max_length=resource_text.MAX_EXAM_BOARD_LENGTH, required=False, label="Exam board"
    )
    # The version the form was loaded from: saving over a newer one is a conflict.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def clean_title(self) -> str:
        return resource_text.normalise_spaces(self.cleaned_data["title"])

    def clean_subject(self) -> str:
        return resource_text.normalise_spaces(self.cleaned_data["subject"])

    def clean_topic(self) -> str:
        return resource_text.normalise_spaces(self.cleaned_data["topic"])


class CardForm(forms.Form):
    heading = forms.CharField(max_length=resource_text.MAX_HEADING_LENGTH, required=False)
    body = forms.CharField(
        max_length=resource_text.MAX_CARD_LENGTH,
        required=False,
        strip=False,
        label="Text (Markdown)",
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="One point a line, starting with “- ”. **bold**, *italic* and links work.",
    )

    def clean(self) -> dict:
        data = super().clean()
        if data.get("heading") and not (data.get("body") or "").strip():
            raise forms.ValidationError("A card needs some text under its heading.")
        return data

    @property
    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not data.get("heading") and not (data.get("body") or "").strip()


class BaseCardFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        if not self.management_form.is_valid() or any(self.errors):
            return
        if not self.cards():
            raise forms.ValidationError("Write at least one card.")

    def cards(self) -> list[ParsedCard]:
        """The cards to keep in the author's order (ORDER; none given keeps the page order)."""
        return [
            ParsedCard(form.cleaned_data["heading"].strip(), form.cleaned_data["body"].strip("\n"))
            for form in self.ordered_forms
            if not form.is_blank
        ]


CardFormSet = formset_factory(
    CardForm,
    formset=BaseCardFormSet,
    extra=0,
    can_order=True,
    can_delete=True,
    max_num=resource_text.MAX_CARDS,
    validate_max=True,
    absolute_max=resource_text.MAX_CARDS + 20,
)


class PasteForm(forms.Form):
    paste = forms.CharField(
        label="Paste notes",
        required=False,
        strip=False,
        max_length=resource_text.MAX_FILE_BYTES,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="A whole page of notes, copied from a revision site (cards ending “1 of 3”, "
        "points starting “•”) or in Recall's Markdown format: it is split into cards for you.",
    )


def resource_content(form: ResourceForm, cards: BaseCardFormSet) -> ParsedResource:
    data = form.cleaned_data
    return ParsedResource(
        title=data["title"],
        subject=data["subject"],
        topic=data["topic"],
        kind=data["kind"],
        level=data["level"],
        exam_board=data["exam_board"].strip(),
        cards=tuple(cards.cards()),
    )
