"""The vocabulary a check uses: the shipped subject lists plus the published corpus.

The corpus is counted in the database (recall.quality.corpus); a check reads only what
the text it checks needs: the counts of its words, the pairs that start or end with one
of its words, and the corpus words within two edits of each word nobody knows. Nothing
of the corpus stays in the process, so memory does not grow with the corpus. The
resource being checked never vouches for its own words: its stored terms are taken off
the counts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

from django.db import connection
from editdistpy import damerau_osa

from recall.lib.quality import Vocabulary, english_lexicon, read_word_list
from recall.lib.quality.checks import STOPWORDS
from recall.lib.quality.lexicon import MAX_EDIT_DISTANCE
from recall.lib.quality.markdown_text import visible_text
from recall.lib.quality.vocabulary import document_terms, words_of
from recall.library.models import Resource

from .corpus import MAX_WORD_LENGTH, PAIR_SHIFT, unpack, word_ids
from .models import QualityDocument, QualityPair, QualityWord

WORDLISTS = Path(__file__).resolve().parent / "wordlists"
# A word of the corpus is known once this many other published resources use it.
MIN_DOCUMENTS = 2
CHUNK = 500  # values per IN (...): well under every database's parameter limit
MAX_CANDIDATE_LENGTH = 40  # longer words get no suggestions (as Vocabulary.candidates)


@lru_cache(maxsize=1)
def shipped_entries() -> tuple[str, ...]:
    """Every entry of the subject word lists in wordlists/*.txt."""
    return tuple(
        entry for path in sorted(WORDLISTS.glob("*.txt")) for entry in read_word_list(path)
    )


@lru_cache(maxsize=1)
def _shipped() -> Vocabulary:
    return Vocabulary(shipped_entries())


def _chunks(values: Iterable, size: int = CHUNK):
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _own_terms(resource: Resource | None) -> tuple[set[int], set[int]]:
    """What the saved resource adds to the counts (nothing unless it is visible): its
    words' ids and its pairs' keys."""
    if resource is None or resource.pk is None:
        return set(), set()
    row = QualityDocument.objects.filter(resource_id=resource.pk).values_list("words", "pairs")
    return (set(unpack(row[0][0], "i")), set(unpack(row[0][1], "q"))) if row else (set(), set())


def _forms(text_words: Iterable[str]) -> set[str]:
    """Every lower-case form a check may look up for these words: the word, without its
    possessive, its hyphenated parts and their join, the base of a contraction, and each
    of those without a plural ending."""
    forms: set[str] = set()
    for word in text_words:
        lower = word.lower().replace("’", "'")
        core = lower[:-2] if lower.endswith("'s") and len(lower) > 2 else lower
        found = {lower, core, core.replace("-", "")}
        found.update(core.split("-"))
        for form in list(found):
            if "'" in form:
                found.add(form.rpartition("'")[0])
        for form in list(found):
            if form.endswith("s"):
                found.add(form[:-1])
            if form.endswith("es"):
                found.add(form[:-2])
        forms.update(f for f in found if f and len(f) <= MAX_WORD_LENGTH)
    return forms


def _known_words(forms: set[str], own_words: set[int]) -> set[str]:
    """The forms that MIN_DOCUMENTS other resources use (English words aside)."""
    known = set()
    for chunk in _chunks(forms):
        rows = QualityWord.objects.filter(word__in=chunk, english=False).values_list(
            "word", "documents", "id"
        )
        known.update(w for w, n, i in rows if n - (i in own_words) >= MIN_DOCUMENTS)
    return known


# A real-word fix (recall.lib.quality.checks) is a word of four letters or more, no
# function word, with the typed word's first letter, at most two letters longer or shorter
# and two edits away; the pairs of the corpus that no fix of this text could use are not
# read (or kept).
MIN_FIX_LENGTH = 4


def _could_fix(typed: str, word: str) -> bool:
    """Could ``word`` be a real-word fix of ``typed`` (as far as the checks allow)?"""
    return (
        word[:1] == typed[:1]
        and len(word) >= MIN_FIX_LENGTH
        and abs(len(word) - len(typed)) <= MAX_EDIT_DISTANCE
        and word not in STOPWORDS
        and damerau_osa.distance(typed, word, MAX_EDIT_DISTANCE) >= 0
    )


def _fixable(words: Iterable[str]) -> list[str]:
    """The words the real-word check looks at: no function word, four letters or more."""
    return [w for w in words if w not in STOPWORDS and len(w) >= MIN_FIX_LENGTH]


def _starting(typed: Iterable[str]) -> list[tuple[str, list]]:
    """SQL for the words that could be a fix of one of these words, one condition per
    first letter: the same first letter (a range of the word index for an ASCII letter:
    in every collation the words that start with "c" sort from "c" to "d"; the first
    letter itself otherwise) and a length near theirs."""
    lengths: dict[str, list[int]] = {}
    for word in typed:
        lengths.setdefault(word[:1], []).append(len(word))
    conditions = []
    for initial in sorted(lengths):
        low = max(MIN_FIX_LENGTH, min(lengths[initial]) - MAX_EDIT_DISTANCE)
        high = max(lengths[initial]) + MAX_EDIT_DISTANCE
        if initial.isascii() and initial.isalpha():
            conditions.append(
                (
                    "word >= %s AND word < %s AND length BETWEEN %s AND %s",
                    [initial, chr(ord(initial) + 1), low, high],
                )
            )
        else:
            conditions.append(
                ("substr(word, 1, 1) = %s AND length BETWEEN %s AND %s", [initial, low, high])
            )
    return conditions


def _fixes(typed: set[str]) -> tuple[dict[str, list[str]], dict[str, int]]:
    """The corpus words that could be a real-word fix of each typed word, and their ids."""
    fixes: dict[str, list[str]] = {word: [] for word in typed}
    ids: dict[str, int] = {}
    by_start: dict[tuple[str, int], list[str]] = {}
    for word in typed:
        by_start.setdefault((word[:1], len(word)), []).append(word)
    table, distance = QualityWord._meta.db_table, damerau_osa.distance
    with connection.cursor() as cursor:
        for where, params in _starting(typed):
            cursor.execute(f"SELECT word, id FROM {table} WHERE {where}", params)  # noqa: S608
            for word, number in cursor.fetchall():
                if word in STOPWORDS:
                    continue
                # _could_fix, less what the query and the buckets already ensure (the
                # first letter, four letters or more, the length within two).
                initial, length = word[:1], len(word)
                for near in range(length - MAX_EDIT_DISTANCE, length + MAX_EDIT_DISTANCE + 1):
                    for typed_word in by_start.get((initial, near), ()):
                        if distance(typed_word, word, MAX_EDIT_DISTANCE) >= 0:
                            fixes[typed_word].append(word)
                            ids[word] = number
    return fixes, ids


def _pairs(text_pairs: set[tuple[str, str]], own_pairs: set[int]) -> set[tuple[str, str]]:
    """The pairs other resources write that a check of a text with these adjacent pairs
    may ask about: the text's own pairs (are they usual?) and, beside each of its words
    that is no function word, the pairs whose other word could be a real-word fix of the
    word the text has there."""
    after: dict[str, set[str]] = {}  # a word of the text: the words that follow it there
    before: dict[str, set[str]] = {}
    for a, b in text_pairs:
        after.setdefault(a, set()).add(b)
        before.setdefault(b, set()).add(a)
    typed_after = {w: [] if w in STOPWORDS else _fixable(o) for w, o in after.items()}
    typed_before = {w: [] if w in STOPWORDS else _fixable(o) for w, o in before.items()}
    fixes, ids = _fixes(
        {t for found in (typed_after, typed_before) for ts in found.values() for t in ts}
    )
    ids.update(word_ids(set(after).union(before).difference(ids)))
    # Every pair a check may ask about, by key: looked up in the primary key, a few
    # hundred keys a query.
    wanted: dict[int, tuple[str, str]] = {}
    for word, others in after.items():
        if word in ids:
            high = ids[word] << PAIR_SHIFT
            for other in others.union(*(fixes[t] for t in typed_after[word])):
                if other in ids:
                    wanted[high | ids[other]] = (word, other)
    for word in before:
        if word in ids:
            for other in set().union(*(fixes[t] for t in typed_before[word])):
                wanted[ids[other] << PAIR_SHIFT | ids[word]] = (other, word)
    table = QualityPair._meta.db_table
    pairs: set[tuple[str, str]] = set()
    with connection.cursor() as cursor:
        for chunk in _chunks(sorted(wanted)):
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"SELECT pair, documents FROM {table} WHERE pair IN ({marks})",  # noqa: S608
                chunk,
            )
            # Other resources' pairs: its own never vouch for it.
            pairs.update(wanted[k] for k, n in cursor.fetchall() if n - (k in own_pairs) >= 1)
    return pairs


def _candidates(unknown: set[str], own_words: set[int]) -> set[str]:
    """Corpus words within two edits of the unknown words, read a length at a time."""
    by_length: dict[int, list[str]] = {}
    for word in unknown:
        if len(word) <= MAX_CANDIDATE_LENGTH:
            by_length.setdefault(len(word), []).append(word)
    if not by_length:
        return set()
    lengths = {n for length in by_length for n in range(length - 2, length + 3) if n > 0}
    found = set()
    rows = QualityWord.objects.filter(
        english=False, length__in=sorted(lengths), documents__gte=MIN_DOCUMENTS
    ).values_list("word", "documents", "length", "id")
    for word, n, length, number in rows.iterator(chunk_size=2000):
        if "-" in word or "'" in word or n - (number in own_words) < MIN_DOCUMENTS:
            continue
        for near in range(length - MAX_EDIT_DISTANCE, length + MAX_EDIT_DISTANCE + 1):
            for typed in by_length.get(near, ()):
                if damerau_osa.distance(typed, word, MAX_EDIT_DISTANCE) >= 0:
                    found.add(word)
                    break
            else:
                continue
            break
    return found


def vocabulary_for(
    resource: Resource | None = None,
    title: str = "",
    cards: Sequence[tuple[str, str]] = (),
) -> Vocabulary:
    """The subject lists and what other published resources agree on, as far as a check
    of this title and these (heading, Markdown body) cards needs it."""
    own_words, own_pairs = _own_terms(resource)
    text_words = set(words_of(title))
    for heading, body in cards:
        text_words.update(words_of(heading))
        text_words.update(words_of(visible_text(body)))
    forms = _forms(text_words)
    corpus_words = _known_words(forms, own_words)
    lexicon, shipped = english_lexicon(), _shipped()
    unknown = {
        form
        for form in forms
        if form not in lexicon and form not in shipped and form not in corpus_words
    }
    corpus_words |= _candidates(unknown, own_words)
    return Vocabulary(
        shipped_entries(),
        corpus_words=corpus_words,
        # Sorted: a real-word fix's ties go to the first pair read, the same every time.
        corpus_pairs=sorted(_pairs(document_terms(title, cards)[1], own_pairs)),
    )


def forget_corpus() -> None:
    """Nothing is cached any more; kept for tests that call it between databases."""
