"""Correct and expand a search query's words against the vocabulary of the index. Pure.

- A query word missing from the vocabulary is replaced by the closest indexed word
  (edit distance up to 2, ties broken by how many documents hold it), or split into two
  indexed words run together. A correctly spelled English word stays as typed: otherwise
  "bill" would become "will" just because no note mentions a bill.
- A rare word that the vocabulary holds (a name or term, such as "Kruschev") also matches
  its indexed variants within two edits ("Khrushchev"): names are spelled many ways.

The vocabulary is held compactly (``Vocabulary``), because every web worker holds it: the
words as one UTF-8 string with offsets, their counts in an array, and SymSpell's
symmetric-delete index (words filed under deletes of their first letters, so that a
lookup reads only the words that share one with the query word) as two arrays of
integers. symspellpy's dictionaries of strings and lists (and a dictionary of the words)
held the same for 11 MB at the 16,000 words of 10,000 resources; these arrays take 0.74 MB.
Lookups return what symspellpy's did, in the same order (tests compare the two).
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import combinations

from editdistpy import damerau_osa

# wordfreq's Zipf values from the compact table the quality checks share: every threshold
# here is at least recall.lib.english.MIN_ZIPF, below which a word reads as 0.
from recall.lib.english import zipf
from recall.lib.packed_words import PackedWords, numbers_of

MIN_WORD_LENGTH = 4  # shorter words have too many neighbours to correct safely
MIN_VARIANT_LENGTH = 5
KNOWN_WORD_ZIPF = 3.0  # about once per million words of English: a real word
RARE_WORD_ZIPF = 3.5  # names and terms, whose spellings vary
MAX_VARIANTS = 3
# Words whose corrections a corrector keeps (a lookup of a word the vocabulary lacks, or
# of a rare word's variants, costs a search of the index: about 0.35 ms at 10,000 resources).
CACHED_WORDS = 2_000  # some 0.5 MB

MAX_EDITS = 2  # edit distance (optimal string alignment: a swap of neighbours is one edit)
PREFIX = 5  # words are filed under deletes of their first 5 letters (SymSpell's prefix)
_MAX_COUNT = 2**32 - 1


def _subsequences(text: str, length: int) -> set[str]:
    return {"".join(letters) for letters in combinations(text, length)}


def _lookup_keys(word: str) -> dict[str, int]:
    """What a lookup reads, each with its rank in SymSpell's order (which breaks ties, as
    it did when symspellpy was asked): the word's first letters, then less one of them,
    then less two."""
    order = [word[:PREFIX]]
    shortest = max(1, len(order[0]) - MAX_EDITS)
    for key in order:  # breadth first: the list grows as it is read
        if len(key) > shortest:
            for at in range(len(key)):
                delete = key[:at] + key[at + 1 :]
                if delete not in order:
                    order.append(delete)
    return {key: rank for rank, key in enumerate(order)}


def _filed_keys(word: str) -> Iterable[str]:
    """Where a word is filed. A word shorter than PREFIX: as SymSpell files it, under
    itself less up to MAX_EDITS letters. A longer one only under its first PREFIX letters
    less exactly MAX_EDITS (10 keys, not SymSpell's 16): a word of the vocabulary and a
    word looked up within MAX_EDITS edits of each other share at least PREFIX - MAX_EDITS
    letters of their first PREFIX, in order (each edit costs at most one), and the
    lookup's keys hold every such subsequence."""
    if len(word) >= PREFIX:
        return _subsequences(word[:PREFIX], PREFIX - MAX_EDITS)
    return _lookup_keys(word)


class Vocabulary:
    """Words with their document counts, read-only once built, in a few arrays.

    - the words and a hash table of them (recall.lib.packed_words.PackedWords);
    - their counts, in the same order;
    - the delete index: per bucket of key hashes, the numbers of the words filed under
      those keys (a bucket also holds words of other keys that hash alike; every
      candidate is checked by its edit distance, so they cost time, not correctness).
    """

    def __init__(self, counts: Iterable[tuple[str, int]]) -> None:
        """`counts`: (word, documents) pairs; words with no document are left out."""
        documents = array("I")
        lengths = array("B")  # in letters, at most 255: a lookup's first filter

        def kept() -> Iterable[bytes]:
            for word, count in counts:
                if count > 0 and len(word) >= 2:
                    documents.append(min(count, _MAX_COUNT))
                    lengths.append(min(len(word), 255))
                    yield word.encode()

        self._words = PackedWords(kept())
        self._counts = documents
        self._lengths = lengths
        self._buckets, self._filed = self._delete_index()

    def __len__(self) -> int:
        return len(self._counts)

    @property
    def nbytes(self) -> int:
        """The size of its arrays and text, in bytes (what it adds to a process, near enough)."""
        arrays = (self._counts, self._lengths, self._buckets, self._filed)
        return self._words.nbytes + sum(a.itemsize * len(a) for a in arrays)

    def word(self, number: int) -> str:
        return self._words.word(number)

    def __contains__(self, word: str) -> bool:
        return self._words.find(word) >= 0

    def documents(self, word: str) -> int:
        """How many documents hold the word; 0 if none."""
        number = self._words.find(word)
        return self._counts[number] if number >= 0 else 0

    def _delete_index(self) -> tuple[array, array]:
        """(bucket starts, word numbers): the words filed in bucket b are
        filed[starts[b]:starts[b + 1]]. A counting sort in two passes over the words (the
        keys made twice, not kept): nothing but the two arrays is ever held."""
        # Some 10 filings a word, 2.5 to 5 a bucket: more buckets made lookups no faster.
        size = 1 << max(4, (2 * len(self)).bit_length())
        mask = size - 1
        starts = array("I", [0]) * (size + 1)
        for number in range(len(self)):
            for key in _filed_keys(self.word(number)):
                starts[hash(key) & mask] += 1
        total = 0
        for bucket in range(size + 1):  # each bucket's end
            total += starts[bucket]
            starts[bucket] = total
        filed = array(numbers_of(len(self)), [0]) * total
        for number in range(len(self)):
            for key in _filed_keys(self.word(number)):
                bucket = hash(key) & mask
                starts[bucket] -= 1  # filled from the end: each ends at its start
                filed[starts[bucket]] = number
        return starts, filed

    def near(self, word: str) -> list[str]:
        """Every other word of the vocabulary within MAX_EDITS edits of `word` (3 letters
        or more): closest first, then the commonest; ties as symspellpy's lookup ordered
        them (the first of its keys that holds the word, then the vocabulary's order)."""
        buckets, filed, counts = self._buckets, self._filed, self._counts
        text, offsets, lengths = self._words.text, self._words.offsets, self._lengths
        mask = len(buckets) - 2
        keys = _lookup_keys(word)
        numbers: set[int] = set()
        for key in keys:
            bucket = hash(key) & mask
            numbers.update(filed[buckets[bucket] : buckets[bucket + 1]])
        length, found = len(word), []
        for number in numbers:
            if abs(lengths[number] - length) > MAX_EDITS:
                continue
            other = text[offsets[number] : offsets[number + 1]].decode()
            distance = damerau_osa.distance(word, other, MAX_EDITS)
            if distance > 0:
                found.append([distance, -counts[number], 0, number, other])
        found.sort()
        for first, second in zip(found, found[1:], strict=False):
            if first[:2] == second[:2]:  # a tie: rank both by the first key filing them
                for tied in (first, second):
                    tied[2] = min(keys.get(key, len(keys)) for key in _lookup_keys(tied[4]))
        if any(item[2] for item in found):
            found.sort()
        return [item[4] for item in found]


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
    def __init__(self, vocabulary: Vocabulary | Mapping[str, int]) -> None:
        if not isinstance(vocabulary, Vocabulary):
            vocabulary = Vocabulary(vocabulary.items())
        self.vocabulary = vocabulary
        self._corrections: dict[str, tuple[tuple[str, ...], ...]] = {}

    def _closest(self, word: str) -> list[str]:
        return self.vocabulary.near(word)

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
            score = min(self.vocabulary.documents(left), self.vocabulary.documents(right))
            if score > 0 and (best is None or score > best[0]):
                best = (score, (left, right))
        return best[1] if best else None

    def _correct_word(self, word: str) -> tuple[tuple[str, ...], ...]:
        if word in self.vocabulary:
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
