from __future__ import annotations

from django.http import HttpRequest

from .roles import is_moderator


def roles(request: HttpRequest) -> dict:
    # A callable: templates call it only where they ask, so most pages make no query.
    return {"is_moderator": lambda: is_moderator(request.user)}
