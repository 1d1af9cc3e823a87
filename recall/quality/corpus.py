"""The published corpus's words and word pairs, counted in the database.

Every write that changes what a visible resource says, or whether it is visible, calls
``quality_refresh`` (through recall.search.index.search_refresh, which every such write
already calls): the resource's old terms (its QualityDocument) are taken from the counts
and its new ones added, so no process ever holds the whole corpus. A check then reads
only the rows for the words of the text it checks (recall.quality.vocabulary).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from django.db import connection, transaction

from recall.lib.quality.lexicon import english_frequencies
from recall.lib.quality.vocabulary import document_terms

MAX_WORD_LENGTH = 100  # longer "words" are not words (and don't fit the column)
BATCH = 500

Terms = tuple[set[str], set[tuple[str, str]]]


# A card that is only a tight list of plain ASCII sentences (letters, single spaces, a
# final full stop). document_terms would see each item's words unchanged (visible_text
# hides the "- " markers) and pair only neighbours within an item (the stop, the line
# break and the hidden marker between items break pairs): computed directly, faster.
_PLAIN_BULLETS = re.compile(r"- [A-Za-z]+(?: [A-Za-z]+)*\.?(?:\n- [A-Za-z]+(?: [A-Za-z]+)*\.?)*\n?")


def _plain_bullet_terms(body: str, words: set[str], pairs: set[tuple[str, str]]) -> None:
    for line in body.split("\n"):
        if line:
            item = line[2:].rstrip(".").lower().split(" ")
            words.update(item)
            pairs.update(zip(item, item[1:], strict=False))


def resource_terms(title: str, cards: Iterable[tuple[str, str]]) -> Terms:
    """The words and pairs a resource adds to the counts (document_terms, length-capped)."""
    plain, others = [], []
    for heading, body in cards:
        if _PLAIN_BULLETS.fullmatch(body):
            plain.append(body)
            others.append((heading, ""))
        else:
            others.append((heading, body))
    words, pairs = document_terms(title, others)
    for body in plain:
        _plain_bullet_terms(body, words, pairs)
    if max(map(len, words), default=0) <= MAX_WORD_LENGTH:
        return words, pairs  # nothing to cap (a pair's words are words of the resource)
    return (
        {w for w in words if len(w) <= MAX_WORD_LENGTH},
        {p for p in pairs if len(p[0]) <= MAX_WORD_LENGTH and len(p[1]) <= MAX_WORD_LENGTH},
    )


def encode(terms: Terms) -> tuple[str, str]:
    words, pairs = terms
    return " ".join(sorted(words)), "\n".join(map(" ".join, sorted(pairs)))


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


def bulk_insert(table: str, columns: list[str], rows: Iterable[tuple]) -> None:
    """Many new rows at once, without a model instance each: COPY on PostgreSQL, one
    prepared statement on SQLite (rebuilds write tens of millions of pair rows)."""
    names = ", ".join(columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)  # noqa: S608


def _index_sql(model, index) -> str:
    """CREATE INDEX for a plain index of the model's Meta (fields only, as the migrations
    made it)."""
    if index.condition or index.expressions or index.include:
        raise ValueError(f"not a plain index: {index}")
    quote = connection.ops.quote_name
    columns = ", ".join(
        quote(model._meta.get_field(name.lstrip("-")).column) + (" DESC" if name[0] == "-" else "")
        for name in index.fields
    )
    return f"CREATE INDEX {quote(index.name)} ON {quote(model._meta.db_table)} ({columns})"


PAIR_SHIFT = 32  # a pair counted as one int: first word's number << PAIR_SHIFT | second's


def quality_rebuild(
    visible_resources=None, card_model=None, document_model=None, batch: int = 2000
) -> int:
    """Count every visible resource from scratch, a batch at a time; returns how many were
    counted. The counts are kept in memory (pairs as ints, about 130 bytes each: 4 GB for
    the 30 million pairs of bench/generate.py's 100,000 resources) and written once at the
    end, pairs in order of their words' first use, with the index on their second word
    built after them: the same rows as counting resource by resource with
    quality_refresh, whose upserts cost far more. The models are parameters so that the
    data migration can pass its historical ones."""
    from recall.library.models import Card, Resource

    from .models import QualityDocument, QualityPair, QualityWord

    if visible_resources is None:
        visible_resources = Resource.objects.visible()
    card_model = card_model or Card
    document_model = document_model or QualityDocument
    english = english_frequencies()
    with transaction.atomic():
        document_model.objects.all().delete()
        QualityWord.objects.all().delete()
        QualityPair.objects.all().delete()
        ids = list(visible_resources.order_by("pk").values_list("pk", flat=True))
        words: Counter = Counter()
        pairs: Counter = Counter()
        numbers: dict[str, int] = {}  # word: its number, in order of first use
        for start in range(0, len(ids), batch):
            chunk = ids[start : start + batch]
            titles = dict(visible_resources.filter(pk__in=chunk).values_list("pk", "title"))
            rows = []
            for pk, terms in _terms_of(titles, _cards(titles, card_model)).items():
                new_words, new_pairs = terms
                words.update(new_words)
                for word in sorted(new_words.difference(numbers)):
                    numbers[word] = len(numbers)
                pairs.update([numbers[a] << PAIR_SHIFT | numbers[b] for a, b in new_pairs])
                rows.append((pk, *encode(terms)))
            bulk_insert(document_model._meta.db_table, ["resource_id", "words", "pairs"], rows)
        bulk_insert(
            QualityWord._meta.db_table,
            ["word", "documents", "length", "english"],
            ((w, n, len(w), w in english) for w, n in sorted(words.items())),
        )
        by_number = list(numbers)
        mask = (1 << PAIR_SHIFT) - 1
        # Every secondary index of the pair table, built once after the rows instead of
        # kept in step with each (only the current model's: the data migration's table
        # has the same indexes, but its state is historical).
        indexes = QualityPair._meta.indexes if document_model is QualityDocument else []
        with connection.cursor() as cursor:
            for index in indexes:
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(index.name)}")
        bulk_insert(
            QualityPair._meta.db_table,
            ["first", "second", "documents"],
            ((by_number[c >> PAIR_SHIFT], by_number[c & mask], pairs[c]) for c in sorted(pairs)),
        )
        with connection.cursor() as cursor:
            for index in indexes:
                cursor.execute(_index_sql(QualityPair, index))
        return len(ids)
