"""Answer a search: parse, correct misspellings, ask the backend, load the page."""

from __future__ import annotations

import threading
import time
import weakref
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import connection

from recall.lib.query_spelling import QueryCorrector, Vocabulary
from recall.lib.search_text import ParsedQuery, highlight, parse_query, snippet, snippet_html
from recall.library.models import Card, Resource, Subject, Topic

from .backends import Filters, search_backend
from .models import SearchDocument, SearchTerm

VOCABULARY_MAX_AGE = 300.0  # seconds: new words become correctable within five minutes

_vocabulary_lock = threading.Lock()
_vocabulary: dict = {"corrector": None, "built_at": 0.0}


def query_corrector() -> QueryCorrector:
    """The vocabulary of the index as a corrector, built once per process and refreshed."""
    with _vocabulary_lock:
        corrector = _vocabulary["corrector"]
        if corrector is None or time.monotonic() - _vocabulary["built_at"] > VOCABULARY_MAX_AGE:
            # The old one goes first: two at once would raise the worker's peak memory.
            _vocabulary.update(corrector=None, built_at=0.0)
            del corrector
            # Read in chunks into compact arrays (recall.lib.query_spelling.Vocabulary):
            # the rows never sit in memory all at once (500 at a time: 2,000 cost 0.4 MB more).
            rows = SearchTerm.objects.values_list("term", "documents").iterator(chunk_size=500)
            corrector = QueryCorrector(Vocabulary(rows))
            _vocabulary.update(corrector=corrector, built_at=time.monotonic())
        return corrector


def forget_vocabulary() -> None:
    with _vocabulary_lock:
        _vocabulary.update(corrector=None, built_at=0.0)


@dataclass(frozen=True)
class Hit:
    resource_id: int
    title_html: str
    snippet_html: str


@dataclass
class SearchOutcome:
    query: str
    parsed: ParsedQuery
    corrected: str = ""  # the query as searched, when misspellings were corrected
    expanded: tuple[str, ...] = ()  # spelling variants searched for too
    total: int = 0
    total_exact: bool = True  # False: more than `total` match
    results: list[tuple[Resource, Hit]] = field(default_factory=list)

    @property
    def only_stop_words(self) -> bool:
        return self.parsed.empty and bool(self.parsed.dropped)


def search_resources(
    query: str, filters: Filters, offset: int, limit: int, correct: bool = True
) -> SearchOutcome:
    parsed = parse_query(query)
    outcome = SearchOutcome(query=query, parsed=parsed)
    if parsed.empty:
        return outcome
    if correct and parsed.terms:
        correction = query_corrector().correct(parsed.terms)
        parsed = ParsedQuery(
            correction.corrected, parsed.phrases, parsed.dropped, correction.groups
        )
        outcome.expanded = correction.expanded
        if correction.changed:
            outcome.corrected = " ".join(
                [*correction.corrected, *('"' + " ".join(p) + '"' for p in parsed.phrases)]
            )
    found = search_backend().search(parsed, filters, offset, limit)
    outcome.total, outcome.total_exact = found.total, found.exact
    outcome.results = load_page(found.ids, parsed.stems)
    return outcome


# --- the page of results, in one query -------------------------------------------------
#
# Each result shows its search document's title and a snippet of its text, and its
# resource as Resource.objects.for_listing() gives it: the subject, the topic with its
# subject, the author, the card count. Through the ORM that was two queries and 120 model
# instances for a page of 20, and it cost more CPU than the search itself (2 to 3 ms of
# 5 to 7 at 10,000 resources): compiling the queries, and a subject, topic and author
# per row. Here one query, compiled once per database connection, and one subject, topic
# or author instance per distinct row (the same instance shared between results).

# Each part of a row: its alias, and the alias and foreign key it is joined on.
_PARTS = {
    "resource": ("r", "d", "resource"),
    "subject": ("s", "r", "subject"),
    "topic": ("t", "r", "topic"),
    "topic_subject": ("ts", "t", "subject"),
    "author": ("u", "r", "author"),
}


@dataclass(frozen=True)
class _Plan:
    sql: str  # with "{ids}" where the page's ids go
    # Per part: the model, its columns' slice of a row, its primary key's position in
    # that slice, and the converters of its columns that have any (as the ORM applies).
    parts: dict[str, tuple[type, slice, int, list[tuple[int, list, object]]]]


_plans: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # per connection's ops


def _plan() -> _Plan:
    ops = connection.ops
    plan = _plans.get(ops)
    if plan is None:
        plan = _plans[ops] = _make_plan()
    return plan


def _make_plan() -> _Plan:
    q = connection.ops.quote_name
    models = {
        "d": SearchDocument,
        "r": Resource,
        "s": Subject,
        "t": Topic,
        "ts": Subject,
        "u": get_user_model(),
        "c": Card,
    }

    def column(alias: str, name: str) -> str:
        return f"{alias}.{q(models[alias]._meta.get_field(name).column)}"

    def pk(alias: str) -> str:
        return f"{alias}.{q(models[alias]._meta.pk.column)}"

    columns = [pk("d"), column("d", "title"), column("d", "body")]
    joins, parts = [], {}
    for part, (alias, on, key) in _PARTS.items():
        model = models[alias]
        fields = list(model._meta.concrete_fields)
        converters = []
        for i, f in enumerate(fields):
            col = f.get_col(alias)
            found = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
            if found:
                converters.append((i, found, col))
        at = len(columns)
        parts[part] = (model, slice(at, at + len(fields)), fields.index(model._meta.pk), converters)
        columns += [f"{alias}.{q(f.column)}" for f in fields]
        joins.append(f"JOIN {q(model._meta.db_table)} {alias} ON {pk(alias)} = {column(on, key)}")
    cards = f"SELECT COUNT(*) FROM {q(Card._meta.db_table)} c"  # noqa: S608 - ours, quoted
    cards += f" WHERE {column('c', 'resource')} = {pk('r')}"
    sql = " ".join(
        [
            f"SELECT {', '.join(columns)}, ({cards})",
            f"FROM {q(SearchDocument._meta.db_table)} d",
            *joins,
            f"WHERE {pk('d')} IN ({{ids}})",
        ]
    )
    return _Plan(sql, parts)


def load_page(ids: list[int], stems: frozenset[str]) -> list[tuple[Resource, Hit]]:
    """The page's resources (as for_listing() gives them) with highlighted titles and
    snippets, in the order of `ids`; an id no longer indexed is left out. Snippets are
    made here, not by the database: its snippet functions read every word of every
    document they are given."""
    if not ids:
        return []
    plan = _plan()
    with connection.cursor() as cursor:
        cursor.execute(plan.sql.replace("{ids}", ", ".join(["%s"] * len(ids))), ids)
        rows = cursor.fetchall()
    shared: dict[tuple[type, object], object] = {}

    def instance(part: str, row):
        model, columns, pk_at, converters = plan.parts[part]
        values = row[columns]
        key = (model, values[pk_at])
        if part != "resource" and key in shared:
            return shared[key], False
        values = list(values)
        for i, functions, col in converters:
            for convert in functions:
                values[i] = convert(values[i], col, connection)
        made = model.from_db(connection.alias, None, values)
        shared[key] = made
        return made, True

    set_subject = Resource._meta.get_field("subject").set_cached_value
    set_topic = Resource._meta.get_field("topic").set_cached_value
    set_author = Resource._meta.get_field("author").set_cached_value
    set_topic_subject = Topic._meta.get_field("subject").set_cached_value
    found = {}
    for row in rows:
        resource, _ = instance("resource", row)
        set_subject(resource, instance("subject", row)[0])
        topic, new = instance("topic", row)
        if new:
            set_topic_subject(topic, instance("topic_subject", row)[0])
        set_topic(resource, topic)
        set_author(resource, instance("author", row)[0])
        resource.card_count = row[-1]
        found[row[0]] = (resource, row[1], row[2])
    page = []
    for pk in ids:
        if pk in found:
            resource, title, body = found[pk]
            hit = Hit(
                pk,
                snippet_html(highlight(title, stems)),
                snippet_html(snippet(body, stems)),
            )
            page.append((resource, hit))
    return page
