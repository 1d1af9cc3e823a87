"""Correct and expand a search query's words against the vocabulary of the index. Pure.

- A query word missing from the vocabulary is replaced by the closest indexed word
  (SymSpell, edit distance up to 2, ties broken by how many documents hold it), or split
  into two indexed words run together. A correctly spelled English word stays as typed:
  otherwise "bill" would become "will" just because no note mentions a bill.
- A rare word that the vocabulary holds (a name or term, such as "Kruschev") also matches
  its indexed variants within two edits ("Khrushchev"): names are spelled many ways.
"""

from __future__ import annotations

from dataclasses import dataclass

from symspellpy import SymSpell, Verbosity

# wordfreq's Zipf values from the compact table the quality checks share: every threshold
# here is at least recall.lib.english.MIN_ZIPF, below which a word reads as 0.
from recall.lib.english import zipf

MIN_WORD_LENGTH = 4  # shorter words have too many neighbours to correct safely
MIN_VARIANT_LENGTH = 5
KNOWN_WORD_ZIPF = 3.0  # about once per million words of English: a real word
RARE_WORD_ZIPF = 3.5  # names and terms, whose spellings vary
MAX_VARIANTS = 3
# Words whose corrections a corrector keeps (a lookup of a word the vocabulary lacks, or
# of a rare word's variants, costs a SymSpell search: about 0.5 ms at 10,000 resources).
CACHED_WORDS = 2_000  # some 0.5 MB


@dataclass(frozen=True)
class Correction:
    # One group per searched word; a document must match one word of every group.
    groups: tuple[tuple[str, ...], ...]
    corrected: tuple[str, ...]  # the query as searched, when a word was replaced or split
    changed: bool

    @property
    def expanded(self) -> tuple[str, ...]:
        return tuple(word for group in self.groups for word in group[1:])


class QueryCorrector:
    def __init__(self, document_frequencies: dict[str, int]) -> None:
        self.frequencies = document_frequencies
        self._corrections: dict[str, tuple[tuple[str, ...], ...]] = {}
        # Deletes of a 5-letter prefix, not 7: a fifth of the memory (9 MB, not 40, for the
        # 16,000 terms of 10,000 resources) for the same suggestions (the same lookups for
        # 3,000 generated typos of the corpus's terms), each lookup some 50 µs slower.
        self._symspell = SymSpell(max_dictionary_edit_distance=2, prefix_length=5)
        for word, count in document_frequencies.items():
            if len(word) >= 2 and count > 0:
                self._symspell.create_dictionary_entry(word, count)

    def _closest(self, word: str) -> list[str]:
        found = self._symspell.lookup(word, Verbosity.ALL, max_edit_distance=2)
        found.sort(key=lambda s: (s.distance, -s.count))
        return [s.term for s in found if s.term != word]

    def _variants(self, word: str) -> tuple[str, ...]:
        if len(word) < MIN_VARIANT_LENGTH or zipf(word) >= RARE_WORD_ZIPF:
            return ()
        return tuple(
            other
            for other in self._closest(word)
            if other[0] == word[0]
            and len(other) >= MIN_VARIANT_LENGTH
            and zipf(other) < RARE_WORD_ZIPF
        )[:MAX_VARIANTS]

    def _split(self, word: str) -> tuple[str, ...] | None:
        """Two indexed words run together, each of 2 letters or more."""
        best: tuple[int, tuple[str, str]] | None = None
        for cut in range(2, len(word) - 1):
            left, right = word[:cut], word[cut:]
            if left in self.frequencies and right in self.frequencies:
                score = min(self.frequencies[left], self.frequencies[right])
                if best is None or score > best[0]:
                    best = (score, (left, right))
        return best[1] if best else None

    def _correct_word(self, word: str) -> tuple[tuple[str, ...], ...]:
        if word in self.frequencies:
            return ((word, *self._variants(word)),)
        if len(word) < MIN_WORD_LENGTH or word.isdigit():
            return ((word,),)
        if zipf(word) >= KNOWN_WORD_ZIPF:
            return ((word,),)
        closest = self._closest(word)
        if closest:
            return ((closest[0], *self._variants(closest[0])),)
        split = self._split(word)
        if split:
            return tuple((part,) for part in split)
        return ((word,),)

    def _correct_cached(self, word: str) -> tuple[tuple[str, ...], ...]:
        found = self._corrections.get(word)
        if found is None:
            found = self._correct_word(word)
            if len(self._corrections) < CACHED_WORDS:
                self._corrections[word] = found
        return found

    def forget_corrections(self) -> None:
        self._corrections.clear()

    def correct(self, words: tuple[str, ...]) -> Correction:
        groups: list[tuple[str, ...]] = []
        for word in words:
            groups.extend(self._correct_cached(word))
        corrected = tuple(group[0] for group in groups)
        return Correction(tuple(groups), corrected, corrected != tuple(words))
