"""Every community write, one function per action.

Each checks its own permissions (PermissionDenied), validates its input (ValidationError)
and runs in one transaction, so that the HTML views, the API and commands share them.
Moderation actions also write the audit trail (ModerationAction).
"""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model, ProtectedError
from django.utils import timezone

from recall.accounts.roles import is_moderator
from recall.lib.rendering import render_comment_markdown
from recall.library.models import Resource, Subject, Topic
from recall.search.index import search_refresh, search_refresh_subject, search_refresh_topic

from .models import (
    MAX_COMMENT_LENGTH,
    MAX_NOTE_LENGTH,
    MAX_REPORT_LENGTH,
    MAX_STARS,
    MIN_STARS,
    Comment,
    ModerationAction,
    Rating,
    Report,
)

User = AbstractBaseUser | AnonymousUser


class ModerationRefused(Exception):
    """A moderator's request that can't be carried out; the message says why."""


def _require_active(user: User) -> None:
    if not (user.is_authenticated and user.is_active):
        raise PermissionDenied("Log in first.")


def _require_moderator(user: User) -> None:
    if not is_moderator(user):
        raise PermissionDenied("Only moderators can do this.")


def _clean_text(text: str, *, limit: int, what: str, required: bool = True) -> str:
    text = text.replace("\r\n", "\n").strip()
    if "\x00" in text:
        raise ValidationError(f"{what.capitalize()} can't contain a NUL character.", code="null")
    if required and not text:
        raise ValidationError(f"Write {what} first.", code="required")
    if len(text) > limit:
        raise ValidationError(
            f"{what.capitalize()} can be at most {limit:,} characters (it has {len(text):,}).",
            code="max_length",
        )
    return text


def _log(moderator: User, kind: str, target: Model, label: str, note: str = "") -> None:
    """Write the audit row; the target's type is named after its model."""
    ModerationAction.objects.create(
        moderator=moderator,
        kind=kind,
        target_type=ModerationAction.Target(type(target).__name__.lower()),
        target_id=target.pk,
        target_label=label[:300],
        note=note,
    )


# Comments


def comment_create(
    user: User, resource: Resource, body: str, parent: Comment | None = None
) -> Comment:
    """Post a comment on a published, visible resource; a reply to a reply joins the thread
    of the top-level comment (one level of replies)."""
    _require_active(user)
    body = _clean_text(body, limit=MAX_COMMENT_LENGTH, what="a comment")
    with transaction.atomic():
        if not resource.is_visible:
            raise PermissionDenied("Comments open once a resource is published.")
        if parent is not None:
            if parent.parent_id is not None:
                parent = parent.parent
            if (
                parent.resource_id != resource.pk
                or parent.is_hidden
                or not parent.is_visible_to(user)
            ):
                raise PermissionDenied("That comment can't be replied to.")
        now = timezone.now()
        return Comment.objects.create(
            resource=resource,
            author=user,
            parent=parent,
            body=body,
            body_html=render_comment_markdown(body),
            created_at=now,
            updated_at=now,
        )


def comment_update(user: User, comment: Comment, body: str) -> Comment:
    if not comment.can_edit(user):
        raise PermissionDenied("Only its author can edit a comment.")
    body = _clean_text(body, limit=MAX_COMMENT_LENGTH, what="a comment")
    with transaction.atomic():
        if body != comment.body:
            comment.body = body
            comment.body_html = render_comment_markdown(body)
            comment.updated_at = timezone.now()
            comment.save(update_fields=["body", "body_html", "updated_at"])
    return comment


def comment_delete(user: User, comment: Comment) -> None:
    """Delete a comment and, with it, the replies under it and the reports about them."""
    if not comment.can_delete(user):
        raise PermissionDenied("Only its author can delete a comment.")
    with transaction.atomic():
        comment.delete()


# Ratings


def rating_set(user: User, resource: Resource, stars: int) -> Rating:
    """Rate a visible resource from 1 to 5 stars, or change this user's rating of it."""
    _require_active(user)
    if resource.author_id == user.pk:
        raise PermissionDenied("You can't rate your own resource.")
    if not isinstance(stars, int) or not MIN_STARS <= stars <= MAX_STARS:
        raise ValidationError(f"A rating is {MIN_STARS} to {MAX_STARS} stars.", code="invalid")
    with transaction.atomic():
        if not resource.is_visible:
            raise PermissionDenied("Only published resources can be rated.")
        rating, created = Rating.objects.select_for_update().get_or_create(
            resource=resource, user=user, defaults={"stars": stars}
        )
        if not created and rating.stars != stars:
            rating.stars = stars
            rating.updated_at = timezone.now()
            rating.save(update_fields=["stars", "updated_at"])
    return rating


# Reports


def report_resource(user: User, resource: Resource, reason: str) -> Report:
    _require_active(user)
    reason = _clean_text(reason, limit=MAX_REPORT_LENGTH, what="a reason")
    with transaction.atomic():
        if not resource.is_visible_to(user):
            raise PermissionDenied("You can't see that resource.")
        return Report.objects.create(reporter=user, resource=resource, reason=reason)


def report_comment(user: User, comment: Comment, reason: str) -> Report:
    _require_active(user)
    reason = _clean_text(reason, limit=MAX_REPORT_LENGTH, what="a reason")
    with transaction.atomic():
        if not (comment.resource.is_visible_to(user) and comment.is_visible_to(user)):
            raise PermissionDenied("You can't see that comment.")
        return Report.objects.create(reporter=user, comment=comment, reason=reason)


# Moderation


def _note(note: str) -> str:
    return _clean_text(note, limit=MAX_NOTE_LENGTH, what="a note", required=False)


def _comment_label(comment: Comment) -> str:
    return f"by {comment.author.get_username()} on “{comment.resource.title}”"


def _hide_or_restore(hidden: bool) -> str:
    return ModerationAction.Kind.HIDE if hidden else ModerationAction.Kind.RESTORE


def resource_set_hidden(
    moderator: User, resource: Resource, hidden: bool, note: str = ""
) -> Resource:
    """Hide a resource from everyone but its author and the moderators, or restore it."""
    _require_moderator(moderator)
    note = _note(note)
    with transaction.atomic():
        if resource.is_hidden != hidden:
            resource.is_hidden = hidden
            resource.save(update_fields=["is_hidden"])
            search_refresh([resource.pk])
        _log(moderator, _hide_or_restore(hidden), resource, resource.title, note)
    return resource


def comment_set_hidden(moderator: User, comment: Comment, hidden: bool, note: str = "") -> Comment:
    """Hide a comment (and so the replies under it) from other readers, or restore it."""
    _require_moderator(moderator)
    note = _note(note)
    with transaction.atomic():
        if comment.is_hidden != hidden:
            comment.is_hidden = hidden
            comment.save(update_fields=["is_hidden"])
        _log(moderator, _hide_or_restore(hidden), comment, _comment_label(comment), note)
    return comment


def report_resolve(moderator: User, report: Report, note: str = "") -> Report:
    _require_moderator(moderator)
    note = _note(note)
    with transaction.atomic():
        locked = Report.objects.select_for_update().filter(pk=report.pk, resolved_at__isnull=True)
        if not locked.exists():
            raise ModerationRefused("That report has already been resolved.")
        report.resolved_at = timezone.now()
        report.resolved_by = moderator
        report.resolution_note = note
        report.save(update_fields=["resolved_at", "resolved_by", "resolution_note"])
        target = report.target
        label = (
            f"about the comment {_comment_label(target)}"
            if isinstance(target, Comment)
            else f"about “{target.title}”"
        )
        _log(moderator, ModerationAction.Kind.RESOLVE, report, label, note)
    return report


def subject_approve(moderator: User, subject: Subject, note: str = "") -> Subject:
    """Show a proposed subject on the browse pages."""
    _require_moderator(moderator)
    note = _note(note)
    with transaction.atomic():
        if not subject.is_approved:
            subject.is_approved = True
            subject.save(update_fields=["is_approved"])
            search_refresh_subject(subject.pk)
        _log(moderator, ModerationAction.Kind.APPROVE, subject, subject.name, note)
    return subject


def topic_approve(moderator: User, topic: Topic, note: str = "") -> Topic:
    """Approve a proposed topic, and its subject with it if that was proposed too."""
    _require_moderator(moderator)
    note = _note(note)
    with transaction.atomic():
        if not topic.subject.is_approved:
            subject_approve(moderator, topic.subject, note)
        if not topic.is_approved:
            topic.is_approved = True
            topic.save(update_fields=["is_approved"])
            search_refresh_topic(topic.pk)
        _log(moderator, ModerationAction.Kind.APPROVE, topic, str(topic), note)
    return topic


def _in_use(counts: dict[str, int]) -> str:
    return " and ".join(f"{n} {what}{'' if n == 1 else 's'}" for what, n in counts.items() if n)


def _delete_unused(item: Subject | Topic) -> None:
    try:
        item.delete()
    except ProtectedError:  # used since the check: the caller's transaction rolls back
        raise ModerationRefused(
            f"“{item.name}” has just been used: it can't be rejected."
        ) from None


def subject_reject(moderator: User, subject: Subject, note: str = "") -> None:
    """Delete a proposed subject that nothing uses yet."""
    _require_moderator(moderator)
    note = _note(note)
    with transaction.atomic():
        if subject.is_approved:
            raise ModerationRefused(f"“{subject.name}” is already approved.")
        counts = {"resource": subject.resources.count(), "topic": subject.topics.count()}
        if any(counts.values()):
            raise ModerationRefused(
                f"“{subject.name}” can't be rejected: it is in use by {_in_use(counts)}. "
                "Reject its topics first, and move or remove the resources that use it."
            )
        _log(moderator, ModerationAction.Kind.REJECT, subject, subject.name, note)
        _delete_unused(subject)


def topic_reject(moderator: User, topic: Topic, note: str = "") -> None:
    """Delete a proposed topic that no resource uses yet."""
    _require_moderator(moderator)
    note = _note(note)
    with transaction.atomic():
        if topic.is_approved:
            raise ModerationRefused(f"“{topic.name}” is already approved.")
        counts = {"resource": topic.resources.count()}
        if any(counts.values()):
            raise ModerationRefused(
                f"“{topic.name}” can't be rejected: it is in use by {_in_use(counts)}. "
                "Move or remove those resources first, or approve the topic."
            )
        _log(moderator, ModerationAction.Kind.REJECT, topic, str(topic), note)
        _delete_unused(topic)
