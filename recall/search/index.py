"""Keep the search index in step with the library: one function, called by every write
that changes what a resource says or whether it may be found."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from contextlib import contextmanager

from django.db import connection, transaction

from recall.lib.search_text import markdown_plain_text, words
from recall.library.models import Card, Resource
from recall.operations.bulk import built_after
from recall.quality.corpus import CountingWorker, quality_rebuild, quality_refresh

from .models import SearchDocument, SearchTerm
from .similar import insert_rows, similar_rebuild, similar_refresh

BATCH = 500

# A SearchDocument's columns, in the order of _document_values.
COLUMNS = [
    "resource_id",
    "title",
    "body",
    "subject_id",
    "topic_id",
    "level",
    "kind",
    "created_at",
    "facets",
]
# What _document_values reads of a resource (Resource field names, in its order).
RESOURCE_FIELDS = ["pk", "title", "subject_id", "topic_id", "level", "kind", "created_at"]


def _document_values(
    pk, title, subject_id, topic_id, level, kind, created_at, cards: list[tuple[str, str]]
) -> tuple:
    """A resource's document as values of COLUMNS, from its RESOURCE_FIELDS and its
    cards' (heading, Markdown) in order."""
    parts = []
    for heading, body in cards:
        if heading:
            parts.append(heading)
        parts.append(markdown_plain_text(body))
    facets = SearchDocument.facet_words(subject_id, topic_id, level or "none", kind)
    return (
        pk,
        title,
        "\n".join(parts),
        subject_id,
        topic_id,
        level,
        kind,
        created_at,
        " ".join(facets),
    )


def _document(resource: Resource, cards: list[tuple[str, str]]) -> SearchDocument:
    """The document of a resource, from its cards' (heading, Markdown) in order."""
    values = _document_values(*(getattr(resource, f) for f in RESOURCE_FIELDS), cards)
    return SearchDocument(**dict(zip(COLUMNS, values, strict=True)))


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
    return text_terms(document.title, document.body)


def text_terms(title: str, body: str) -> set[str]:
    """The distinct words of a document's title and body that the vocabulary counts."""
    found = set(words(f"{title} {body}"))
    if found and (min(map(len, found)) < 2 or max(map(len, found)) > 100):
        return {w for w in found if 2 <= len(w) <= 100}
    return found  # every word fits (the usual case): no test of each in Python


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


def search_rebuild(batch: int = 2000, counted: CountingWorker | None = None) -> int:
    """Index every resource from scratch; returns how many are findable.

    The bulk path: documents written a batch at a time, the vocabulary counted in memory
    and written once, then every similar list in a second pass. What it stores is what
    search_refresh of each resource, then similar_refresh of them all, would store. The
    quality checks' counts are recounted too: by quality_rebuild, or, for a large
    library, by a second process fed the titles and cards read here (the same rows).
    `counted`: such a process the caller already sent every visible resource, in order
    of id (bench/generate.py, as it writes them); it is closed here."""
    with transaction.atomic():
        ids = list(Resource.objects.visible().order_by("pk").values_list("pk", flat=True))
        worker = counted
        if worker is None and len(ids) >= PARALLEL_FROM and CountingWorker.available():
            worker = CountingWorker()
        try:
            _rebuild(ids, batch, worker, feed=counted is None)
        finally:
            if worker is not None:
                worker.close()
        return len(ids)


@contextmanager
def _full_text_built_after():
    """The full-text index built once from all the documents, after they are written.

    SQLite: the FTS5 index by 'rebuild' (half the time of adding the documents one by one
    through the triggers that keep it in step); the triggers are dropped meanwhile and
    made again from their own SQL. PostgreSQL, on a first build only (no documents yet):
    the GIN indexes and the foreign key made after the rows
    (recall.operations.bulk.built_after)."""
    if connection.vendor == "postgresql":
        with built_after(SearchDocument._meta.db_table, gin=True, foreign_keys=True):
            yield
        return
    if connection.vendor != "sqlite":
        yield
        return
    table = SearchDocument._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s "
            "ORDER BY name",
            [table],
        )
        triggers = cursor.fetchall()
        for name, _ in triggers:
            cursor.execute(f'DROP TRIGGER "{name}"')
    yield
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO search_fts(search_fts) VALUES ('rebuild')")
        for _, sql in triggers:
            cursor.execute(sql)


def _rebuild(ids: list[int], batch: int, worker: CountingWorker | None, feed: bool) -> None:
    with _full_text_built_after():
        terms = _write_documents(ids, batch, worker if feed else None)
    if worker is not None:
        worker.finish()  # it has every resource: its sorting overlaps what follows
    SearchTerm.objects.all().delete()
    SearchTerm.objects.bulk_create(
        (SearchTerm(term=term, documents=count) for term, count in sorted(terms.items())),
        batch_size=5000,
    )
    if worker is None:
        similar_rebuild()
        quality_rebuild()
    else:  # the counts written while the lists are ranked in two other processes
        similar_rebuild(meanwhile=lambda: quality_write(worker))


def _write_documents(ids: list[int], batch: int, worker: CountingWorker | None) -> Counter:
    """Every document written anew (plain multi-row INSERTs, in order of id); returns the
    vocabulary's counts."""
    SearchDocument.objects.all().delete()
    adapt = connection.ops.adapt_datetimefield_value  # as a model's save would
    terms: Counter = Counter()
    for start in range(0, len(ids), batch):
        chunk = ids[start : start + batch]
        resources = list(
            Resource.objects.filter(pk__in=chunk).order_by("pk").values_list(*RESOURCE_FIELDS)
        )
        cards = _cards(chunk)
        if worker is not None:
            worker.add([(resource[0], resource[1], cards[resource[0]]) for resource in resources])
        insert_rows(SearchDocument, COLUMNS, _rows(resources, cards, terms, adapt))
    return terms


def _rows(resources: list[tuple], cards: dict, terms: Counter, adapt):
    """The documents' rows, made as they are written (on PostgreSQL this process makes
    the next while the server indexes the last: computing the full-text columns is most
    of a rebuild's time there); each one's words counted into `terms`."""
    for resource in resources:
        row = _document_values(*resource, cards[resource[0]])
        terms.update(text_terms(row[1], row[2]))
        yield (*row[:7], adapt(row[7]), row[8])


def quality_write(worker: CountingWorker) -> None:
    """The quality counts a CountingWorker made, written (a step of its own for
    bench/generate.py's timings)."""
    worker.write()
