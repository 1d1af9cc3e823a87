"""Keep the search index in step with the library: one function, called by every write
that changes what a resource says or whether it may be found."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from django.db import connection, transaction

from recall.lib.search_text import markdown_plain_text, words
from recall.library.models import Card, Resource

from .models import SearchDocument, SearchTerm
from .similar import similar_refresh

BATCH = 500


def _document(resource: Resource, cards: list[Card]) -> SearchDocument:
    parts = []
    for card in cards:
        if card.heading:
            parts.append(card.heading)
        parts.append(markdown_plain_text(card.body))
    return SearchDocument(
        resource_id=resource.pk,
        title=resource.title,
        body="\n".join(parts),
        subject_id=resource.subject_id,
        topic_id=resource.topic_id,
        level=resource.level,
        kind=resource.kind,
        created_at=resource.created_at,
        facets=" ".join(
            SearchDocument.facet_words(
                resource.subject_id, resource.topic_id, resource.level or "none", resource.kind
            )
        ),
    )


def search_remove(resource_ids: Iterable[int]) -> None:
    """Take these resources out of the index (before they are deleted)."""
    search_refresh(resource_ids, remove=True)


def search_refresh(resource_ids: Iterable[int], *, remove: bool = False) -> None:
    """Index these resources as they are now: visible ones written, the others removed."""
    ids = list(resource_ids)
    with transaction.atomic():
        for start in range(0, len(ids), BATCH):
            batch = ids[start : start + BATCH]
            visible = (
                {} if remove else {r.pk: r for r in Resource.objects.visible().filter(pk__in=batch)}
            )
            cards: dict[int, list[Card]] = {pk: [] for pk in visible}
            for card in Card.objects.filter(resource_id__in=visible).order_by(
                "resource_id", "position"
            ):
                cards[card.resource_id].append(card)
            old = SearchDocument.objects.filter(resource_id__in=batch)
            change = Counter()
            for document in old.only("title", "body"):
                change.subtract(document_terms(document))
            old.delete()
            documents = SearchDocument.objects.bulk_create(
                _document(resource, cards[pk]) for pk, resource in visible.items()
            )
            for document in documents:
                change.update(document_terms(document))
            _count_terms(change)
            similar_refresh(batch)


def document_terms(document: SearchDocument) -> set[str]:
    """The distinct words of a document that the vocabulary counts."""
    return {w for w in words(f"{document.title} {document.body}") if 2 <= len(w) <= 100}


def _count_terms(change: Counter) -> None:
    """Add each word's change in document count to the vocabulary, in one statement each
    way (the same upsert syntax works on SQLite and PostgreSQL)."""
    table = SearchTerm._meta.db_table
    changed = [(term, delta) for term, delta in change.items() if delta]
    if not changed:
        return
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} (term, documents) VALUES (%s, %s) "  # noqa: S608 - our table
            "ON CONFLICT (term) DO UPDATE SET documents = "
            f"{table}.documents + excluded.documents",
            changed,
        )
        cursor.execute(f"DELETE FROM {table} WHERE documents <= 0")  # noqa: S608


def search_refresh_topic(topic_id: int) -> None:
    search_refresh(Resource.objects.filter(topic_id=topic_id).values_list("pk", flat=True))


def search_refresh_subject(subject_id: int) -> None:
    search_refresh(Resource.objects.filter(subject_id=subject_id).values_list("pk", flat=True))


def search_rebuild() -> int:
    """Index every resource from scratch; returns how many are findable."""
    with transaction.atomic():
        SearchDocument.objects.all().delete()
        SearchTerm.objects.all().delete()
        search_refresh(Resource.objects.order_by("pk").values_list("pk", flat=True))
        return SearchDocument.objects.count()
