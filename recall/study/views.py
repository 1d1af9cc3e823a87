"""The study pages: the queue, reviewing one card at a time, settings. Thin: parse, act, render."""

from __future__ import annotations

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from recall.lib.study.cram import CRAM_DAYS
from recall.library.models import Resource

from .actions import (
    cards_due_for,
    profile_zone,
    review_answer,
    study_profile,
    study_resource_add,
    study_resource_remove,
    study_settings_save,
)
from .cram import exam_dates_of
from .forms import StudySettingsForm, answer_from_post
from .models import StudiedResource, StudyItem
from .stats import study_stats


def _review_context(request: HttpRequest, show: int | None = None) -> dict:
    queue = cards_due_for(request.user)
    item = queue.next_item
    return {
        "queue": queue,
        "item": item,
        "show_answer": item is not None and show == item.pk,
        "done": queue.reviewed_today,
        "total": queue.reviewed_today + queue.remaining,
    }


@require_safe
@login_required
def study_home(request: HttpRequest) -> HttpResponse:
    studied = list(StudiedResource.objects.filter(user=request.user).select_related("resource"))
    exams = exam_dates_of(request.user)
    on_resource = {exam.resource_id: exam for exam in exams if exam.resource_id}
    for row in studied:
        row.exam = on_resource.get(row.resource_id)
    context = {**_review_context(request), "studied": studied, "exams": exams}
    context["cram_days"] = CRAM_DAYS
    return render(request, "study/home.html", context)


@require_safe
@login_required
def review(request: HttpRequest) -> HttpResponse:
    raw = request.GET.get("show", "")
    show = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 12 else None
    context = _review_context(request, show)
    if request.htmx:
        return render(request, "study/_review.html", context)
    return render(request, "study/review.html", context)


@require_POST
@login_required
def review_answer_view(request: HttpRequest, item_id: int) -> HttpResponse:
    answer = answer_from_post(request.POST)
    if answer is None:
        return HttpResponse("Rate the answer 1 (Again) to 4 (Easy).", status=400)
    try:
        # review_answer reads the item itself (with its resource, in one query).
        review_answer(request.user, item_id, *answer)
    except StudyItem.DoesNotExist:
        raise Http404("No such question.") from None
    if request.htmx:
        return render(request, "study/_review.html", _review_context(request))
    return HttpResponseRedirect(_review_path(get_script_prefix(), get_urlconf()))


@functools.cache
def _review_path(prefix: str, urlconf: str | None) -> str:
    """The review page's path, reversed once per prefix: reversing took up to a tenth
    of an answer's CPU in the worker (bench/study_answer.py)."""
    return reverse("study:review")


def _studyable(request: HttpRequest, slug: str) -> Resource:
    resource = Resource.objects.select_related("subject", "topic").filter(slug=slug).first()
    if resource is None or not resource.is_visible_to(request.user):
        raise Http404("No such resource.")
    return resource


@require_POST
@login_required
def study_add(request: HttpRequest, slug: str) -> HttpResponse:
    resource = _studyable(request, slug)
    study_resource_add(request.user, resource)
    messages.success(request, f"“{resource.title}” is in your studies.")
    return redirect("study:review")


@require_POST
@login_required
def study_remove(request: HttpRequest, slug: str) -> HttpResponse:
    resource = get_object_or_404(Resource, slug=slug)
    study_resource_remove(request.user, resource)
    messages.success(request, f"“{resource.title}” is no longer in your studies.")
    return redirect("study:home")


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def study_settings(request: HttpRequest) -> HttpResponse:
    profile = study_profile(request.user)
    if request.method == "POST":
        form = StudySettingsForm(request.POST)
        if form.is_valid():
            study_settings_save(request.user, **form.cleaned_data)
            messages.success(request, "Study settings saved.")
            return redirect("study:home")
    else:
        form = StudySettingsForm(
            initial={
                "desired_retention": profile.desired_retention,
                "new_per_day": profile.new_per_day,
                "reviews_per_day": profile.reviews_per_day,
                "time_zone": profile.time_zone,
            }
        )
    return render(request, "study/settings.html", {"form": form})


@require_safe
@login_required
def study_stats_view(request: HttpRequest) -> HttpResponse:
    zone = profile_zone(study_profile(request.user))
    stats = study_stats(request.user, timezone.now(), zone)
    return render(request, "study/stats.html", {"stats": stats})
