"""Every write that touches several library models, one function per action.

Views, management commands and the JSON API (recall.api) call these, so that transactions,
sanitising and limits live in one place.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.sessions.backends.base import SessionBase
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from recall.lib.rendering import render_markdown
from recall.lib.resource_text import (
    ParsedResource,
    check_limits,
    decode_resource_bytes,
    parse_resource_text,
)
from recall.search.index import search_refresh, search_remove
from recall.study.actions import study_refresh, study_relabel

from .models import Card, Resource, Revision, Status, Subject, Topic, name_slug

# A reader paging through a resource for this long counts as one view.
VISIT_WINDOW = timedelta(hours=1)
_SEEN_SESSION_KEY = "recall_seen"
_SEEN_LIMIT = 200


@dataclass(frozen=True)
class ImportResult:
    resource: Resource
    created: bool


def subject_for_name(name: str, proposed_by: AbstractBaseUser | None = None) -> Subject:
    """The subject named so (matched by slug, so 'history' is 'History'), created if new.

    Created by an import it is approved; proposed by an author in the editor it waits in
    the moderators' queue.
    """
    subject, _ = Subject.objects.get_or_create(
        slug=name_slug(name, "subject"),
        defaults={"name": name, "is_approved": proposed_by is None, "proposed_by": proposed_by},
    )
    return subject


def topic_for_name(
    subject: Subject, name: str, proposed_by: AbstractBaseUser | None = None
) -> Topic:
    topic, _ = Topic.objects.get_or_create(
        subject=subject,
        slug=name_slug(name, "topic"),
        defaults={"name": name, "is_approved": proposed_by is None, "proposed_by": proposed_by},
    )
    return topic


def subject_save(subject: Subject) -> Subject:
    """Save a subject as edited (the admin's form, or the shell). A new name or slug is a
    rename: the Anki notes of its resources' study items show it (deck name, tags), so
    their updated_at moves too, in the same transaction (recall.study study_relabel)."""
    with transaction.atomic():
        before = (
            Subject.objects.select_for_update()
            .filter(pk=subject.pk)
            .values_list("name", "slug")
            .first()
        )
        subject.save()
        if before is not None and before != (subject.name, subject.slug):
            study_relabel(subject=subject)
    return subject


def topic_save(topic: Topic) -> Topic:
    """Save a topic as edited; a new name or slug moves its resources' study items, as
    subject_save does."""
    with transaction.atomic():
        before = (
            Topic.objects.select_for_update()
            .filter(pk=topic.pk)
            .values_list("name", "slug")
            .first()
        )
        topic.save()
        if before is not None and before != (topic.name, topic.slug):
            study_relabel(topic=topic)
    return topic


def system_user(username: str) -> AbstractBaseUser:
    """The account imported resources belong to; it cannot log in until given a password."""
    user_model = get_user_model()
    user = user_model.objects.filter(username=username).first()
    if user is None:
        user = user_model(username=username)
        user.set_unusable_password()
        user.save()
    return user


# Paths under /resources/ that are pages of their own, not resources.
RESERVED_SLUGS = frozenset({"new", "preview"})


def unique_resource_slug(title: str, exclude_pk: int | None = None) -> str:
    base = slugify(title)[:200].strip("-") or "resource"
    taken = RESERVED_SLUGS | set(
        Resource.objects.filter(slug__startswith=base)
        .exclude(pk=exclude_pk)
        .values_list("slug", flat=True)
    )
    slug, number = base, 1
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    return slug


def import_key_for(parsed: ParsedResource, owner: AbstractBaseUser | None = None) -> str:
    """Same subject, topic and title: the same source, updated in place on re-import.

    A user's own imports (owner given) have keys of their own, so that importing a file
    never touches a resource someone else imported from the same source.
    """
    key = "/".join(
        slugify(part, allow_unicode=True) or part.lower()
        for part in (parsed.subject, parsed.topic, parsed.title)
    )
    if owner is not None:
        key = f"@{owner.pk}:{key}"
    return key[:500]


class EditConflict(Exception):
    """The resource was saved by someone else since the editor's copy was loaded."""

    def __init__(self, resource: Resource, revision: Revision | None) -> None:
        super().__init__(f"{resource} changed since version {resource.version}")
        self.resource = resource
        self.revision = revision


def _store(
    resource: Resource,
    content: ParsedResource,
    *,
    subject: Subject,
    topic: Topic,
    saved_by: AbstractBaseUser,
    publish: bool | None,
) -> Resource:
    """Write one save of a resource: fields, cards and a revision. Callers hold a transaction."""
    now = timezone.now()
    if not resource.slug:
        # Chosen once: links to a resource keep working when its title is edited.
        resource.slug = unique_resource_slug(content.title)
    resource.title = content.title
    resource.subject = subject
    resource.topic = topic
    resource.kind = content.kind
    resource.level = content.level
    resource.exam_board = content.exam_board
    resource.updated_at = now
    if publish is True:
        resource.status = Status.PUBLISHED
        resource.published_at = resource.published_at or now
    elif publish is False:
        resource.status = Status.DRAFT
    if resource.pk is not None:
        resource.version += 1
    resource.save()
    resource_replace_cards(resource, [(card.heading, card.body) for card in content.cards])
    Revision.objects.create(
        resource=resource,
        number=resource.version,
        saved_by=saved_by,
        saved_at=now,
        content=content.to_dict(),
    )
    search_refresh([resource.pk])
    study_refresh(resource)
    return resource


def resource_import(
    parsed: ParsedResource,
    *,
    default_author: str = "",
    author: AbstractBaseUser | None = None,
    publish: bool = True,
) -> ImportResult:
    """Create or update the resource a parsed file describes, all or nothing.

    From the command line (no author) the file's author, else default_author, owns it and
    new subjects and topics are approved at once. With author (a user importing a file, as
    the API does) the resource is theirs alone, whatever author the file names: re-importing
    updates only their own copy, and new subjects and topics wait for a moderator as they do
    from the editor. publish=False keeps it (or makes it) a draft.
    """
    check_limits(parsed)
    if author is not None and not (author.is_authenticated and author.is_active):
        raise PermissionDenied("Log in to import resources.")
    with transaction.atomic():
        subject = subject_for_name(parsed.subject, proposed_by=author)
        topic = topic_for_name(subject, parsed.topic, proposed_by=author)
        owner = author or system_user(
            parsed.author or default_author or settings.RECALL_IMPORT_AUTHOR
        )
        key = import_key_for(parsed, owner=author)
        resource = Resource.objects.select_for_update().filter(import_key=key).first()
        created = resource is None
        if resource is None:
            resource = Resource(import_key=key, created_at=timezone.now())
        elif author is not None and not resource.can_edit(author):
            raise PermissionDenied("Only its author can change this resource.")
        resource.author = owner
        _store(resource, parsed, subject=subject, topic=topic, saved_by=owner, publish=publish)
    return ImportResult(resource=resource, created=created)


def resource_import_bytes(
    data: bytes,
    *,
    default_author: str = "",
    author: AbstractBaseUser | None = None,
    publish: bool = True,
) -> ImportResult:
    """Decode, parse and import one file's content; ResourceFormatError says why not."""
    parsed = parse_resource_text(decode_resource_bytes(data))
    return resource_import(parsed, default_author=default_author, author=author, publish=publish)


def resource_save(
    user: AbstractBaseUser,
    content: ParsedResource,
    *,
    resource: Resource | None = None,
    base_version: int | None = None,
    publish: bool | None = None,
) -> Resource:
    """Create (resource=None) or update a resource from the editor, keeping a revision.

    base_version is the version the author's form was loaded from: if someone saved since,
    EditConflict is raised and nothing is written. publish=True publishes, False makes it a
    draft again, None keeps the state (a new resource starts as a draft).
    """
    if not user.is_authenticated or not user.is_active:
        raise PermissionDenied("Log in to write resources.")
    check_limits(content)
    with transaction.atomic():
        if resource is None:
            resource = Resource(author=user, created_at=timezone.now())
        else:
            resource = Resource.objects.select_for_update().get(pk=resource.pk)
            if not resource.can_edit(user):
                raise PermissionDenied("Only its author can change this resource.")
            if base_version is not None and base_version != resource.version:
                latest = resource.revisions.select_related("saved_by").first()
                raise EditConflict(resource, latest)
        subject = subject_for_name(content.subject, proposed_by=user)
        topic = topic_for_name(subject, content.topic, proposed_by=user)
        return _store(
            resource, content, subject=subject, topic=topic, saved_by=user, publish=publish
        )


def resource_restore(user: AbstractBaseUser, resource: Resource, number: int) -> Resource:
    """Make an earlier revision's content the current one, as a new revision."""
    revision = Revision.objects.filter(resource=resource, number=number).first()
    if revision is None:
        raise Revision.DoesNotExist(f"{resource} has no revision {number}")
    return resource_save(user, ParsedResource.from_dict(revision.content), resource=resource)


def resource_delete(user: AbstractBaseUser, resource: Resource) -> None:
    with transaction.atomic():
        resource = Resource.objects.select_for_update().get(pk=resource.pk)
        if not resource.can_edit(user):
            raise PermissionDenied("Only its author can delete this resource.")
        search_remove([resource.pk])
        resource.delete()


def resource_replace_cards(resource: Resource, cards: list[tuple[str, str]]) -> list[Card]:
    """Replace a resource's cards by (heading, Markdown body) pairs, rendering each once."""
    with transaction.atomic():
        resource.cards.all().delete()
        return Card.objects.bulk_create(
            Card(
                resource=resource,
                position=number,
                heading=heading,
                body=body,
                body_html=render_markdown(body),
            )
            for number, (heading, body) in enumerate(cards, start=1)
        )


def resource_record_view(resource: Resource, session: SessionBase) -> bool:
    """Count a view once per visit: again only after VISIT_WINDOW since it was last counted."""
    counted = resource_record_view_by_pk(resource.pk, session)
    if counted:
        resource.view_count += 1
    return counted


def view_counted_recently(
    session: Mapping | SessionBase, pk: int, now: float | None = None
) -> bool:
    """Whether this session's view of resource pk was counted less than VISIT_WINDOW ago
    (session: a session, or a session's decoded data)."""
    last = session.get(_SEEN_SESSION_KEY, {}).get(str(pk))
    if now is None:
        now = timezone.now().timestamp()
    return last is not None and now - last < VISIT_WINDOW.total_seconds()


def resource_record_view_by_pk(pk: int, session: SessionBase) -> bool:
    """resource_record_view for a page served from the page cache, which knows the pk alone.

    A queryset update, not a save: a view is not a change that makes cached pages stale.
    """
    now = timezone.now().timestamp()
    if view_counted_recently(session, pk, now):
        return False
    seen: dict[str, float] = dict(session.get(_SEEN_SESSION_KEY, {}))
    key = str(pk)
    seen[key] = now
    if len(seen) > _SEEN_LIMIT:
        seen = dict(sorted(seen.items(), key=lambda item: item[1])[-_SEEN_LIMIT:])
    session[_SEEN_SESSION_KEY] = seen
    Resource.objects.filter(pk=pk).update(view_count=F("view_count") + 1)
    return True
