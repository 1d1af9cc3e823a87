"""Downloading decks (Anki package or CSV) and importing one as flashcards. Thin views."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_safe
from django_ratelimit.core import is_ratelimited

from recall.lib.resource_text import ResourceFormatError
from recall.library.models import Resource, Topic

from . import decks
from .deck_forms import DeckImportForm


def _download(request: HttpRequest, resources: list[Resource], stem: str) -> HttpResponse:
    file_format = request.GET.get("format", decks.APKG)
    if file_format not in decks.FORMATS:
        raise Http404("Unknown format: use apkg or csv.")
    response = HttpResponse(
        decks.deck_bytes(resources, file_format), content_type=decks.CONTENT_TYPES[file_format]
    )
    name = decks.deck_filename(stem, file_format)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_safe
def deck_resource(request: HttpRequest, slug: str) -> HttpResponse:
    resource = Resource.objects.select_related("subject", "topic").filter(slug=slug).first()
    if resource is None or not resource.is_visible_to(request.user):
        raise Http404("No such resource.")
    return _download(request, [resource], resource.slug)


@require_safe
def deck_topic(request: HttpRequest, subject_slug: str, topic_slug: str) -> HttpResponse:
    topic = get_object_or_404(Topic.objects.approved(), subject__slug=subject_slug, slug=topic_slug)
    resources = decks.resources_of_topic(request.user, topic)
    if not resources:
        raise Http404("This topic has no resources to export.")
    return _download(request, resources, f"{topic.subject.slug}-{topic.slug}")


@require_safe
@login_required
def deck_studied(request: HttpRequest) -> HttpResponse:
    resources = decks.resources_studied_by(request.user)
    if not resources:
        messages.info(request, "You study nothing yet: there is no deck to export.")
        return redirect("study:home")
    return _download(request, resources, f"recall-{request.user.get_username()}")


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def deck_import_view(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(request, "study/import.html", {"form": DeckImportForm()})
    form = DeckImportForm(request.POST, request.FILES)
    if form.is_valid():
        if is_ratelimited(request, group="deck-import", key="user", rate="20/h", increment=True):
            form.add_error(None, "You have imported 20 files in the last hour: try again later.")
        else:
            upload = form.cleaned_data["file"]
            try:
                result = decks.deck_import(
                    request.user,
                    upload.read(),
                    subject=form.cleaned_data["subject"],
                    topic=form.cleaned_data["topic"],
                    title=form.cleaned_data["title"],
                    filename=upload.name or "",
                    publish=form.cleaned_data["publish"],
                )
            except (ResourceFormatError, PermissionDenied) as error:
                form.add_error("file", f"Nothing was imported: {error}.")
            else:
                first = result.resources[0]
                parts = len(result.resources)
                note = f" in {parts} parts" if parts > 1 else ""
                skipped = f"; {result.skipped} notes without question or answer were skipped"
                messages.success(
                    request,
                    f"Imported {result.cards} cards{note}{skipped if result.skipped else ''}.",
                )
                return redirect(first.get_absolute_url())
    return render(request, "study/import.html", {"form": form}, status=422)
