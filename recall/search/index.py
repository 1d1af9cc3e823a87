"""Keep the search index in step with the library: one function, called by every write
that changes what a resource says or whether it may be found."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from django.db import connection, transaction

from recall.lib.search_text import markdown_plain_text, words
from recall.library.models import Card, Resource
from recall.quality.corpus import CountingWorker, quality_rebuild, quality_refresh

from .models import SearchDocument, SearchTerm
from .similar import similar_rebuild, similar_refresh

BATCH = 500


def _document(resource: Resource, cards: list[tuple[str, str]]) -> SearchDocument:
    """The document of a resource, from its cards' (heading, Markdown) in order."""
    parts = []
    for heading, body in cards:
        if heading:
            parts.append(heading)
        parts.append(markdown_plain_text(body))
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


def _cards(resource_ids: list[int]) -> dict[int, list[tuple[str, str]]]:
    cards: dict[int, list[tuple[str, str]]] = {pk: [] for pk in resource_ids}
    for pk, heading, body in (
        Card.objects.filter(resource_id__in=resource_ids)
        .order_by("resource_id", "position")
        .values_list("resource_id", "heading", "body")
    ):
        cards[pk].append((heading, body))
    return cards


def search_remove(resource_ids: Iterable[int]) -> None:
    """Take these resources out of the index (before they are deleted)."""
    search_refresh(resource_ids, remove=True)


def search_refresh(resource_ids: Iterable[int], *, remove: bool = False) -> None:
    """Index these resources as they are now: visible ones written, the others removed."""
    ids = list(resource_ids)
    with transaction.atomic():
        # The quality checks' corpus counts change with exactly the same writes.
        quality_refresh(ids, remove=remove)
        for start in range(0, len(ids), BATCH):
            batch = ids[start : start + BATCH]
            visible = (
                {} if remove else {r.pk: r for r in Resource.objects.visible().filter(pk__in=batch)}
            )
            cards = _cards(list(visible))
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
    return {w for w in set(words(f"{document.title} {document.body}")) if 2 <= len(w) <= 100}


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


# From this many resources a rebuild counts the quality checks' corpus in a second process
# while it indexes (recall.quality.corpus.CountingWorker), where the machine allows.
PARALLEL_FROM = 2000


def search_rebuild(batch: int = 2000) -> int:
    """Index every resource from scratch; returns how many are findable.

    The bulk path: documents written a batch at a time, the vocabulary counted in memory
    and written once, then every similar list in a second pass. What it stores is what
    search_refresh of each resource, then similar_refresh of them all, would store. The
    quality checks' counts are recounted too: by quality_rebuild, or, for a large
    library, by a second process fed the titles and cards read here (the same rows)."""
    with transaction.atomic():
        ids = list(Resource.objects.visible().order_by("pk").values_list("pk", flat=True))
        worker = None
        if len(ids) >= PARALLEL_FROM and CountingWorker.available():
            worker = CountingWorker()
        try:
            _rebuild(ids, batch, worker)
        finally:
            if worker is not None:
                worker.close()
        return len(ids)


def _rebuild(ids: list[int], batch: int, worker: CountingWorker | None) -> None:
    SearchDocument.objects.all().delete()
    SearchTerm.objects.all().delete()
    terms: Counter = Counter()
    for start in range(0, len(ids), batch):
        chunk = ids[start : start + batch]
        resources = Resource.objects.filter(pk__in=chunk).only(
            "pk", "title", "subject_id", "topic_id", "level", "kind", "created_at"
        )
        cards = _cards(chunk)
        documents = [_document(resource, cards[resource.pk]) for resource in resources]
        if worker is not None:
            titles = {d.resource_id: d.title for d in documents}
            worker.add([(pk, titles[pk], cards[pk]) for pk in chunk if pk in titles])
        for document in documents:
            terms.update(document_terms(document))
        SearchDocument.objects.bulk_create(documents)
    SearchTerm.objects.bulk_create(
        (SearchTerm(term=term, documents=count) for term, count in sorted(terms.items())),
        batch_size=5000,
    )
    similar_rebuild()
    if worker is None:
        quality_rebuild()
    else:
        quality_write(worker)


def quality_write(worker: CountingWorker) -> None:
    """The quality counts a CountingWorker made, written (a step of its own for
    bench/generate.py's timings)."""
    worker.write()
