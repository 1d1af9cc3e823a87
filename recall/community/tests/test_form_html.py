"""FastRenderer writes exactly what Django's widget templates write, for every state a
form on the resource page can be in (fresh, with a value, posted and failed)."""

from __future__ import annotations

import datetime

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

from recall.community.form_html import FAST_RENDERER, FastRenderer
from recall.community.forms import CommentEditForm, CommentForm, RatingForm
from recall.community.sections import RATING_AUTO_ID, edit_auto_id, reply_auto_id

DJANGO = DjangoTemplates()


class Everything(forms.Form):
    """Widgets the renderer writes itself, and some it leaves to the templates."""

    name = forms.CharField(max_length=20, help_text="A <name> & more")
    secret = forms.CharField(widget=forms.PasswordInput(render_value=True), required=False)
    when = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    count = forms.IntegerField(required=False, min_value=0)
    email = forms.EmailField(required=False, disabled=True)
    agree = forms.BooleanField(required=False)
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"data-x": '"q"'}))
    hidden = forms.CharField(required=False, widget=forms.HiddenInput)
    colour = forms.ChoiceField(choices=[("r", "Red & <b>"), ("g", "Green")], required=False)
    many = forms.MultipleChoiceField(
        choices=[(1, "One"), (2, mark_safe("<i>Two</i>"))],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    radio = forms.ChoiceField(choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect)


def both(form_class, *args, **kwargs):
    return (
        form_class(*args, renderer=DJANGO, **kwargs),
        form_class(*args, renderer=FAST_RENDERER, **kwargs),
    )


def rendered(form: forms.Form) -> list[str]:
    """Every way the templates show a form's parts."""
    parts = [str(form), str(form.non_field_errors())]
    for field in form:
        parts += [str(field), str(field.errors), field.label_tag()]
        if isinstance(field.field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
            for widget in field:
                parts += [str(widget.tag()), str(widget.tag(wrap_label=True)), str(widget)]
    return parts


FORMS = [
    (RatingForm, (), {"auto_id": RATING_AUTO_ID}),
    (RatingForm, (), {"auto_id": RATING_AUTO_ID, "initial": {"stars": 4}}),
    (RatingForm, ({"stars": "3"},), {"auto_id": RATING_AUTO_ID}),
    (RatingForm, ({"stars": "9"},), {"auto_id": RATING_AUTO_ID}),
    (RatingForm, ({},), {"auto_id": RATING_AUTO_ID}),
    (CommentForm, (), {"auto_id": "comment-%s"}),
    (CommentForm, (), {"auto_id": reply_auto_id(7), "initial": {"parent": 7}}),
    (CommentForm, ({"body": "", "parent": "x"},), {"auto_id": reply_auto_id(7)}),
    (CommentForm, ({"body": "a" * 5001},), {"auto_id": "comment-%s"}),
    (CommentEditForm, (), {"auto_id": edit_auto_id(3), "initial": {"body": "<b>&\"'"}}),
    (CommentEditForm, ({"body": "  "},), {"auto_id": edit_auto_id(3)}),
    (Everything, (), {}),
    (
        Everything,
        (),
        {
            "auto_id": False,
            "initial": {"name": "<x>", "when": datetime.date(2026, 5, 1), "agree": True},
        },
    ),
    (
        Everything,
        (
            {
                "name": 'Bo "b" <o>',
                "secret": "s&",
                "when": "2026-02-30",
                "count": "-1",
                "agree": "on",
                "note": "line\r\nline <2>",
                "hidden": mark_safe("<safe>"),
                "colour": "r",
                "many": ["1", "2"],
                "radio": "b",
            },
        ),
        {"prefix": "p"},
    ),
    (Everything, ({"count": "1", "many": ["3"]},), {"auto_id": "x-%s"}),
]


@pytest.mark.parametrize(("form_class", "args", "kwargs"), FORMS)
def test_same_html_as_django(form_class, args, kwargs):
    django, fast = both(form_class, *args, **kwargs)
    assert rendered(fast) == rendered(django)


def test_the_community_forms_use_it():
    for form in (RatingForm(), CommentForm(), CommentEditForm()):
        assert isinstance(form.renderer, FastRenderer)


def test_it_writes_the_widgets_itself(monkeypatch):
    """Not through the templates (which is the point): a template lookup fails the test."""

    def refuse(template_name):
        raise AssertionError(f"rendered {template_name} through the template engine")

    monkeypatch.setattr(FAST_RENDERER, "get_template", refuse)
    form = CommentForm(auto_id="comment-%s")
    assert 'id="comment-body"' in str(form["body"])
    assert str(form["body"].errors) == ""
    assert str(form["parent"]) == '<input type="hidden" name="parent" id="comment-parent">'
    stars = [str(radio.tag()) for radio in RatingForm(auto_id=RATING_AUTO_ID)["stars"]]
    assert stars[0] == '<input type="radio" name="stars" value="1" id="rating-stars_0" required>'
