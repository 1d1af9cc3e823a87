"""Comments, ratings, reports and the moderators' queue."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from recall.accounts.roles import is_moderator


@require_safe
@login_required
def moderation_queue(request: HttpRequest) -> HttpResponse:
    if not is_moderator(request.user):
        raise PermissionDenied
    return render(request, "community/moderation.html", {})
