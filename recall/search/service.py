"""Answer a search: parse, correct misspellings, ask the backend, load the resources."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from recall.lib.query_spelling import QueryCorrector
from recall.lib.search_text import ParsedQuery, parse_query
from recall.library.models import Resource

from .backends import Filters, Hit, search_backend
from .models import SearchTerm

VOCABULARY_MAX_AGE = 300.0  # seconds: new words become correctable within five minutes

_vocabulary_lock = threading.Lock()
_vocabulary: dict = {"corrector": None, "built_at": 0.0}


def query_corrector() -> QueryCorrector:
    """The vocabulary of the index as a corrector, built once per process and refreshed."""
    with _vocabulary_lock:
        corrector = _vocabulary["corrector"]
        if corrector is None or time.monotonic() - _vocabulary["built_at"] > VOCABULARY_MAX_AGE:
            corrector = QueryCorrector(dict(SearchTerm.objects.values_list("term", "documents")))
            _vocabulary.update(corrector=corrector, built_at=time.monotonic())
        return corrector


def forget_vocabulary() -> None:
    with _vocabulary_lock:
        _vocabulary.update(corrector=None, built_at=0.0)


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
    resources = Resource.objects.for_listing().in_bulk([hit.resource_id for hit in found.hits])
    outcome.total, outcome.total_exact = found.total, found.exact
    outcome.results = [
        (resources[h.resource_id], h) for h in found.hits if h.resource_id in resources
    ]
    return outcome
