"""A saved resource's check report, and ignoring a finding from it. Thin: check, render.

The editor's Check panel (editor.py) is where most checking happens; this page shows a
saved resource's findings to its author, with what was ignored, outside the editor.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST, require_safe

from recall.library.models import Resource

from .actions import finding_ignore, finding_unignore
from .checking import check_resource


def _own_resource(request: HttpRequest, slug: str) -> Resource:
    resource = get_object_or_404(Resource, slug=slug)
    if not resource.can_edit(request.user):
        raise PermissionDenied
    return resource


@login_required
@require_safe
def resource_check(request: HttpRequest, slug: str) -> HttpResponse:
    resource = _own_resource(request, slug)
    check = check_resource(resource)
    return render(request, "quality/report.html", {"resource": resource, "check": check})


@login_required
@require_POST
def finding_ignore_view(request: HttpRequest, slug: str) -> HttpResponse:
    resource = get_object_or_404(Resource, slug=slug)
    try:
        ignored = finding_ignore(
            request.user,
            resource,
            request.POST.get("fingerprint", ""),
            kind=request.POST.get("kind", ""),
            text=request.POST.get("text", ""),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Ignored “{ignored.text}” in this resource.")
    return redirect("quality:check", slug=resource.slug)


@login_required
@require_POST
def finding_unignore_view(request: HttpRequest, slug: str) -> HttpResponse:
    resource = get_object_or_404(Resource, slug=slug)
    try:
        finding_unignore(request.user, resource, request.POST.get("fingerprint", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "It will be checked again.")
    return redirect("quality:check", slug=resource.slug)
