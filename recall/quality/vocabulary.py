"""The vocabulary a check uses: the shipped subject lists plus the published corpus.

The corpus part (which words and word pairs each visible resource uses) is read once and
kept in this process until the set of visible resources changes; the resource being
checked never vouches for its own words.
"""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from django.db.models import Count, Max

from recall.lib.quality import Vocabulary, english_lexicon, read_word_list
from recall.lib.quality.vocabulary import document_terms
from recall.library.models import Card, Resource

WORDLISTS = Path(__file__).resolve().parent / "wordlists"
# A word of the corpus is known once this many other published resources use it.
MIN_DOCUMENTS = 2
_CACHED_VOCABULARIES = 32


@lru_cache(maxsize=1)
def shipped_entries() -> tuple[str, ...]:
    """Every entry of the subject word lists in wordlists/*.txt."""
    return tuple(
        entry for path in sorted(WORDLISTS.glob("*.txt")) for entry in read_word_list(path)
    )


@dataclass
class _Corpus:
    key: tuple
    terms: dict[int, tuple[set[str], set[tuple[str, str]]]] = field(default_factory=dict)
    words: Counter = field(default_factory=Counter)
    pairs: Counter = field(default_factory=Counter)
    vocabularies: OrderedDict = field(default_factory=OrderedDict)


_lock = threading.Lock()
_corpus: _Corpus | None = None


def _corpus_key() -> tuple:
    stats = Resource.objects.visible().aggregate(
        count=Count("id"), latest=Max("updated_at"), last_id=Max("id")
    )
    return (stats["count"], stats["latest"], stats["last_id"])


def _load_corpus(key: tuple) -> _Corpus:
    corpus = _Corpus(key)
    cards: dict[int, list[tuple[str, str]]] = {}
    titles = dict(Resource.objects.visible().values_list("id", "title"))
    rows = Card.objects.filter(resource_id__in=list(titles)).order_by("resource_id", "position")
    for resource_id, heading, body in rows.values_list("resource_id", "heading", "body"):
        cards.setdefault(resource_id, []).append((heading, body))
    for resource_id, title in titles.items():
        words, pairs = document_terms(title, cards.get(resource_id, []))
        corpus.terms[resource_id] = (words, pairs)
        corpus.words.update(words)
        corpus.pairs.update(pairs)
    return corpus


def vocabulary_for(resource: Resource | None = None) -> Vocabulary:
    """The subject lists and what other published resources agree on."""
    global _corpus
    key = _corpus_key()
    with _lock:
        if _corpus is None or _corpus.key != key:
            _corpus = _load_corpus(key)
        corpus = _corpus
    own = resource.pk if resource is not None else None
    cached = corpus.vocabularies.get(own)
    if cached is not None:
        return cached
    words, pairs = corpus.words, corpus.pairs
    if own in corpus.terms:
        own_words, own_pairs = corpus.terms[own]
        words = words - Counter(own_words)
        pairs = pairs - Counter(own_pairs)
    lexicon = english_lexicon()
    vocabulary = Vocabulary(
        shipped_entries(),
        corpus_words=[w for w, n in words.items() if n >= MIN_DOCUMENTS and w not in lexicon],
        corpus_pairs=list(pairs),
    )
    with _lock:
        corpus.vocabularies[own] = vocabulary
        while len(corpus.vocabularies) > _CACHED_VOCABULARIES:
            corpus.vocabularies.popitem(last=False)
    return vocabulary


def forget_corpus() -> None:
    """Drop the cached corpus (tests that change resources without changing the key)."""
    global _corpus
    with _lock:
        _corpus = None
