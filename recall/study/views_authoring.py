"""Edit study cards: the resource's author adds questions, rewords, hides and restores them.

Thin views over recall.study.actions (study_item_*); each row is a partial htmx swaps.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from recall.library.models import Resource

from .actions import (
    MAX_CARD_TEXT,
    study_item_add,
    study_item_choose_span,
    study_item_edit,
    study_item_hide,
    study_item_revert,
)
from .models import StudyItem


class CardForm(forms.Form):
    prompt = forms.CharField(
        label="Question", max_length=MAX_CARD_TEXT, widget=forms.Textarea(attrs={"rows": 2})
    )
    answer = forms.CharField(
        label="Answer", max_length=MAX_CARD_TEXT, widget=forms.Textarea(attrs={"rows": 2})
    )


class NewCardForm(CardForm):
    card = forms.IntegerField(
        label="After card", min_value=1, required=False, help_text="the card it belongs to"
    )


def _editable(request: HttpRequest, slug: str) -> Resource:
    """The resource, if the user may see it (else 404) and edit it (else 403)."""
    resource = (
        Resource.objects.select_related("subject", "topic__subject").filter(slug=slug).first()
    )
    if resource is None or not resource.is_visible_to(request.user):
        raise Http404("No such resource.")
    if not resource.can_edit(request.user):
        raise PermissionDenied("Only the resource's author can change its study cards.")
    return resource


def _item(request: HttpRequest, slug: str, item_id: int) -> StudyItem:
    resource = _editable(request, slug)
    item = get_object_or_404(StudyItem, pk=item_id, resource=resource)
    item.resource = resource
    return item


def _cards_url(resource: Resource, item: StudyItem | None = None) -> str:
    url = reverse("study:cards", args=[resource.slug])
    return f"{url}#item-{item.pk}" if item else url


@require_safe
@login_required
def cards(request: HttpRequest, slug: str) -> HttpResponse:
    resource = _editable(request, slug)
    items = list(StudyItem.objects.filter(resource=resource, retired_at__isnull=True))
    for item in items:
        item.resource = resource
    context = {
        "resource": resource,
        "items": items,
        "hidden_count": sum(item.is_hidden for item in items),
        "edited_count": sum(item.is_edited for item in items),
        "form": NewCardForm(),
    }
    return render(request, "study/cards.html", context)


@require_POST
@login_required
def card_add(request: HttpRequest, slug: str) -> HttpResponse:
    resource = _editable(request, slug)
    form = NewCardForm(request.POST)
    if form.is_valid():
        try:
            item = study_item_add(
                request.user,
                resource,
                question=form.cleaned_data["prompt"],
                answer=form.cleaned_data["answer"],
                card_position=form.cleaned_data["card"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Question added.")
            return redirect(_cards_url(resource, item))
    else:
        messages.error(request, "Write both a question and an answer.")
    return redirect(_cards_url(resource))


def _row(request: HttpRequest, item: StudyItem, error: str = "") -> HttpResponse:
    if request.htmx:
        return render(request, "study/_card_row.html", {"item": item, "error": error})
    if error:
        messages.error(request, error)
    return redirect(_cards_url(item.resource, item))


def _act(request: HttpRequest, slug: str, item_id: int, action) -> HttpResponse:
    item = _item(request, slug, item_id)
    try:
        changed = action(item)
    except ValidationError as error:
        item.refresh_from_db()
        return _row(request, item, " ".join(error.messages))
    changed.resource = item.resource
    return _row(request, changed)


@require_POST
@login_required
def card_edit(request: HttpRequest, slug: str, item_id: int) -> HttpResponse:
    form = CardForm(request.POST)

    def edit(item: StudyItem) -> StudyItem:
        if not form.is_valid():
            raise ValidationError("Write both a question and an answer.")
        return study_item_edit(
            request.user,
            item,
            prompt=form.cleaned_data["prompt"],
            answer=form.cleaned_data["answer"],
        )

    return _act(request, slug, item_id, edit)


@require_POST
@login_required
def card_span(request: HttpRequest, slug: str, item_id: int) -> HttpResponse:
    span = request.POST.get("span", "")
    return _act(
        request, slug, item_id, lambda item: study_item_choose_span(request.user, item, span)
    )


@require_POST
@login_required
def card_hide(request: HttpRequest, slug: str, item_id: int) -> HttpResponse:
    return _act(request, slug, item_id, lambda item: study_item_hide(request.user, item))


@require_POST
@login_required
def card_restore(request: HttpRequest, slug: str, item_id: int) -> HttpResponse:
    return _act(
        request, slug, item_id, lambda item: study_item_hide(request.user, item, hidden=False)
    )


@require_POST
@login_required
def card_revert(request: HttpRequest, slug: str, item_id: int) -> HttpResponse:
    return _act(request, slug, item_id, lambda item: study_item_revert(request.user, item))
