"""The published corpus's words and word pairs, counted in the database.

Every write that changes what a visible resource says, or whether it is visible, calls
``quality_refresh`` (through recall.search.index.search_refresh, which every such write
already calls): the resource's old terms (its QualityDocument) are taken from the counts
and its new ones added, so no process ever holds the whole corpus. A check then reads
only the rows for the words of the text it checks (recall.quality.vocabulary).
"""

from __future__ import annotations

import multiprocessing
import operator
import pickle
import queue
import re
import sys
import threading
from array import array
from collections import Counter
from collections.abc import Iterable
from contextlib import contextmanager
from itertools import islice

from django.db import connection, transaction

from recall.lib.quality.lexicon import english_frequencies
from recall.lib.quality.vocabulary import document_terms, text_terms
from recall.operations.bulk import built_after

MAX_WORD_LENGTH = 100  # longer "words" are not words (and don't fit the column)
BATCH = 500
PAIR_SHIFT = 32  # a pair's key: its first word's id << PAIR_SHIFT | its second word's

Terms = tuple[set[str], set[tuple[str, str]]]


# A card that is only a tight list of plain ASCII sentences (letters, single spaces, a
# final full stop). document_terms would see each item's words unchanged (visible_text
# hides the "- " markers) and pair only neighbours within an item (the stop, the line
# break and the hidden marker between items break pairs): computed directly, faster.
_PLAIN_BULLETS = re.compile(r"- [A-Za-z]+(?: [A-Za-z]+)*\.?(?:\n- [A-Za-z]+(?: [A-Za-z]+)*\.?)*\n?")


def _terms_and_runs(
    title: str, cards: Iterable[tuple[str, str]]
) -> tuple[set[str], list[list[str]], set[tuple[str, str]]]:
    """resource_terms, with the pairs of plain lists left as runs of words (each word
    pairs with the next): a rebuild numbers them without making a tuple of each pair."""
    plain, headings, others = [], [], []
    for heading, body in cards:
        if _PLAIN_BULLETS.fullmatch(body):
            plain.append(body)
            headings.append(heading)
        else:
            others.append((heading, body))
    words, pairs = document_terms(title, others)
    for heading in headings:
        text_terms(heading, words, pairs)
    runs = []
    for body in plain:
        for line in body.lower().split("\n"):
            if line:
                item = line[2:].rstrip(".").split(" ")
                runs.append(item)
                words.update(item)
    if max(map(len, words), default=0) <= MAX_WORD_LENGTH:
        return words, runs, pairs  # nothing to cap (a pair's words are words of the resource)
    for item in runs:
        pairs.update(zip(item, item[1:], strict=False))
    return (
        {w for w in words if len(w) <= MAX_WORD_LENGTH},
        [],
        {p for p in pairs if len(p[0]) <= MAX_WORD_LENGTH and len(p[1]) <= MAX_WORD_LENGTH},
    )


def resource_terms(title: str, cards: Iterable[tuple[str, str]]) -> Terms:
    """The words and pairs a resource adds to the counts (document_terms, length-capped)."""
    words, runs, pairs = _terms_and_runs(title, cards)
    for item in runs:
        pairs.update(zip(item, item[1:], strict=False))
    return words, pairs


def pair_key(first: int, second: int) -> int:
    """A QualityPair's key: its words' QualityWord ids as one integer."""
    return first << PAIR_SHIFT | second


def pack(values: Iterable[int], code: str) -> bytes:
    """Integers as a QualityDocument stores them: little-endian, 32-bit ("i": word ids)
    or 64-bit ("q": pair keys)."""
    packed = array(code, values)
    if sys.byteorder == "big":
        packed.byteswap()
    return packed.tobytes()


def unpack(data: bytes | memoryview, code: str) -> array:
    unpacked = array(code)
    unpacked.frombytes(data)
    if sys.byteorder == "big":
        unpacked.byteswap()
    return unpacked


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


def _chunks(values: list, size: int = BATCH):
    for start in range(0, len(values), size):
        yield values[start : start + size]


def word_ids(words: Iterable[str]) -> dict[str, int]:
    """The QualityWord ids of these words (those the table has)."""
    from .models import QualityWord

    table = QualityWord._meta.db_table
    found: dict[str, int] = {}
    with connection.cursor() as cursor:
        for chunk in _chunks(sorted(words)):
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"SELECT word, id FROM {table} WHERE word IN ({marks})", chunk)  # noqa: S608
            found.update(cursor.fetchall())
    return found


def _word_ids_made(words: set[str]) -> dict[str, int]:
    """The ids of these words, a row (counting no resource yet) made for each new one:
    only new words take a number (an upsert of every word would use up the sequence)."""
    from .models import QualityWord

    ids = word_ids(words)
    missing = sorted(words.difference(ids))
    if missing:
        english = english_frequencies()  # what `word in english_lexicon()` asks
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {QualityWord._meta.db_table} (word, documents, length, english) "  # noqa: S608
                "VALUES (%s, 0, %s, %s) ON CONFLICT (word) DO NOTHING",
                [(w, len(w), w in english) for w in missing],
            )
        ids.update(word_ids(missing))
    return ids


def _replace(document_model, old_documents, new: dict[int, Terms]) -> None:
    """Swap the old documents' terms for the new ones, in the rows and in the counts."""
    words: Counter = Counter()  # by word id
    pairs: Counter = Counter()  # by pair key
    for old_words, old_pairs in old_documents.values_list("words", "pairs"):
        words.subtract(unpack(old_words, "i"))
        pairs.subtract(unpack(old_pairs, "q"))
    old_documents.delete()
    ids = _word_ids_made(set().union(*(terms[0] for terms in new.values())))
    rows = []
    for pk, (new_words, new_pairs) in new.items():
        numbers = [ids[w] for w in new_words]
        keys = [ids[a] << PAIR_SHIFT | ids[b] for a, b in new_pairs]
        words.update(numbers)
        pairs.update(keys)
        rows.append(document_model(resource_id=pk, words=pack(numbers, "i"), pairs=pack(keys, "q")))
    document_model.objects.bulk_create(rows, batch_size=BATCH)
    _count(words, pairs)


def _count(words: Counter, pairs: Counter) -> None:
    """Add each word's (by id) and pair's (by key) change in document count, one statement
    each (the same upsert syntax works on SQLite and PostgreSQL); rows that reach 0 go."""
    from .models import QualityPair, QualityWord

    word_table, pair_table = QualityWord._meta.db_table, QualityPair._meta.db_table
    changed_words = sorted((i, n) for i, n in words.items() if n)
    changed_pairs = sorted((k, n) for k, n in pairs.items() if n)
    with connection.cursor() as cursor:
        if changed_pairs:
            cursor.executemany(
                f"INSERT INTO {pair_table} (pair, documents) VALUES (%s, %s) "  # noqa: S608
                f"ON CONFLICT (pair) DO UPDATE SET documents = {pair_table}.documents "
                "+ excluded.documents",
                changed_pairs,
            )
            cursor.executemany(
                f"DELETE FROM {pair_table} WHERE pair = %s AND documents <= 0",  # noqa: S608
                [(k,) for k, n in changed_pairs if n < 0],
            )
        if changed_words:
            cursor.executemany(
                f"UPDATE {word_table} SET documents = documents + %s WHERE id = %s",  # noqa: S608
                [(n, i) for i, n in changed_words],
            )
            cursor.executemany(
                f"DELETE FROM {word_table} WHERE id = %s AND documents <= 0",  # noqa: S608
                [(i,) for i, n in changed_words if n < 0],
            )


def bulk_insert(
    table: str, columns: list[str], rows: Iterable[tuple], types: list[str] | None = None
) -> None:
    """Many new rows at once, without a model instance each: COPY on PostgreSQL, one
    prepared statement on SQLite (rebuilds write tens of millions of pair rows). Given
    the columns' PostgreSQL `types`, COPY's binary form (bytes then go as they are, not
    as hex text: 100,000 documents' terms in 7 s instead of 10)."""
    names = ", ".join(columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            binary = " (FORMAT BINARY)" if types else ""
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN{binary}") as copy:
                if types:
                    copy.set_types(types)
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)  # noqa: S608


# A QualityDocument's columns as a rebuild writes them, and their PostgreSQL types.
DOCUMENT_COLUMNS = ["resource_id", "words", "pairs"]
DOCUMENT_TYPES = ["bigint", "bytea", "bytea"]


def quality_clear(document_model=None) -> None:
    """Empty the counts and documents (a rebuild's first step)."""
    from .models import QualityDocument, QualityPair, QualityWord

    (document_model or QualityDocument).objects.all().delete()
    QualityWord.objects.all().delete()
    QualityPair.objects.all().delete()


def quality_rebuild(
    visible_resources=None, card_model=None, document_model=None, batch: int = 2000
) -> int:
    """Count every visible resource from scratch, a batch at a time; returns how many were
    counted. Words are numbered in order of first use; the counts are kept in memory (a
    pair as one int: with the sort, the process peaked at 5.3 GB for the 30 million pairs
    of bench/generate.py's 100,000 resources) and written once at the end, pairs in key
    order: the same counts as counting resource by resource with quality_refresh, whose
    upserts cost far more. The models are parameters so that a data migration can pass
    its historical ones. (recall.search.index.search_rebuild counts the same way in a
    second process, CountingWorker, while it indexes.)"""
    from recall.library.models import Card, Resource

    from .models import QualityDocument

    if visible_resources is None:
        visible_resources = Resource.objects.visible()
    card_model = card_model or Card
    document_model = document_model or QualityDocument
    with transaction.atomic(), _pairs_built_after() as in_order:
        quality_clear(document_model)
        ids = list(visible_resources.order_by("pk").values_list("pk", flat=True))
        counting = Counting()
        for start in range(0, len(ids), batch):
            chunk = ids[start : start + batch]
            titles = dict(visible_resources.filter(pk__in=chunk).values_list("pk", "title"))
            cards = _cards(titles, card_model)
            rows = [(pk, *counting.add(title, cards[pk])) for pk, title in sorted(titles.items())]
            bulk_insert(document_model._meta.db_table, DOCUMENT_COLUMNS, rows, DOCUMENT_TYPES)
        _write_counts(counting.word_rows(), counting.pair_batches(connection.vendor), in_order)
        return len(ids)


class Counting:
    """A rebuild's counts, in memory and pure (no database): add every visible resource's
    title and cards once, in order of id; then the rows of the word and pair tables."""

    def __init__(self) -> None:
        self.numbers: dict[str, int] = {}  # word: its id, from 1 in order of first use
        self.high: dict[str, int] = {}  # word: its id << PAIR_SHIFT
        self.words: Counter = Counter()  # by id
        self.pairs: Counter = Counter()  # by key

    def add(self, title: str, cards: Iterable[tuple[str, str]]) -> tuple[bytes, bytes]:
        """Count a resource; returns its QualityDocument's (words, pairs)."""
        words, runs, pairs = _terms_and_runs(title, cards)
        numbers, high = self.numbers, self.high
        for word in sorted(words.difference(numbers)):
            number = numbers[word] = len(numbers) + 1
            high[word] = number << PAIR_SHIFT
        low_of, high_of = numbers.__getitem__, high.__getitem__
        keys = {high[a] | numbers[b] for a, b in pairs}
        for item in runs:  # each word's key part | the next word's id, in C loops
            keys.update(map(operator.or_, map(high_of, item), map(low_of, islice(item, 1, None))))
        word_numbers = list(map(low_of, words))
        self.words.update(word_numbers)
        self.pairs.update(keys)
        return pack(word_numbers, "i"), pack(keys, "q")

    def word_rows(self) -> list[tuple]:
        english = english_frequencies()  # what `word in english_lexicon()` asks
        counts = self.words
        return [(n, w, counts[n], len(w), w in english) for w, n in self.numbers.items()]

    def pair_batches(self, vendor: str):
        """The pair rows, in key order, a batch at a time, as _write_pairs writes them
        (the counts are emptied as they go)."""
        pairs, self.pairs = self.pairs, Counter()
        if vendor != "sqlite":
            # PostgreSQL: in the order they were counted (sorting 30 million keys here,
            # then reading their counts in that order, cost 55 s); the database builds
            # the primary key after them, or sorts them itself (_write_counts).
            items = iter(pairs.items())
            while chunk := list(islice(items, JSON_ROWS)):
                yield "copy", "".join([f"{k}\t{n}\n" for k, n in chunk])
            return
        # SQLite reads a pair row as one int of a JSON array, key << COUNT_BITS |
        # documents: a C loop instead of binding two parameters a row (a third of the
        # time). Keys that don't leave the room (first word ids from 2 ** 23) and counts
        # from 2 ** COUNT_BITS - 1 are written after.
        top, room = (1 << COUNT_BITS) - 1, 1 << (63 - COUNT_BITS)
        apart = [(k, n) for k, n in pairs.items() if k >= room or n >= top]
        packed = sorted(k << COUNT_BITS | (n if n < top else top) for k, n in pairs.items())
        del pairs  # the rows are in packed and apart: the counts' memory goes first
        if packed and packed[-1] >> COUNT_BITS >= room:
            packed = [v for v in packed if v >> COUNT_BITS < room]
        for start in range(0, len(packed), JSON_ROWS):
            yield "json", "[" + ",".join(map(str, packed[start : start + JSON_ROWS])) + "]"
        del packed
        yield "rows", apart


COUNT_BITS = 8
JSON_ROWS = 200_000


def _write_counts(word_rows: list[tuple], pair_batches, in_order: bool = False) -> None:
    """Write the word and pair tables (empty) from a Counting's rows. PostgreSQL's pair
    rows come in any order: `in_order` (the table still has its primary key, see
    _pairs_built_after) has them sorted by the database on the way in, so that its
    b-tree is written in key order."""
    from .models import QualityPair, QualityWord

    bulk_insert(
        QualityWord._meta.db_table, ["id", "word", "documents", "length", "english"], word_rows
    )
    table = QualityPair._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            from django.core.management.color import no_style

            for sql in connection.ops.sequence_reset_sql(no_style(), [QualityWord]):
                cursor.execute(sql)
        into = table
        # SQLite's rows come sorted; PostgreSQL's go through a table of their own to be.
        in_order = in_order and connection.vendor == "postgresql"
        if in_order:
            into = "quality_pair_load"
            cursor.execute(
                f"CREATE TEMPORARY TABLE {into} (pair bigint, documents integer) ON COMMIT DROP"
            )
        for kind, batch in pair_batches:
            if kind == "json":
                cursor.execute(
                    f"INSERT INTO {table} (pair, documents) SELECT value >> {COUNT_BITS}, "  # noqa: S608
                    f"value & {(1 << COUNT_BITS) - 1} FROM json_each(%s)",
                    [batch],
                )
            elif kind == "copy":
                with cursor.cursor.copy(f"COPY {into} (pair, documents) FROM STDIN") as copy:
                    copy.write(batch)
            else:
                cursor.executemany(
                    f"INSERT INTO {table} (pair, documents) VALUES (%s, %s) "  # noqa: S608
                    "ON CONFLICT (pair) DO UPDATE SET documents = excluded.documents",
                    batch,
                )
        if in_order:
            cursor.execute(
                f"INSERT INTO {table} (pair, documents) SELECT pair, documents "  # noqa: S608
                f"FROM {into} ORDER BY pair"
            )
            cursor.execute(f"DROP TABLE {into}")


@contextmanager
def _pairs_built_after():
    """Around a rebuild's writes (its clearing included, so that an emptied table is not
    taken for an empty one): on PostgreSQL, a pair table that was empty gets its primary
    key built after the rows (recall.operations.bulk.built_after: 30 million rows took
    15 s instead of 28), and an empty document table its foreign key. Yields whether
    the pair rows must still come in key order."""
    from .models import QualityDocument, QualityPair

    with (
        built_after(QualityDocument._meta.db_table, foreign_keys=True),
        built_after(QualityPair._meta.db_table, primary_key=True) as bare,
    ):
        yield connection.vendor == "postgresql" and not bare


# A rebuild's counting in a second process: the parent sends each visible resource's
# title and cards as it reads them for the search index, the child counts (text work and
# the sort of tens of millions of pairs, on the other core) and, once asked, sends the
# rows back for the parent to write. Forked, so it needs no setup; it never touches the
# database (the parent's connection is not its to use).
class CountingWorker:
    def __init__(self) -> None:
        context = multiprocessing.get_context("fork")
        self._pipe, child = context.Pipe()
        self._process = context.Process(
            target=_count_in_child, args=(child, connection.vendor), daemon=True
        )
        self._process.start()
        child.close()
        # A thread writes to the pipe, so that the caller goes on while the child counts
        # what it was sent before (the batches wait in this queue meanwhile).
        self._outbox: queue.SimpleQueue = queue.SimpleQueue()
        self._sender = threading.Thread(target=self._send, daemon=True)
        self._sender.start()
        self._finished = False

    @staticmethod
    def available() -> bool:
        return "fork" in multiprocessing.get_all_start_methods()

    def add(self, resources: list[tuple[int, str, list[tuple[str, str]]]]) -> None:
        """Count these (id, title, cards) after those sent before (in order of id)."""
        self._outbox.put(pickle.dumps(resources, pickle.HIGHEST_PROTOCOL))

    def finish(self) -> None:
        """Every resource has been sent: the child counts what is left and makes every row
        while the caller goes on (bench/generate.py after writing, a rebuild after its
        documents: the sort of the pairs overlaps the similar lists); write() then only
        receives them. Nothing may be added after."""
        if not self._finished:
            self._finished = True
            self.add(None)
            self._outbox.put(None)

    def _send(self) -> None:
        while (data := self._outbox.get()) is not None:
            try:
                self._pipe.send_bytes(data)
            except OSError:
                return  # the child is gone: write() or close() says so

    def write(self, document_model=None) -> None:
        """Clear the tables and write the counts (in the caller's transaction)."""
        from .models import QualityDocument

        document_model = document_model or QualityDocument
        self.finish()
        self._sender.join()
        with _pairs_built_after() as in_order:
            quality_clear(document_model)
            table = document_model._meta.db_table
            while (rows := self._receive()) is not None:
                bulk_insert(table, DOCUMENT_COLUMNS, rows, DOCUMENT_TYPES)
            word_rows = self._receive()
            _write_counts(word_rows, iter(self._receive, None), in_order)
        self._process.join()

    def _receive(self):
        try:
            return self._pipe.recv()
        except EOFError:
            raise RuntimeError("the quality counting process ended early") from None

    def close(self) -> None:
        """Stop the child if it still runs (after an error)."""
        if self._process.is_alive():
            self._process.terminate()
            self._process.join()
        self._outbox.put(None)
        self._sender.join()
        self._pipe.close()


def _count_in_child(pipe, vendor: str) -> None:
    counting = Counting()
    documents = []
    while (resources := pipe.recv()) is not None:
        documents += [(pk, *counting.add(title, cards)) for pk, title, cards in resources]
    # Every row made before the first is sent: the parent reads them only once it is
    # ready to write (a send waits for it), so the making overlaps its other work.
    word_rows = counting.word_rows()
    pair_batches = list(counting.pair_batches(vendor))
    del counting
    for start in range(0, len(documents), 2000):
        pipe.send(documents[start : start + 2000])
    pipe.send(None)
    del documents
    pipe.send(word_rows)
    for batch in pair_batches:
        pipe.send(batch)
    pipe.send(None)
    pipe.close()
