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
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files

from symspellpy import SymSpell, Verbosity

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


class Lexicon:
    """English words with their frequencies (a share of all words), a SymSpell index
    over them for suggestions, and common word pairs for real-word checks."""

    def __init__(
        self,
        frequencies: dict[str, float],
        pairs: set[str] | None = None,
        common_pairs: dict[str, int] | None = None,
    ) -> None:
        self.frequencies = frequencies
        # Every pair of symspellpy's bigram list, as "first second": evidence a pair is fine.
        self.pairs: set[str] = pairs or set()
        # The common pairs a real-word check may suggest, looked up from either side.
        self.right: dict[str, dict[str, int]] = {}
        self.left: dict[str, dict[str, int]] = {}
        for pair, count in (common_pairs or {}).items():
            first, _, second = pair.partition(" ")
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
    symspell = SymSpell(max_dictionary_edit_distance=MAX_EDIT_DISTANCE, prefix_length=PREFIX_LENGTH)
    for word, frequency in frequencies.items():
        if frequency >= SUGGESTED_FREQUENCY and word.isalpha():
            # SymSpell keeps integer counts; its own ranking is not used.
            symspell.create_dictionary_entry(word, max(1, int(frequency * 1e12)))
    return symspell


def _read_unigrams() -> dict[str, int]:
    counts: dict[str, int] = {}
    for line in (files("symspellpy") / UNIGRAMS).read_text(encoding="utf-8").splitlines():
        word, _, count = line.partition(" ")
        if count:
            counts[word] = int(count)
    return counts


def _read_bigrams() -> tuple[set[str], dict[str, int]]:
    """All pairs ("first second"), and the common ones with their counts."""
    pairs: set[str] = set()
    common: dict[str, int] = {}
    for line in (files("symspellpy") / BIGRAMS).read_text(encoding="utf-8").splitlines():
        pair, _, count = line.rpartition(" ")
        pairs.add(pair)
        if len(count) >= 8 and int(count) >= SUGGESTED_PAIR_COUNT:
            common[pair] = int(count)
    return pairs, common


def load_english_frequencies(known_zipf: float = KNOWN_ZIPF) -> dict[str, float]:
    """symspellpy's words plus wordfreq's common ones, as shares of all words."""
    import wordfreq  # imported here: it is the slow part of start-up

    counts = _read_unigrams()
    total = sum(counts.values())
    frequencies = {word: count / total for word, count in counts.items()}
    floor = 10 ** (known_zipf - 9)
    for word, frequency in wordfreq.get_frequency_dict("en", wordlist="large").items():
        if frequency >= floor and word not in frequencies and not any(c.isdigit() for c in word):
            frequencies[word] = frequency
    return frequencies


@lru_cache(maxsize=1)
def english_lexicon() -> Lexicon:
    """The process's English lexicon, built on first use (about half a second)."""
    return Lexicon(load_english_frequencies(), *_read_bigrams())
