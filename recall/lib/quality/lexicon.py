"""English: which words exist, how common they are, which pairs go together, and fixes.

Built once per process (``english_lexicon`` is cached) from maintained packages, no
hand-made dictionary:

* symspellpy's frequency dictionary (82,765 words, counts from Google Books n-grams
  intersected with SCOWL) and its bigram dictionary (242,342 common word pairs);
* wordfreq's English list (many sources, British and American spellings): every word at
  least ``KNOWN_ZIPF`` on its Zipf scale (once per million words) also counts as a word.

Rarer wordfreq entries are deliberately not words: that long tail holds the common
misspellings themselves ("independance" is 1.95, "greif" 1.92).
"""

from __future__ import annotations

import math
import sys
from array import array
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from symspellpy import SymSpell

from recall.lib import english

from .typos import typo_cost

KNOWN_ZIPF = 3.0
MAX_EDIT_DISTANCE = 2
# Words rarer than this (a Zipf value of 2: once in ten million words) are words, but
# never suggested: the right fix is almost never that rare, and leaving out those 20,000
# makes building the index a quarter faster.
SUGGESTED_FREQUENCY = 1e-7
# SymSpell indexes deletions of each word's first PREFIX_LENGTH letters: 5 builds in
# about a third of the time (and memory) of 7, for the same suggestions at distance 2.
PREFIX_LENGTH = 5
# A suggestion's score is log10(frequency) - TYPO_WEIGHT * typo_cost: one plain edit is
# worth a factor of about 300 in frequency (tuned on Norvig's first test set).
TYPO_WEIGHT = 2.5
# symspellpy's bigram counts start at 6.4 million; only pairs at least this common are
# offered as a real-word fix (rarer ones still count as evidence that a pair is fine).
SUGGESTED_PAIR_COUNT = 20_000_000
UNIGRAMS = "frequency_dictionary_en_82_765.txt"
BIGRAMS = "frequency_bigramdictionary_en_243_342.txt"


@dataclass(frozen=True)
class Suggestion:
    term: str
    score: float
    cost: float


class StringSet:
    """A set of strings that answers `in` from a sorted array of their hashes: 8 bytes a
    string instead of about 100 (the 242,342 word pairs: 2 MB instead of 30). Python's
    string hash is fixed for the life of a process, and a false match between 64-bit
    hashes is vanishingly rare (about one in 10**14 lookups here)."""

    def __init__(self, strings: Iterable[str] = ()) -> None:
        self._hashes = array("q", sorted({hash(text) for text in strings}))

    def __contains__(self, text: object) -> bool:
        if not isinstance(text, str):
            return False
        key = hash(text)
        i = bisect_left(self._hashes, key)
        return i < len(self._hashes) and self._hashes[i] == key

    def __len__(self) -> int:
        return len(self._hashes)


class Lexicon:
    """English words with their frequencies (a share of all words), a SymSpell index
    over them for suggestions, and common word pairs for real-word checks."""

    def __init__(
        self,
        frequencies: dict[str, float],
        pairs: Iterable[str] | StringSet | None = None,
        common_pairs: dict[str, int] | None = None,
    ) -> None:
        self.frequencies = frequencies
        # Every pair of symspellpy's bigram list, as "first second": evidence a pair is fine.
        self.pairs = pairs if isinstance(pairs, StringSet) else StringSet(pairs or ())
        # The common pairs a real-word check may suggest, looked up from either side.
        self.right: dict[str, dict[str, int]] = {}
        self.left: dict[str, dict[str, int]] = {}
        for pair, count in (common_pairs or {}).items():
            first, _, second = pair.partition(" ")
            first, second = sys.intern(first), sys.intern(second)
            self.right.setdefault(first, {})[second] = count
            self.left.setdefault(second, {})[first] = count
        self.symspell = _symspell(frequencies)

    def __contains__(self, word: str) -> bool:
        return word in self.frequencies

    def frequency(self, word: str) -> float:
        return self.frequencies.get(word, 0.0)

    def has_pair(self, first: str, second: str) -> bool:
        return f"{first} {second}" in self.pairs

    def candidates(self, word: str, max_distance: int = MAX_EDIT_DISTANCE) -> list[str]:
        """Words within ``max_distance`` plain edits of ``word`` (lower case)."""
        if len(word) > 40:
            return []
        from symspellpy import Verbosity  # here: only the quality checks look words up

        found = self.symspell.lookup(
            word, Verbosity.ALL, max_edit_distance=max_distance, transfer_casing=False
        )
        return [item.term for item in found if item.term != word]

    def rank(self, typed: str, frequencies: dict[str, float]) -> list[Suggestion]:
        """Candidates (with their frequencies) best first: frequent and cheap to mistype."""
        ranked = []
        for term, frequency in frequencies.items():
            cost = typo_cost(typed, term)
            score = math.log10(max(frequency, 1e-12)) - TYPO_WEIGHT * cost
            ranked.append(Suggestion(term, score, cost))
        ranked.sort(key=lambda s: (-s.score, s.term))
        return ranked


def _symspell(frequencies: dict[str, float]) -> SymSpell:
    from symspellpy import SymSpell  # here: a reading worker never builds one

    symspell = SymSpell(max_dictionary_edit_distance=MAX_EDIT_DISTANCE, prefix_length=PREFIX_LENGTH)
    for word, frequency in frequencies.items():
        if frequency >= SUGGESTED_FREQUENCY and word.isalpha():
            # SymSpell keeps integer counts; its own ranking is not used.
            symspell.create_dictionary_entry(word, max(1, int(frequency * 1e12)))
    return symspell


def _read_unigrams() -> dict[str, int]:
    counts: dict[str, int] = {}
    with (files("symspellpy") / UNIGRAMS).open(encoding="utf-8") as lines:
        for line in lines:
            word, _, count = line.rstrip("\n").partition(" ")
            if count:
                counts[word] = int(count)
    return counts


def _read_bigrams() -> tuple[StringSet, dict[str, int]]:
    """All pairs ("first second"), and the common ones with their counts."""
    common: dict[str, int] = {}

    def pairs():
        with (files("symspellpy") / BIGRAMS).open(encoding="utf-8") as lines:
            for line in lines:
                pair, _, count = line.rstrip("\n").rpartition(" ")
                if len(count) >= 8 and int(count) >= SUGGESTED_PAIR_COUNT:
                    common[pair] = int(count)
                yield pair

    return StringSet(pairs()), common


def load_english_frequencies(known_zipf: float = KNOWN_ZIPF) -> dict[str, float]:
    """symspellpy's words plus wordfreq's common ones (recall.lib.english's compact table,
    shared with the search corrector), as shares of all words."""
    if known_zipf < english.MIN_ZIPF:
        raise ValueError(f"recall.lib.english keeps words of Zipf {english.MIN_ZIPF} or more")
    counts = _read_unigrams()
    total = sum(counts.values())
    frequencies = {sys.intern(word): count / total for word, count in counts.items()}
    floor = 10 ** (known_zipf - 9)
    for word, frequency in english.common_words().items():
        if frequency >= floor and word not in frequencies and not any(c.isdigit() for c in word):
            frequencies[word] = frequency
    return frequencies


@lru_cache(maxsize=1)
def english_frequencies() -> dict[str, float]:
    """The process's English words and frequencies (what ``word in lexicon`` asks), shared
    by the lexicon and by writers that only need to know whether a word is English."""
    return load_english_frequencies()


@lru_cache(maxsize=1)
def english_lexicon() -> Lexicon:
    """The process's English lexicon, built on first use (a few seconds)."""
    return Lexicon(english_frequencies(), *_read_bigrams())
