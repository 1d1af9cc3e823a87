"""Every write that touches several library models, one function per action.

Views, management commands and (later) the API call these, so that transactions,
sanitising and limits live in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.sessions.backends.base import SessionBase
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from recall.lib.rendering import render_markdown
from recall.lib.resource_text import ParsedResource, decode_resource_bytes, parse_resource_text

from .models import Card, Resource, Status, Subject, Topic

# A reader paging through a resource for this long counts as one view.
VISIT_WINDOW = timedelta(hours=1)
_SEEN_SESSION_KEY = "recall_seen"
_SEEN_LIMIT = 200


@dataclass(frozen=True)
class ImportResult:
    resource: Resource
    created: bool


def _slug(name: str, fallback: str) -> str:
    return slugify(name)[:100].strip("-") or fallback


def subject_for_name(name: str) -> Subject:
    """The subject named so (matched by slug, so 'history' is 'History'), created if new."""
    subject, _ = Subject.objects.get_or_create(slug=_slug(name, "subject"), defaults={"name": name})
    return subject


def topic_for_name(subject: Subject, name: str) -> Topic:
    topic, _ = Topic.objects.get_or_create(
        subject=subject, slug=_slug(name, "topic"), defaults={"name": name}
    )
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


def unique_resource_slug(title: str, exclude_pk: int | None = None) -> str:
    base = slugify(title)[:200].strip("-") or "resource"
    taken = set(
        Resource.objects.filter(slug__startswith=base)
        .exclude(pk=exclude_pk)
        .values_list("slug", flat=True)
    )
    slug, number = base, 1
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    return slug


def import_key_for(parsed: ParsedResource) -> str:
    """Same subject, topic and title: the same source, updated in place on re-import."""
    return "/".join(
        slugify(part, allow_unicode=True) or part.lower()
        for part in (parsed.subject, parsed.topic, parsed.title)
    )[:500]


def resource_import(parsed: ParsedResource, *, default_author: str) -> ImportResult:
    """Create or update the resource a parsed file describes, all or nothing."""
    with transaction.atomic():
        subject = subject_for_name(parsed.subject)
        topic = topic_for_name(subject, parsed.topic)
        author = system_user(parsed.author or default_author)
        key = import_key_for(parsed)
        resource = Resource.objects.select_for_update().filter(import_key=key).first()
        created = resource is None
        now = timezone.now()
        if resource is None:
            resource = Resource(import_key=key, created_at=now)
        if resource.title != parsed.title or not resource.slug:
            resource.slug = unique_resource_slug(parsed.title, exclude_pk=resource.pk)
        resource.title = parsed.title
        resource.subject = subject
        resource.topic = topic
        resource.author = author
        resource.level = parsed.level
        resource.exam_board = parsed.exam_board
        resource.updated_at = now
        resource.status = Status.PUBLISHED
        resource.published_at = resource.published_at or now
        resource.save()
        resource_replace_cards(resource, [(card.heading, card.body) for card in parsed.cards])
    return ImportResult(resource=resource, created=created)


def resource_import_bytes(data: bytes, *, default_author: str) -> ImportResult:
    """Decode, parse and import one file's content; ResourceFormatError says why not."""
    return resource_import(
        parse_resource_text(decode_resource_bytes(data)), default_author=default_author
    )


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
    now = timezone.now().timestamp()
    seen: dict[str, float] = dict(session.get(_SEEN_SESSION_KEY, {}))
    key = str(resource.pk)
    last = seen.get(key)
    if last is not None and now - last < VISIT_WINDOW.total_seconds():
        return False
    seen[key] = now
    if len(seen) > _SEEN_LIMIT:
        seen = dict(sorted(seen.items(), key=lambda item: item[1])[-_SEEN_LIMIT:])
    session[_SEEN_SESSION_KEY] = seen
    Resource.objects.filter(pk=resource.pk).update(view_count=F("view_count") + 1)
    resource.view_count += 1
    return True
