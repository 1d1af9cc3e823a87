"""Who may do what beyond owning their own content."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser, Group
from django.db.models import Exists

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


_ANNOTATION = "viewer_is_moderator"


def moderator_unknown(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Whether is_moderator(user) would ask the database (moderator_annotation() is not
    empty): for a query written out that asks it itself."""
    return user.is_authenticated and getattr(user, "_recall_is_moderator", None) is None


def moderator_annotation(user: AbstractBaseUser | AnonymousUser) -> dict:
    """is_moderator(user) as an annotation for a query the page makes anyway (none when
    it is already known); remember_moderator() reads it back, saving a query."""
    if not moderator_unknown(user):
        return {}
    return {_ANNOTATION: Exists(Group.objects.filter(name=MODERATORS_GROUP, user=user.pk))}


def remember_moderator(user: AbstractBaseUser | AnonymousUser, row: object) -> None:
    """Cache what moderator_annotation() found on `row` for is_moderator(user)."""
    if hasattr(row, _ANNOTATION) and user.is_authenticated:
        user._recall_is_moderator = user.is_superuser or getattr(row, _ANNOTATION)


def remember_moderator_flag(user: AbstractBaseUser, in_group: bool) -> None:
    """Cache for is_moderator(user) whether a query found user in the moderators group."""
    user._recall_is_moderator = user.is_superuser or in_group
