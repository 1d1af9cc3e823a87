"""The community's forms: they parse input; the actions decide what is allowed."""

from __future__ import annotations

from django import forms

from recall.library.models import Resource

from .form_html import FAST_RENDERER
from .models import (
    MAX_COMMENT_LENGTH,
    MAX_NOTE_LENGTH,
    MAX_REPORT_LENGTH,
    MAX_STARS,
    MIN_STARS,
    Comment,
)


class TextField(forms.CharField):
    """A textarea's text with line endings as the browser counted them for maxlength."""

    def to_python(self, value):
        return super().to_python(value).replace("\r\n", "\n")


class CommentForm(forms.Form):
    default_renderer = FAST_RENDERER  # on every resource page: widgets without templates

    body = TextField(
        label="Your comment",
        max_length=MAX_COMMENT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Plain text or simple Markdown: **bold**, *italic*, [links](https://…), "
        "lists, > quotes and `code`.",
    )
    # The comment replied to; a reply to a reply joins the top-level comment's thread.
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, resource: Resource | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.resource = resource

    def clean_parent(self) -> Comment | None:
        """The comment replied to, on the same resource (whether the user may see it is the
        action's to check)."""
        pk = self.cleaned_data["parent"]
        if not pk:
            return None
        parent = (
            Comment.objects.filter(pk=pk, resource=self.resource)
            .select_related("parent", "author")
            .first()
        )
        if parent is None:
            raise forms.ValidationError("The comment you replied to has been deleted.")
        return parent


class CommentEditForm(forms.Form):
    default_renderer = FAST_RENDERER

    body = TextField(
        label="Your comment",
        max_length=MAX_COMMENT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


STAR_CHOICES = [(n, f"{n} star{'' if n == 1 else 's'}") for n in range(MIN_STARS, MAX_STARS + 1)]


class RatingForm(forms.Form):
    default_renderer = FAST_RENDERER

    stars = forms.TypedChoiceField(
        label="Rate this resource",
        choices=STAR_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
    )


class ReportForm(forms.Form):
    reason = TextField(
        label="What is wrong?",
        max_length=MAX_REPORT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="For example: wrong facts, copied without permission, offensive or spam. "
        "Only the moderators see this.",
    )


class ModerationForm(forms.Form):
    """An optional note for the audit trail."""

    note = TextField(
        label="Note (optional)",
        max_length=MAX_NOTE_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
