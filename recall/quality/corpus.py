"""The published corpus's words and word pairs, counted in the database.

Every write that changes what a visible resource says, or whether it is visible, calls
``quality_refresh`` (through recall.search.index.search_refresh, which every such write
already calls): the resource's old terms (its QualityDocument) are taken from the counts
and its new ones added, so no process ever holds the whole corpus. A check then reads
only the rows for the words of the text it checks (recall.quality.vocabulary).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from django.db import connection, transaction

from recall.lib.quality.lexicon import english_frequencies
from recall.lib.quality.vocabulary import document_terms

MAX_WORD_LENGTH = 100  # longer "words" are not words (and don't fit the column)
BATCH = 500

Terms = tuple[set[str], set[tuple[str, str]]]


def resource_terms(title: str, cards: Iterable[tuple[str, str]]) -> Terms:
    """The words and pairs a resource adds to the counts (document_terms, length-capped)."""
    words, pairs = document_terms(title, cards)
    return (
        {w for w in words if len(w) <= MAX_WORD_LENGTH},
        {p for p in pairs if len(p[0]) <= MAX_WORD_LENGTH and len(p[1]) <= MAX_WORD_LENGTH},
    )


def encode(terms: Terms) -> tuple[str, str]:
    words, pairs = terms
    return " ".join(sorted(words)), "\n".join(f"{a} {b}" for a, b in sorted(pairs))


def decode(words: str, pairs: str) -> Terms:
    return (
        set(words.split()),
        {tuple(line.split(" ", 1)) for line in pairs.split("\n") if line},  # type: ignore[misc]
    )


def quality_refresh(resource_ids: Iterable[int], *, remove: bool = False) -> None:
    """Count these resources as they are now: visible ones counted, the others not."""
    from recall.library.models import Resource

    from .models import QualityDocument

    ids = list(resource_ids)
    with transaction.atomic():
        for start in range(0, len(ids), BATCH):
            batch = ids[start : start + BATCH]
            visible = (
                {}
                if remove
                else dict(
                    Resource.objects.visible().filter(pk__in=batch).values_list("pk", "title")
                )
            )
            _replace(
                QualityDocument,
                QualityDocument.objects.filter(resource_id__in=batch),
                _terms_of(visible, _cards(visible)),
            )


def _cards(titles: dict[int, str], card_model=None) -> dict[int, list[tuple[str, str]]]:
    if card_model is None:
        from recall.library.models import Card as card_model
    cards: dict[int, list[tuple[str, str]]] = {pk: [] for pk in titles}
    rows = card_model.objects.filter(resource_id__in=list(titles)).order_by(
        "resource_id", "position"
    )
    for pk, heading, body in rows.values_list("resource_id", "heading", "body"):
        cards[pk].append((heading, body))
    return cards


def _terms_of(titles: dict[int, str], cards: dict[int, list[tuple[str, str]]]) -> dict[int, Terms]:
    return {pk: resource_terms(title, cards[pk]) for pk, title in titles.items()}


def _replace(document_model, old_documents, new: dict[int, Terms]) -> None:
    """Swap the old documents' terms for the new ones, in the rows and in the counts."""
    words: Counter = Counter()
    pairs: Counter = Counter()
    for old_words, old_pairs in (
        decode(w, p) for w, p in old_documents.values_list("words", "pairs")
    ):
        words.subtract(old_words)
        pairs.subtract(old_pairs)
    old_documents.delete()
    rows = []
    for pk, (new_words, new_pairs) in new.items():
        words.update(new_words)
        pairs.update(new_pairs)
        text_words, text_pairs = encode((new_words, new_pairs))
        rows.append(document_model(resource_id=pk, words=text_words, pairs=text_pairs))
    document_model.objects.bulk_create(rows, batch_size=BATCH)
    _count(words, pairs)


def _count(words: Counter, pairs: Counter) -> None:
    """Add each word's and pair's change in document count, in one upsert statement each
    (the same syntax works on SQLite and PostgreSQL); rows that reach 0 go."""
    from .models import QualityPair, QualityWord

    english = english_frequencies()  # what `word in english_lexicon()` asks
    word_table, pair_table = QualityWord._meta.db_table, QualityPair._meta.db_table
    changed_words = [(w, n, len(w), w in english) for w, n in words.items() if n]
    changed_pairs = [(a, b, n) for (a, b), n in pairs.items() if n]
    with connection.cursor() as cursor:
        if changed_words:
            cursor.executemany(
                f"INSERT INTO {word_table} (word, documents, length, english) "  # noqa: S608
                "VALUES (%s, %s, %s, %s) ON CONFLICT (word) DO UPDATE SET "
                f"documents = {word_table}.documents + excluded.documents",
                changed_words,
            )
            cursor.executemany(
                f"DELETE FROM {word_table} WHERE word = %s AND documents <= 0",  # noqa: S608
                [(w,) for w, n, _, _ in changed_words if n < 0],
            )
        if changed_pairs:
            cursor.executemany(
                f"INSERT INTO {pair_table} (first, second, documents) "  # noqa: S608
                "VALUES (%s, %s, %s) ON CONFLICT (first, second) DO UPDATE SET "
                f"documents = {pair_table}.documents + excluded.documents",
                changed_pairs,
            )
            cursor.executemany(
                f"DELETE FROM {pair_table} "  # noqa: S608
                "WHERE first = %s AND second = %s AND documents <= 0",
                [(a, b) for a, b, n in changed_pairs if n < 0],
            )


def quality_rebuild(
    visible_resources=None, card_model=None, document_model=None, batch: int = 500
) -> int:
    """Count every visible resource from scratch, a batch at a time (memory stays flat);
    returns how many were counted. The models are parameters so that the data migration
    can pass its historical ones."""
    from recall.library.models import Card, Resource

    from .models import QualityDocument, QualityPair, QualityWord

    if visible_resources is None:
        visible_resources = Resource.objects.visible()
    card_model = card_model or Card
    document_model = document_model or QualityDocument
    with transaction.atomic():
        document_model.objects.all().delete()
        QualityWord.objects.all().delete()
        QualityPair.objects.all().delete()
        ids = list(visible_resources.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(ids), batch):
            chunk = ids[start : start + batch]
            titles = dict(visible_resources.filter(pk__in=chunk).values_list("pk", "title"))
            _replace(
                document_model,
                document_model.objects.none(),
                _terms_of(titles, _cards(titles, card_model)),
            )
        return len(ids)
