"""Writes to accounts that touch other apps' models: deleting an account."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from recall.community.models import Comment
from recall.library.models import Resource
from recall.search.index import search_remove

# Owns what deleted accounts chose to leave behind; it cannot log in, has no profile page
# (it is inactive), and no one can sign up with its name.
DELETED_USERNAME = "deleted-user"


def deleted_user() -> AbstractBaseUser:
    """The "deleted user" account, created the first time someone leaves content to it."""
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(
        username=DELETED_USERNAME, defaults={"is_active": False}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def account_delete(user: AbstractBaseUser, password: str, *, keep_content: bool) -> None:
    """Delete the user's account after checking their password, all in one transaction.

    keep_content=True: their resources and comments stay, owned by "deleted user" (so that
    readers keep the notes and other people's replies keep their thread). False: their
    resources (with every card, revision, comment and rating on them) and their comments
    (with the replies under them) are deleted. Either way their ratings, reports and API
    tokens go with the account.
    """
    if not (user.is_authenticated and user.is_active):
        raise PermissionDenied("Log in to delete your account.")
    if not user.check_password(password):
        raise ValidationError("That is not your password.", code="password")
    with transaction.atomic():
        user = get_user_model().objects.select_for_update().get(pk=user.pk)
        resources = Resource.objects.filter(author=user)
        if keep_content:
            heir = deleted_user()
            resources.update(author=heir)
            Comment.objects.filter(author=user).update(author=heir)
        else:
            search_remove(list(resources.values_list("pk", flat=True)))
            Comment.objects.filter(author=user).delete()
            resources.delete()
        user.delete()
