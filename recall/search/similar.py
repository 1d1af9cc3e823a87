"""Similar resources by content: computed when a resource is indexed, read in one query.

A resource's key words (TF-IDF over its title, counted twice, and its cards, against the
document counts of the vocabulary: the KEY_TERMS best, as a unit-length vector) are
stored as SimilarTerm rows. Its similar resources are those of its subject whose key
words overlap its own (the cosine of the two vectors), scaled so that the best scores 1,
with a bonus for the same topic; the KEPT best are stored as SimilarResource rows. The
matches learn of it too: it joins their lists where it ranks among their best.

The same pure ranking serves a save (the key words of the subject read from the
database) and a rebuild (all of them in memory), so both store the same lists.
"""

from __future__ import annotations

import heapq
import math
import multiprocessing
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from functools import partial
from operator import itemgetter

from django.db import connection

from recall.lib.search_text import STOP_WORDS, words
from recall.library.models import Resource
from recall.operations.bulk import built_after

from .models import SearchDocument, SearchTerm, SimilarResource, SimilarTerm

KEPT = 8  # stored per resource
SHOWN = 5
KEY_TERMS = 12
SAME_TOPIC_BONUS = 0.5  # on scores normalised so that the best candidate scores 1

Weighted = list[tuple[str, float]]
Ranked = list[tuple[int, float]]


class Rarity(dict):
    """Each word's weight for key words, 1 + log((N + 1) / (n + 1)) for a word in n of N
    resources (smoothed: a word every resource holds still counts a little), computed
    once per word; 0 for words that never count (stop words, short words, numbers)."""

    def __init__(self, frequencies: dict[str, int], documents: int) -> None:
        super().__init__()
        self.frequencies, self.documents = frequencies, documents

    def __missing__(self, word: str) -> float:
        weight = 0.0
        if word not in STOP_WORDS and len(word) > 2 and not word.isdigit():
            weight = 1 + math.log((self.documents + 1) / (self.frequencies.get(word, 0) + 1))
        self[word] = weight
        return weight


def weighted_key_terms(
    title: str, body: str, frequencies: dict[str, int], documents: int, rarity: Rarity | None = None
) -> Weighted:
    """The words that tell this resource apart (frequent in it, rare in the library),
    best first, weighted to a vector of length 1."""
    rarity = rarity if rarity is not None else Rarity(frequencies, documents)
    counts = Counter(words(body))
    counts.update(words(title) * 2)
    best = heapq.nsmallest(
        KEY_TERMS,
        [(-count * weight, word) for word, count in counts.items() if (weight := rarity[word])],
    )
    length = math.sqrt(sum(score * score for score, _ in best)) or 1.0
    return [(word, -score / length) for score, word in best]


def key_terms(title: str, body: str, frequencies: dict[str, int], documents: int) -> list[str]:
    return [word for word, _ in weighted_key_terms(title, body, frequencies, documents)]


def _best_first(item: tuple[int, float]) -> tuple[float, int]:
    return (-item[1], item[0])


def rank_similar(
    resource_id: int,
    topic_id: int,
    terms: Weighted,
    postings: dict[str, list[tuple[int, float]]],
    topics: dict[int, int],
) -> Ranked:
    """The KEPT most similar resources, given the key-word postings of the subject
    (word: [(resource, weight)]) and each resource's topic. Pure.

    Its cost grows with the postings (a key word's list within a subject grows with the
    library), so the inner loops are kept to C calls and one dict update a posting."""
    overlap: dict[int, float] = {}
    get = overlap.get
    for term, weight in terms:  # in this order, so every path adds the same floats
        for other, other_weight in postings.get(term, ()):
            overlap[other] = get(other, 0.0) + weight * other_weight
    overlap.pop(resource_id, None)
    if not overlap:
        return []
    best = max(overlap.values())
    # The others in order of overlap, highest first (a C sort), scored only until no later
    # one can enter: a later one scores at most its overlap / best plus the bonus, and the
    # overlaps only fall. Most of a resource's matches are never scored.
    kept: list[tuple[float, int]] = []  # (score, -resource): the worst kept first
    for other, score in sorted(overlap.items(), key=itemgetter(1), reverse=True):
        ratio = score / best
        if len(kept) == KEPT:
            if ratio + SAME_TOPIC_BONUS < kept[0][0]:
                break
            item = (ratio + (SAME_TOPIC_BONUS if topics[other] == topic_id else 0.0), -other)
            if item > kept[0]:
                heapq.heapreplace(kept, item)
        else:
            item = (ratio + (SAME_TOPIC_BONUS if topics[other] == topic_id else 0.0), -other)
            heapq.heappush(kept, item)
    # Best first, ties by resource id (_best_first).
    return [(-negative, score) for score, negative in sorted(kept, reverse=True)]


def _merge(ranked: dict[int, Ranked], existing: dict[int, dict[int, float]]) -> dict[int, Ranked]:
    """Every list after the offers: a resource's own ranking (or, for one not recomputed,
    its stored list) plus each resource that ranked it, its KEPT best (a pair found both
    ways keeps the higher score). The same whatever order the resources come in."""
    lists: dict[int, dict[int, float]] = {pk: dict(found) for pk, found in ranked.items()}
    for pk, found in ranked.items():
        for other, score in found:
            into = lists.setdefault(other, dict(existing.get(other, {})))
            into[pk] = max(score, into.get(pk, score))
    return {
        pk: heapq.nsmallest(KEPT, found.items(), key=_best_first) for pk, found in lists.items()
    }


def insert_rows(model, columns: list[str], rows: Iterable[tuple], batch: int = 1000) -> None:
    """Many rows at once, without building a model instance each (rebuilds write
    millions): by COPY on PostgreSQL, else batch rows to an INSERT statement."""
    table = model._meta.db_table
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        return
    head = f"INSERT INTO {table} ({', '.join(columns)}) VALUES "  # noqa: S608
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    rows = list(rows)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch):
            chunk = rows[start : start + batch]
            cursor.execute(
                head + ", ".join([one] * len(chunk)),
                [value for row in chunk for value in row],
            )


def _write_lists(lists: dict[int, Ranked]) -> None:
    insert_rows(
        SimilarResource,
        ["resource_id", "other_id", "score"],
        ((pk, other, score) for pk, found in lists.items() for other, score in found),
    )


def _write_terms(documents: list[SearchDocument], terms: dict[int, Weighted]) -> None:
    insert_rows(
        SimilarTerm,
        ["resource_id", "term", "weight", "subject_id", "topic_id"],
        (
            (d.resource_id, term, weight, d.subject_id, d.topic_id)
            for d in documents
            for term, weight in terms[d.resource_id]
        ),
    )


def similar_refresh(resource_ids: Iterable[int]) -> None:
    """Recompute the key words and similar lists of these resources (callers hold a
    transaction); the resources they rank learn of them too."""
    ids = list(resource_ids)
    SimilarResource.objects.filter(resource_id__in=ids).delete()
    SimilarTerm.objects.filter(resource_id__in=ids).delete()
    documents = list(SearchDocument.objects.filter(resource_id__in=ids))
    # Resources no longer findable leave every list they were in.
    SimilarResource.objects.filter(
        other_id__in=set(ids) - {d.resource_id for d in documents}
    ).delete()
    if not documents:
        return
    vocabulary = {w for d in documents for w in words(f"{d.title} {d.body}")}
    frequencies = dict(
        SearchTerm.objects.filter(term__in=vocabulary).values_list("term", "documents")
    )
    total = SearchDocument.objects.count()
    rarity = Rarity(frequencies, total)
    terms = {
        d.resource_id: weighted_key_terms(d.title, d.body, frequencies, total, rarity)
        for d in documents
    }
    _write_terms(documents, terms)
    ranked = {}
    for document in documents:
        postings: dict[str, list[tuple[int, float]]] = {}
        topics: dict[int, int] = {}
        for pk, term, weight, topic_id in SimilarTerm.objects.filter(
            subject_id=document.subject_id,
            term__in=[term for term, _ in terms[document.resource_id]],
        ).values_list("resource_id", "term", "weight", "topic_id"):
            postings.setdefault(term, []).append((pk, weight))
            topics[pk] = topic_id
        ranked[document.resource_id] = rank_similar(
            document.resource_id,
            document.topic_id,
            terms[document.resource_id],
            postings,
            topics,
        )
    others = {other for found in ranked.values() for other, _ in found} - set(ranked)
    existing: dict[int, dict[int, float]] = {}
    for pk, other, score in SimilarResource.objects.filter(resource_id__in=others).values_list(
        "resource_id", "other_id", "score"
    ):
        existing.setdefault(pk, {})[other] = score
    lists = _merge(ranked, existing)
    SimilarResource.objects.filter(resource_id__in=set(lists) - set(ranked)).delete()
    _write_lists(lists)


def similar_rebuild(batch: int = 2000, meanwhile: Callable[[], None] | None = None) -> None:
    """Every resource's key words and list from scratch, in memory (callers hold a
    transaction): what similar_refresh of every resource at once stores. `meanwhile`:
    the caller's own next step (it may write, though not these tables), made while the
    lists are ranked in two other processes (see _in_two_processes), else before.
    On PostgreSQL a first build makes the tables' indexes and keys after the rows
    (built_after)."""
    with (
        built_after(SimilarTerm._meta.db_table, indexes=True, foreign_keys=True),
        built_after(SimilarResource._meta.db_table, indexes=True, unique=True, foreign_keys=True),
    ):
        _rebuild_all(batch, meanwhile)


def _rebuild_all(batch: int, meanwhile: Callable[[], None] | None) -> None:
    SimilarResource.objects.all().delete()
    SimilarTerm.objects.all().delete()
    frequencies = dict(SearchTerm.objects.values_list("term", "documents"))
    ordered = list(
        SearchDocument.objects.order_by("resource_id").values_list("resource_id", flat=True)
    )
    total = len(ordered)
    rarity = Rarity(frequencies, total)
    terms: dict[int, Weighted] = {}
    places: dict[int, tuple[int, int]] = {}  # resource: (subject, topic)

    def weigh(rows: list[tuple]) -> list[Weighted]:
        return [weighted_key_terms(row[1], row[2], frequencies, total, rarity) for row in rows]

    # The key words KEY_ROUND documents at a time, in two processes (half each). While a
    # round is weighed, this process writes the last round's rows, adds its key words to
    # the postings of their subject and reads the next round's documents.
    postings: dict[tuple[int, str], list[tuple[int, float]]] = {}
    last_round: list[tuple[int, int, int, Weighted]] = []  # (resource, subject, topic, words)
    following: list[tuple] = []

    def read(round_start: int) -> list[tuple]:
        rows, end = [], min(round_start + KEY_ROUND, len(ordered))
        for start in range(round_start, end, batch):
            rows += SearchDocument.objects.filter(
                resource_id__in=ordered[start : min(start + batch, end)]
            ).values_list("resource_id", "title", "body", "subject_id", "topic_id")
        return rows

    def take_last_round() -> None:
        if not last_round:
            return
        insert_rows(
            SimilarTerm,
            ["resource_id", "term", "weight", "subject_id", "topic_id"],
            (
                (pk, term, weight, subject_id, topic_id)
                for pk, subject_id, topic_id, weighted in last_round
                for term, weight in weighted
            ),
        )
        for pk, subject_id, _, weighted in last_round:
            for term, weight in weighted:
                postings.setdefault((subject_id, term), []).append((pk, weight))
        last_round.clear()

    def alongside(next_start: int) -> None:
        take_last_round()
        following.extend(read(next_start))

    rows = read(0)
    for round_start in range(0, len(ordered), KEY_ROUND):
        weighed = _in_two_processes(weigh, rows, partial(alongside, round_start + KEY_ROUND))
        for (pk, _, _, subject_id, topic_id), weighted in zip(rows, weighed, strict=True):
            terms[pk] = weighted
            places[pk] = (subject_id, topic_id)
            last_round.append((pk, subject_id, topic_id, weighted))
        rows = following[:]
        following.clear()
    take_last_round()
    topics = {pk: topic_id for pk, (_, topic_id) in places.items()}
    by_subject: dict[int, dict[str, list[tuple[int, float]]]] = {}
    for (subject_id, term), found in postings.items():
        by_subject.setdefault(subject_id, {})[term] = found

    def rank(pks: list[int]) -> list[Ranked]:
        return [
            rank_similar(pk, places[pk][1], terms[pk], by_subject.get(places[pk][0], {}), topics)
            for pk in pks
        ]

    def merged(ranked: list[Ranked]) -> dict[int, Ranked]:
        return _merge(dict(zip(pks, ranked, strict=True)), {})

    pks = list(terms)
    _write_lists(_in_two_processes(rank, pks, meanwhile, then=merged))


# From this many resources a rebuild ranks in two processes: the ranking's cost grows
# faster than the library (each key word's list within a subject grows with it). The
# key words too, KEY_ROUND documents at a time (a fork each: its text held meanwhile).
PARALLEL_FROM = 2000
KEY_ROUND = 10_000


def _in_two_processes(
    work,
    items: list,
    meanwhile: Callable[[], None] | None = None,
    then: Callable[[list], object] | None = None,
):
    """work(items), the second half done by a forked child (pure work: it never touches
    the database); in one process for few items or where fork is missing. Given
    `meanwhile`, both halves are forked and this process makes that call as they work
    (three processes on two cores: a core is not left idle while one waits). Given
    `then` (pure too), returns then(result); with `meanwhile`, a thread of this process
    receives the halves and applies it as soon as they are done, while the call may still
    be writing (it keeps this thread: the database connection is this thread's)."""
    finish = then if then is not None else _unchanged
    if len(items) < PARALLEL_FROM or "fork" not in multiprocessing.get_all_start_methods():
        if meanwhile is not None:
            meanwhile()
        return finish(work(items))
    middle = len(items) // 2
    halves = [items[:middle], items[middle:]]
    context = multiprocessing.get_context("fork")
    children = []
    try:
        for half in halves[1:] if meanwhile is None else halves:
            receiver, sender = context.Pipe(duplex=False)
            child = context.Process(target=_work_in_child, args=(sender, work, half))
            child.start()
            sender.close()
            children.append((child, receiver))
        if meanwhile is None:
            done = [work(halves[0]), *_received(children)]
            return finish(done[0] + done[1])
        outcome: list[tuple[bool, object]] = []

        def collect() -> None:
            try:
                done = _received(children)
                outcome.append((True, finish(done[0] + done[1])))
            except BaseException as error:  # raised again in the caller's thread
                outcome.append((False, error))

        collector = threading.Thread(target=collect, name="similar-collector", daemon=True)
        collector.start()
        try:
            meanwhile()
        except BaseException:
            _stop(children)  # the collector's wait ends too
            raise
        finally:
            collector.join()
        succeeded, value = outcome[0]
        if not succeeded:
            raise value
        return value
    finally:
        _stop(children)
        for _, receiver in children:
            receiver.close()


def _unchanged(result: list) -> list:
    return result


def _received(children: list) -> list:
    """Each child's result, in order; each child waited for."""
    done = []
    for child, receiver in children:
        try:
            done.append(receiver.recv())
        except EOFError:
            raise RuntimeError("the ranking process ended early") from None
        child.join()
    return done


def _stop(children: list) -> None:
    for child, _ in children:
        if child.is_alive():
            child.terminate()
            child.join()


def _work_in_child(sender, work, items: list) -> None:
    sender.send(work(items))
    sender.close()


def similar_resources(resource: Resource, limit: int = SHOWN) -> list[Resource]:
    """The most similar visible resources: by content first, then the same topic, then
    the same subject, newest first (the second query only when the first is short)."""
    found = list(
        Resource.objects.visible()
        .filter(similar_to_rows__resource=resource)
        .select_related("subject", "topic__subject")
        .order_by("-similar_to_rows__score", "pk")[:limit]
    )
    if len(found) < limit:
        more = Resource.objects.similar_to(resource).exclude(pk__in=[r.pk for r in found])
        found += list(more[: limit - len(found)])
    return found
