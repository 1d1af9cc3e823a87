"""Comments, ratings, reports and the moderators' queue.

Thin: a form, the action (which checks permissions again, for the API's sake), then a
redirect, or for htmx the re-rendered section. A form that fails is shown again with its
errors: in place for htmx (as a 200, since htmx swaps only 2xx responses), otherwise on a
page of its own with 422 (invalid) or 429 (over a rate limit).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_ratelimit.core import is_ratelimited

from recall.accounts.roles import is_moderator
from recall.library.models import Resource, Subject, Topic

from . import actions, sections
from .forms import CommentEditForm, CommentForm, ModerationForm, RatingForm, ReportForm
from .models import Comment, ModerationAction, Report

COMMENT_RATE = "10/m"  # comments and replies, per user
COMMENT_REFUSAL = "You can post at most 10 comments a minute: wait a moment and try again."
REPORT_RATE = "20/h"  # reports, per user
REPORT_REFUSAL = "You can send at most 20 reports an hour: please try again later."
QUEUE_LENGTH = 50
RECENT_ACTIONS = 20


def moderator_required(view: Callable) -> Callable:
    """Log in first (anonymous), then moderators only (403 for everyone else)."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not is_moderator(request.user):
            raise PermissionDenied("Only moderators can do this.")
        return view(request, *args, **kwargs)

    return wrapper


def _resource(request: HttpRequest, slug: str) -> Resource:
    """The resource if this user may see it (drafts for their author, hidden for moderators)."""
    queryset = Resource.objects.select_related("subject", "topic__subject", "author")
    return get_object_or_404(queryset.visible_to(request.user), slug=slug)


def _comment(request: HttpRequest, pk: int) -> Comment:
    """The comment if this user may see it and its resource, with what its checks need."""
    comment = get_object_or_404(
        Comment.objects.visible_to(request.user).select_related(
            "author", "parent", "resource__subject", "resource__topic__subject", "resource__author"
        ),
        pk=pk,
    )
    if not comment.resource.is_visible_to(request.user):
        raise Http404("No such comment.")
    return comment


def _apply(form: forms.Form, action: Callable, *args) -> object | None:
    """Call the action; a ValidationError it raises becomes an error on the form."""
    try:
        return action(*args)
    except ValidationError as error:
        for message in error.messages:
            form.add_error(None, message)
        return None


def _over_limit(
    request: HttpRequest, form: forms.Form, group: str, rate: str, refusal: str
) -> bool:
    """Count this attempt against the user's limit; over it, the form says so."""
    if is_ratelimited(request, group=group, key="user", rate=rate, increment=True):
        form.add_error(None, refusal)
        return True
    return False


def _back(request: HttpRequest) -> str:
    """Where a moderation form came from (its "next"), or the queue."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("community:moderation")


def _comments_done(request: HttpRequest, resource: Resource, notice: str, url: str) -> HttpResponse:
    if request.htmx:
        context = sections.comments_context(request, resource, notice=notice)
        return render(request, "community/_comments.html", context)
    messages.success(request, notice)
    return redirect(url)


def _comment_failed(
    request: HttpRequest, form: forms.Form, template: str, status: int, context: dict
) -> HttpResponse:
    if request.htmx:
        section = sections.comments_context(request, context["resource"], bound_form=form)
        return render(request, "community/_comments.html", section)
    return render(request, template, {**context, "form": form}, status=status)


# Comments


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def comment_create(request: HttpRequest, slug: str) -> HttpResponse:
    """POST a comment or a reply; GET shows the form alone (a reply without JavaScript)."""
    resource = _resource(request, slug)
    if not sections.can_comment(request.user, resource):
        raise PermissionDenied("Comments open once a resource is published.")
    context = {"resource": resource}
    if request.method != "POST":
        form = CommentForm(initial={"parent": request.GET.get("parent")})
        return render(request, "community/comment_form.html", {**context, "form": form})
    form = CommentForm(
        request.POST,
        resource=resource,
        auto_id=sections.comment_auto_id(request.POST.get("parent")),
    )
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        if _over_limit(request, form, "comment", COMMENT_RATE, COMMENT_REFUSAL):
            status = 429
        elif comment := _apply(
            form, actions.comment_create, request.user, resource, data["body"], data["parent"]
        ):
            notice = "Your reply is posted." if comment.parent_id else "Your comment is posted."
            return _comments_done(request, resource, notice, comment.get_absolute_url())
    return _comment_failed(request, form, "community/comment_form.html", status, context)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def comment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _comment(request, pk)
    if not comment.can_edit(request.user):
        raise PermissionDenied("Only its author can edit a comment.")
    context = {"resource": comment.resource, "comment": comment}
    if request.method != "POST":
        form = CommentEditForm(initial={"body": comment.body})
        return render(request, "community/comment_edit.html", {**context, "form": form})
    form = CommentEditForm(request.POST, auto_id=sections.edit_auto_id(comment.pk))
    if form.is_valid() and _apply(
        form, actions.comment_update, request.user, comment, form.cleaned_data["body"]
    ):
        notice, url = "Your comment is saved.", comment.get_absolute_url()
        return _comments_done(request, comment.resource, notice, url)
    return _comment_failed(request, form, "community/comment_edit.html", 422, context)


@require_POST
@login_required
def comment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _comment(request, pk)
    resource = comment.resource
    actions.comment_delete(request.user, comment)
    url = f"{resource.get_absolute_url()}#comments"
    return _comments_done(request, resource, "Your comment is deleted.", url)


# Ratings


@require_POST
@login_required
def resource_rate(request: HttpRequest, slug: str) -> HttpResponse:
    resource = _resource(request, slug)
    if not sections.can_rate(request.user, resource):
        raise PermissionDenied("You can't rate this resource.")
    form = RatingForm(request.POST, auto_id=sections.RATING_AUTO_ID)
    rating = form.is_valid() and _apply(
        form, actions.rating_set, request.user, resource, form.cleaned_data["stars"]
    )
    if rating:
        notice = f"Your rating of {rating.stars} out of 5 is saved."
        if not request.htmx:
            messages.success(request, notice)
            return redirect(resource.get_absolute_url())
        context = sections.stats_context(request, resource, notice=notice, oob=True)
    elif request.htmx:
        context = sections.stats_context(request, resource, rating_form=form, oob=True)
    else:
        context = {"resource": resource, "form": form}
        return render(request, "community/rating_form.html", context, status=422)
    return render(request, "community/_rating.html", context)


# Reports


def _report(
    request: HttpRequest, target: Resource | Comment, action: Callable, context: dict
) -> HttpResponse:
    status = 200
    form = ReportForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        status = 422
        if form.is_valid():
            if _over_limit(request, form, "report", REPORT_RATE, REPORT_REFUSAL):
                status = 429
            elif _apply(form, action, request.user, target, form.cleaned_data["reason"]):
                messages.success(request, "Thank you: the moderators will look at your report.")
                return redirect(target.get_absolute_url())
    return render(request, "community/report_form.html", {**context, "form": form}, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def report_resource(request: HttpRequest, slug: str) -> HttpResponse:
    resource = _resource(request, slug)
    return _report(request, resource, actions.report_resource, {"resource": resource})


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def report_comment(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _comment(request, pk)
    context = {"resource": comment.resource, "comment": comment}
    return _report(request, comment, actions.report_comment, context)


# Moderation


@require_safe
@moderator_required
def moderation_queue(request: HttpRequest) -> HttpResponse:
    open_reports = Report.objects.open()
    context = {
        "reports": open_reports.select_related(
            "reporter", "resource", "comment__author", "comment__resource"
        )[:QUEUE_LENGTH],
        "open_report_count": open_reports.count(),
        "subjects": Subject.objects.filter(is_approved=False)
        .select_related("proposed_by")
        .annotate(
            resource_count=Count("resources", distinct=True),
            topic_count=Count("topics", distinct=True),
        ),
        "topics": Topic.objects.filter(is_approved=False)
        .select_related("subject", "proposed_by")
        .annotate(resource_count=Count("resources")),
        "hidden_resources": Resource.objects.filter(is_hidden=True).select_related("author")[
            :QUEUE_LENGTH
        ],
        "hidden_comments": Comment.objects.filter(is_hidden=True).select_related(
            "author", "resource"
        )[:QUEUE_LENGTH],
        "recent_actions": ModerationAction.objects.select_related("moderator")[:RECENT_ACTIONS],
        "queue_length": QUEUE_LENGTH,
    }
    return render(request, "community/moderation.html", context)


def _moderate(
    request: HttpRequest, action: Callable, *args, done: str, section: Resource | None = None
) -> HttpResponse:
    """Run a moderation action with the posted note, then go back where the form was; for
    htmx, re-render the comments section of `section` in place."""
    form = ModerationForm(request.POST)
    try:
        if not form.is_valid():
            raise actions.ModerationRefused(" ".join(form.errors.get("note", ["Invalid note."])))
        action(request.user, *args, note=form.cleaned_data["note"])
    except actions.ModerationRefused as refusal:
        messages.error(request, str(refusal))
        return redirect(_back(request))
    if request.htmx and section is not None:
        context = sections.comments_context(request, section, notice=done)
        return render(request, "community/_comments.html", context)
    messages.success(request, done)
    return redirect(_back(request))


def _set_resource_hidden(request: HttpRequest, slug: str, hidden: bool) -> HttpResponse:
    resource = get_object_or_404(Resource, slug=slug)
    done = f"“{resource.title}” is {'hidden' if hidden else 'visible again'}."
    return _moderate(request, actions.resource_set_hidden, resource, hidden, done=done)


@require_POST
@moderator_required
def resource_hide(request: HttpRequest, slug: str) -> HttpResponse:
    return _set_resource_hidden(request, slug, True)


@require_POST
@moderator_required
def resource_restore(request: HttpRequest, slug: str) -> HttpResponse:
    return _set_resource_hidden(request, slug, False)


def _set_comment_hidden(request: HttpRequest, pk: int, hidden: bool) -> HttpResponse:
    comment = get_object_or_404(
        Comment.objects.select_related(
            "author", "resource__subject", "resource__topic__subject", "resource__author"
        ),
        pk=pk,
    )
    done = f"The comment is {'hidden' if hidden else 'visible again'}."
    return _moderate(
        request, actions.comment_set_hidden, comment, hidden, done=done, section=comment.resource
    )


@require_POST
@moderator_required
def comment_hide(request: HttpRequest, pk: int) -> HttpResponse:
    return _set_comment_hidden(request, pk, True)


@require_POST
@moderator_required
def comment_restore(request: HttpRequest, pk: int) -> HttpResponse:
    return _set_comment_hidden(request, pk, False)


@require_POST
@moderator_required
def report_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(
        Report.objects.select_related("resource", "comment__author", "comment__resource"), pk=pk
    )
    return _moderate(request, actions.report_resolve, report, done="The report is resolved.")


@require_POST
@moderator_required
def subject_approve(request: HttpRequest, pk: int) -> HttpResponse:
    subject = get_object_or_404(Subject, pk=pk)
    done = f"The subject “{subject.name}” is approved."
    return _moderate(request, actions.subject_approve, subject, done=done)


@require_POST
@moderator_required
def subject_reject(request: HttpRequest, pk: int) -> HttpResponse:
    subject = get_object_or_404(Subject, pk=pk)
    done = f"The subject “{subject.name}” is rejected and deleted."
    return _moderate(request, actions.subject_reject, subject, done=done)


@require_POST
@moderator_required
def topic_approve(request: HttpRequest, pk: int) -> HttpResponse:
    topic = get_object_or_404(Topic.objects.select_related("subject"), pk=pk)
    done = f"The topic “{topic}” is approved."
    return _moderate(request, actions.topic_approve, topic, done=done)


@require_POST
@moderator_required
def topic_reject(request: HttpRequest, pk: int) -> HttpResponse:
    topic = get_object_or_404(Topic.objects.select_related("subject"), pk=pk)
    done = f"The topic “{topic}” is rejected and deleted."
    return _moderate(request, actions.topic_reject, topic, done=done)
