"""Who may do what beyond owning their own content."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser

MODERATORS_GROUP = "moderators"


def is_moderator(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Superusers and members of the moderators group; cached on the user object."""
    if not user.is_authenticated or not user.is_active:
        return False
    cached = getattr(user, "_recall_is_moderator", None)
    if cached is None:
        cached = user.is_superuser or user.groups.filter(name=MODERATORS_GROUP).exists()
        user._recall_is_moderator = cached
    return cached
