"""Exam dates: set one on a resource or a topic, clear it (cram mode, recall.study.cram)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from recall.library.models import Resource, Topic

from .actions import exam_date_clear, exam_date_set
from .models import ExamDate


class ExamDateForm(forms.Form):
    date = forms.DateField(label="Exam date", widget=forms.DateInput(attrs={"type": "date"}))


def _back(request: HttpRequest, default: str) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(default)


def _set(request: HttpRequest, default: str, **scope) -> HttpResponse:
    form = ExamDateForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the exam date as a day (YYYY-MM-DD).")
        return _back(request, default)
    try:
        exam = exam_date_set(request.user, form.cleaned_data["date"], **scope)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"Exam on {exam.date:%-d %B %Y}: its cards will be brought forward in the "
            "last two weeks before it.",
        )
    return _back(request, default)


@require_POST
@login_required
def exam_resource(request: HttpRequest, slug: str) -> HttpResponse:
    resource = Resource.objects.select_related("subject", "topic").filter(slug=slug).first()
    if resource is None or not resource.is_visible_to(request.user):
        raise Http404("No such resource.")
    return _set(request, resource.get_absolute_url(), resource=resource)


@require_POST
@login_required
def exam_topic(request: HttpRequest, subject_slug: str, topic_slug: str) -> HttpResponse:
    topic = get_object_or_404(Topic.objects.approved(), subject__slug=subject_slug, slug=topic_slug)
    return _set(request, topic.get_absolute_url(), topic=topic)


@require_POST
@login_required
def exam_clear(request: HttpRequest, exam_id: int) -> HttpResponse:
    exam = get_object_or_404(ExamDate, pk=exam_id)
    exam_date_clear(request.user, exam)
    messages.success(request, "Exam date cleared.")
    return _back(request, "/study/")
