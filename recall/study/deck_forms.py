"""The form that uploads a deck to import as flashcards."""

from __future__ import annotations

from django import forms

from recall.lib.resource_text import MAX_NAME_LENGTH, MAX_TITLE_LENGTH
from recall.lib.study.anki import MAX_DECK_FILE_BYTES


class DeckImportForm(forms.Form):
    file = forms.FileField(
        help_text="An Anki package (.apkg, exported with “Support older Anki versions”), or "
        "a CSV or TSV file: a question, a tab (or a comma), its answer, one a line (Quizlet's "
        f"export). At most {MAX_DECK_FILE_BYTES // 1024 // 1024} MB.",
    )
    title = forms.CharField(
        max_length=MAX_TITLE_LENGTH,
        required=False,
        help_text="Blank: the deck's name, or the file's.",
    )
    subject = forms.CharField(max_length=MAX_NAME_LENGTH)
    topic = forms.CharField(max_length=MAX_NAME_LENGTH)
    publish = forms.TypedChoiceField(
        choices=[("draft", "Keep as a draft"), ("publish", "Publish")],
        initial="draft",
        widget=forms.RadioSelect,
        coerce=lambda value: value == "publish",
        label="When imported",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_DECK_FILE_BYTES:
            raise forms.ValidationError(
                f"The file is {upload.size / 1024 / 1024:.1f} MB; the limit is "
                f"{MAX_DECK_FILE_BYTES // 1024 // 1024} MB."
            )
        return upload
